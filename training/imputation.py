"""Fit the estimates of missing external scores (credit.features.external_scores) on the
applications' features, never on TARGET."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit.features.external_scores import SCORES, ScoreImputer
from credit.features.sources import feature_sources, model_features

# Small regressors: the estimate is a feature among others, not a model to tune (the settings of a
# first try, kept: docs/decisions.md).
_PARAMS = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 16,
    "min_child_samples": 40,
    "feature_fraction": 0.7,
    "deterministic": True,
    "num_threads": 2,
    "verbosity": -1,
}
_ROUNDS = 300


def fit_imputer(
    frame: pd.DataFrame, groups: Mapping[str, str], seed: int, without: Iterable[str] = ()
) -> ScoreImputer:
    """One regressor per external score, on the rows of the feature `frame` that declare it; its
    inputs are the features the policy admits under `groups` (minus sources in `without`) that do
    not come from an external score."""
    admitted = model_features(list(frame.columns), groups, without)
    inputs = [f for f, src in feature_sources(admitted).items() if not set(src) & set(SCORES)]
    x = frame[inputs].to_numpy(dtype="float64")
    models = {}
    for score in SCORES:
        target = frame[score].to_numpy(dtype="float64")
        known = ~np.isnan(target)
        booster = lgb.train(
            {**_PARAMS, "seed": seed},
            lgb.Dataset(x[known], target[known], feature_name=inputs),
            num_boost_round=_ROUNDS,
        )
        models[score] = booster.model_to_string()
    return ScoreImputer(inputs, models)
