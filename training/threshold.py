"""Choose the decision threshold that minimises the business cost of errors."""

from __future__ import annotations

import numpy as np


def cost_curve(
    y: np.ndarray,
    pd_: np.ndarray,
    cost_fn: float,
    cost_fp: float,
    thresholds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Average cost per application when refusing every PD >= t, for each threshold t.

    A missed default (granted, then defaulted) costs cost_fn; a good client refused costs cost_fp.
    """
    if thresholds is None:
        thresholds = np.round(np.arange(0.001, 1.0, 0.001), 3)
    order = np.argsort(pd_)
    sorted_pd, sorted_y = pd_[order], y[order]
    granted = np.searchsorted(sorted_pd, thresholds, side="left")  # rows with PD < t are granted
    missed_defaults = np.concatenate([[0], np.cumsum(sorted_y)])[granted]
    good_granted = granted - missed_defaults
    refused_good = (len(y) - sorted_y.sum()) - good_granted
    return thresholds, (cost_fn * missed_defaults + cost_fp * refused_good) / len(y)


def choose_threshold(y: np.ndarray, pd_: np.ndarray, cost_fn: float, cost_fp: float) -> float:
    thresholds, costs = cost_curve(y, pd_, cost_fn, cost_fp)
    return float(thresholds[int(np.argmin(costs))])


def cost_at(
    y: np.ndarray, pd_: np.ndarray, threshold: float, cost_fn: float, cost_fp: float
) -> float:
    return float(cost_curve(y, pd_, cost_fn, cost_fp, np.array([threshold]))[1][0])
