"""Which inputs stand in for age: measured by how much a model predicting age leans on each source
field.

A LightGBM regressor learns the client's age from the inputs a model may use without age. Its
mean |SHAP| contribution, summed over the features of each source field, says how much of what it
knows about age comes from that field; the fields above a share are the proxies. R² out-of-fold
says how much age the inputs still carry, before and after the proxies are removed.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold

from credit.features.sources import feature_sources

MIN_SHARE = 0.05  # a field carrying at least 5 % of the age model's attribution is a proxy
_PARAMS = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 40,
    "feature_fraction": 0.8,
    "seed": 7,
    "deterministic": True,
    "num_threads": 2,
    "verbosity": -1,
}
_ROUNDS = 300


def age_proxies(frame: pd.DataFrame, features: list[str], age_years: np.ndarray) -> dict:
    """Share of the age model's attribution per source field, the proxies chosen, and R² with and
    without them."""
    x = frame[features].to_numpy(dtype="float64")
    booster = lgb.train(
        _PARAMS, lgb.Dataset(x, age_years, feature_name=features), num_boost_round=_ROUNDS
    )
    attribution = np.abs(booster.predict(x, pred_contrib=True)[:, :-1]).mean(axis=0)
    shares: dict[str, float] = {}
    for feature, weight in zip(features, attribution):
        for source in (sources := feature_sources([feature])[feature]):
            shares[source] = shares.get(source, 0.0) + float(weight) / len(sources)
    total = sum(shares.values())
    ranked = sorted(
        ((field, share / total) for field, share in shares.items()), key=lambda item: -item[1]
    )
    proxies = [field for field, share in ranked if share >= MIN_SHARE]
    kept = [f for f in features if not set(feature_sources([f])[f]) & set(proxies)]
    return {
        "method": (
            "LightGBM regressor of age on the inputs without age; mean |SHAP| per source field; "
            f"proxies: fields with at least {MIN_SHARE:.0%} of the attribution"
        ),
        "shares": {field: round(share, 4) for field, share in ranked[:15]},
        "spearman": {
            field: _spearman(frame, field, features, age_years) for field, _ in ranked[:15]
        },
        "proxies": proxies,
        "r2_without_age": _r2(frame[features].to_numpy(dtype="float64"), age_years),
        "r2_without_age_and_proxies": _r2(frame[kept].to_numpy(dtype="float64"), age_years),
    }


def _spearman(
    frame: pd.DataFrame, field: str, features: list[str], age_years: np.ndarray
) -> float | None:
    """|Spearman rho| of the field's own feature with age, for reference (None for tables and
    derived-only fields)."""
    if field not in features:
        return None
    values = frame[field].to_numpy(dtype="float64")
    known = ~np.isnan(values)
    rho = spearmanr(values[known], age_years[known]).statistic if known.sum() > 30 else np.nan
    return None if np.isnan(rho) else round(abs(float(rho)), 3)


def _r2(x: np.ndarray, age_years: np.ndarray) -> float:
    """Out-of-fold R² (3 folds) of age predicted from x."""
    predicted = np.zeros(len(age_years))
    for train, valid in KFold(3, shuffle=True, random_state=7).split(x):
        booster = lgb.train(
            _PARAMS, lgb.Dataset(x[train], age_years[train]), num_boost_round=_ROUNDS
        )
        predicted[valid] = booster.predict(x[valid])
    return round(float(r2_score(age_years, predicted)), 4)
