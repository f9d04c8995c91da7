"""The business-cost threshold and the calibration measures, on cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from credit.calibration import calibrate, margin_of
from credit.decision import decide
from training.calibration import expected_calibration_error, fit_calibrator
from training.threshold import choose_threshold, cost_at, cost_curve

pytestmark = pytest.mark.unit


def test_cost_counts_missed_defaults_and_refused_good_clients():
    y = np.array([0, 0, 1, 1])
    pd_ = np.array([0.1, 0.4, 0.3, 0.8])
    # refuse PD >= 0.35: refused {0.4 good, 0.8 bad}, granted {0.1 good, 0.3 bad}: 1 missed default,
    # 1 good refused
    assert cost_at(y, pd_, 0.35, cost_fn=10, cost_fp=1) == pytest.approx((10 * 1 + 1 * 1) / 4)


def test_cost_curve_matches_brute_force():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    pd_ = np.clip(rng.normal(0.3 + 0.2 * y, 0.2), 0, 1)
    thresholds, costs = cost_curve(y, pd_, 10, 1)
    for t, cost in zip(thresholds[::37], costs[::37]):
        refused = pd_ >= t
        expected = (10 * (~refused & (y == 1)).sum() + (refused & (y == 0)).sum()) / len(y)
        assert cost == pytest.approx(expected)


def test_chosen_threshold_is_the_cheapest_and_depends_on_costs():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 2000)
    pd_ = np.clip(rng.normal(0.3 + 0.2 * y, 0.15), 0, 1)
    cheap = choose_threshold(y, pd_, 10, 1)
    assert cost_at(y, pd_, cheap, 10, 1) == pytest.approx(cost_curve(y, pd_, 10, 1)[1].min())
    assert choose_threshold(y, pd_, 1, 10) > cheap  # when refusals cost more, refuse less


def test_decision_refuses_at_or_above_threshold():
    assert decide([0.0999, 0.1, 0.5], 0.1).tolist() == ["granted", "refused", "refused"]


def test_platt_calibration_recovers_a_known_distortion():
    rng = np.random.default_rng(2)
    true_margin = rng.normal(-2.5, 1.0, 50_000)
    y = (rng.random(50_000) < 1 / (1 + np.exp(-true_margin))).astype(int)
    overconfident = 2.0 * true_margin + 1.0
    calibrator = fit_calibrator(overconfident, y)
    assert calibrator["slope"] == pytest.approx(0.5, abs=0.03)
    assert calibrator["intercept"] == pytest.approx(-0.5, abs=0.1)
    before = expected_calibration_error(y, 1 / (1 + np.exp(-overconfident)))
    after = expected_calibration_error(y, calibrate(overconfident, calibrator))
    assert after < before / 3


def test_margin_of_inverts_the_sigmoid():
    margin = np.array([-6.0, -1.0, 0.0, 2.5])
    assert margin_of(1 / (1 + np.exp(-margin))) == pytest.approx(margin)
