"""Contributions in probability points: exact additivity, signs kept, calibration applied."""

from __future__ import annotations

import numpy as np
import pytest

from credit.calibration import calibrate
from credit.explain.contributions import probability_points

pytestmark = pytest.mark.unit
CALIBRATOR = {"slope": 0.9, "intercept": -0.2}


def raw_contributions(rows: int, features: int, seed: int = 0, scale: float = 0.5) -> np.ndarray:
    """Like LightGBM's pred_contrib: per-feature log-odds, then the expected log-odds (the same on
    every row)."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(0, scale, (rows, features)), np.full(rows, -2.4)])


def test_points_add_up_from_the_base_rate_to_the_calibrated_pd():
    raw = raw_contributions(1000, 40)
    result = probability_points(raw, CALIBRATOR)
    expected_pd = calibrate(raw.sum(axis=1), CALIBRATOR)
    assert np.abs(result.probability - expected_pd).max() < 1e-12
    assert np.abs(result.base_value + result.points.sum(axis=1) - expected_pd).max() < 1e-12
    assert result.base_value == pytest.approx(calibrate(-2.4, CALIBRATOR))


def test_each_point_keeps_the_sign_of_its_log_odds_contribution():
    raw = raw_contributions(200, 30, seed=1)
    points = probability_points(raw, CALIBRATOR).points
    assert np.array_equal(np.sign(points), np.sign(raw[:, :-1]))


def test_contributions_that_cancel_out_still_add_up_and_use_the_slope_at_the_base():
    raw = np.array([[0.3, -0.3, 0.0, -2.4], [1e-14, 0.0, 0.0, -2.4]])
    result = probability_points(raw, CALIBRATOR)
    base = result.base_value
    assert np.isfinite(result.points).all()
    assert result.points[0, 0] == pytest.approx(0.9 * 0.3 * base * (1 - base), rel=1e-9)
    assert np.abs(result.base_value + result.points.sum(axis=1) - result.probability).max() < 1e-15


def test_a_feature_with_no_log_odds_effect_gets_no_points():
    raw = raw_contributions(50, 5, seed=2)
    raw[:, 2] = 0.0
    assert (probability_points(raw, CALIBRATOR).points[:, 2] == 0).all()
