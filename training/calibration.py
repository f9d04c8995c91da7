"""Fit the Platt calibrator on out-of-fold scores and measure calibration."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss


def fit_calibrator(oof_margin: np.ndarray, y: np.ndarray) -> dict:
    """Slope and intercept mapping out-of-fold log-odds to calibrated log-odds."""
    model = LogisticRegression(C=1e6).fit(oof_margin.reshape(-1, 1), y)  # C large: no shrinkage
    return {
        "method": "platt",
        "slope": float(model.coef_[0, 0]),
        "intercept": float(model.intercept_[0]),
    }


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |observed default rate - mean PD| over equal-count bins, weighted by bin size."""
    order = np.argsort(p, kind="stable")
    return float(
        sum(len(b) * abs(y[b].mean() - p[b].mean()) for b in np.array_split(order, bins)) / len(p)
    )


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Mean PD vs observed default rate per equal-count bin, for the report and its plot."""
    order = np.argsort(p, kind="stable")
    return [
        {"mean_pd": float(p[b].mean()), "default_rate": float(y[b].mean()), "clients": int(len(b))}
        for b in np.array_split(order, bins)
    ]


def calibration_metrics(y: np.ndarray, p: np.ndarray) -> dict:
    return {"brier": float(brier_score_loss(y, p)), "ece": expected_calibration_error(y, p)}
