"""Behaviour a lender relies on, checked on the bundle trained on the real sample."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from credit.calibration import calibrate
from credit.features import build_features, model_matrix
from training.monotone import RISK_FALLS_WITH, RISK_RISES_WITH

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def scorer(real_bundle):
    booster = lgb.Booster(model_file=str(real_bundle.file("lightgbm")))
    return lambda x: calibrate(booster.predict(x, raw_score=True), real_bundle.calibrator)


@pytest.fixture(scope="module")
def inputs(real_tables, real_history, real_bundle):
    apps = real_tables["application_train"].sample(500, random_state=0)
    return model_matrix(
        build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )


@pytest.mark.parametrize(
    "feature,direction", [(f, -1) for f in RISK_FALLS_WITH] + [(f, 1) for f in RISK_RISES_WITH]
)
def test_risk_moves_only_in_the_expected_direction(scorer, inputs, real_bundle, feature, direction):
    column = real_bundle.features.index(feature)
    observed = inputs[:, column]
    grid = (
        np.nanquantile(observed, np.linspace(0, 1, 9))
        if np.isfinite(observed).any()
        else np.arange(5.0)
    )
    pds = []
    for value in np.unique(grid):
        changed = inputs.copy()
        changed[:, column] = np.float32(value)
        pds.append(scorer(changed))
    steps = np.diff(np.array(pds), axis=0) * direction
    assert (steps >= -1e-12).all(), (
        f"PD moved against the expected direction when {feature} changed"
    )


def test_better_external_score_lowers_the_risk_on_average(scorer, inputs, real_bundle):
    column = real_bundle.features.index("EXT_SOURCE_MEAN")
    low, high = inputs.copy(), inputs.copy()
    low[:, column], high[:, column] = 0.2, 0.7
    assert scorer(high).mean() < scorer(low).mean()
