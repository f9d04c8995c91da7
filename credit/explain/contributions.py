"""Exact TreeSHAP contributions of the native LightGBM model, in probability points.

Exact path-dependent TreeSHAP (LightGBM's `pred_contrib`, computed from tables built at load by
credit.explain.path_shap, several times faster on batches) splits each application's log-odds
into per-feature parts plus the expected log-odds. Platt calibration is linear in log-odds, so
the parts scale exactly with its slope. The PD is a sigmoid of that sum, so the parts
cannot each pass through the sigmoid; instead every part is multiplied by the same rate,
the slope of the sigmoid's chord from the base to the application's calibrated log-odds.
That keeps each part's sign and relative size, and the parts add up exactly (to floating
point) from the base rate to the PD.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from credit.calibration import calibrated_margin
from credit.explain.path_shap import PathShap

_TINY = 1e-12  # below this log-odds change the chord's slope is the sigmoid's derivative


@dataclass(frozen=True)
class Contributions:
    base_value: float  # PD of the model's expected log-odds: where every explanation starts
    points: np.ndarray  # [applications, features] in probability (0-1) units
    probability: np.ndarray  # base_value + points.sum(axis=1), the calibrated PD


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def probability_points(raw: np.ndarray, calibrator: dict) -> Contributions:
    """Probability points from `pred_contrib` output (per-feature log-odds, expected log-odds
    last)."""
    raw = np.atleast_2d(np.asarray(raw, dtype="float64"))
    parts, expected = raw[:, :-1] * calibrator["slope"], raw[:, -1]
    base_margin = calibrated_margin(expected, calibrator)
    change = parts.sum(axis=1)
    base, probability = _sigmoid(base_margin), _sigmoid(base_margin + change)
    safe = np.where(np.abs(change) > _TINY, change, 1.0)
    rate = np.where(np.abs(change) > _TINY, (probability - base) / safe, base * (1 - base))
    base_value = float(base[0]) if len(base) else float(_sigmoid(calibrator["intercept"]))
    return Contributions(base_value, parts * rate[:, None], probability)


class TreeContributions:
    """Contributions of one model version: its native LightGBM model and its calibrator."""

    def __init__(self, booster: lgb.Booster, calibrator: dict):
        self.shap, self.calibrator = PathShap(booster), calibrator

    def explain(self, x: np.ndarray) -> Contributions:
        """Contributions for model inputs `x` (rows of the bundle's features, see
        as_model_input)."""
        return probability_points(self.shap.contributions(np.atleast_2d(x)), self.calibrator)
