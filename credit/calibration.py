"""Calibration of the model's scores into probabilities of default.

Platt scaling on the log-odds: PD = sigmoid(slope * margin + intercept). It is monotone
(ranking and AUC unchanged) and linear in log-odds, so per-feature contributions that add
up to the margin still add up after calibration.
"""

from __future__ import annotations

import numpy as np


def calibrated_margin(margin, calibrator: dict) -> np.ndarray:
    return calibrator["slope"] * np.asarray(margin, dtype="float64") + calibrator["intercept"]


def calibrate(margin, calibrator: dict) -> np.ndarray:
    """Calibrated PD from the model's raw log-odds."""
    return 1.0 / (1.0 + np.exp(-calibrated_margin(margin, calibrator)))


def margin_of(probability) -> np.ndarray:
    """Log-odds of a probability, for runtimes (ONNX) that return probabilities."""
    p = np.clip(np.asarray(probability, dtype="float64"), 1e-15, 1 - 1e-15)
    return np.log(p) - np.log1p(-p)
