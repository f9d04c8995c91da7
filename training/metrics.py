"""All the numbers of the training report, computed from out-of-fold predictions."""

from __future__ import annotations

import numpy as np

from training.calibration import calibration_metrics, calibration_table
from training.evaluate import auc, confusion, fairness
from training.threshold import choose_threshold, cost_at, cost_curve


def model_metrics(y, cv, oof_pd, cost_fn: float, cost_fp: float, groups: dict) -> dict:
    raw_pd = 1.0 / (1.0 + np.exp(-cv.oof_margin))
    threshold = choose_threshold(y, oof_pd, cost_fn, cost_fp)
    thresholds, costs = cost_curve(y, oof_pd, cost_fn, cost_fp)
    return {
        "oof_auc": auc(y, oof_pd),
        "fold_auc": cv.fold_auc,
        "best_rounds": cv.best_rounds,
        "default_rate": float(y.mean()),
        "calibration_before": calibration_metrics(y, raw_pd),
        "calibration_after": calibration_metrics(y, oof_pd),
        "calibration_table": calibration_table(y, oof_pd),
        "threshold": threshold,
        "cost_per_application_at_threshold": cost_at(y, oof_pd, threshold, cost_fn, cost_fp),
        "cost_per_application_at_0_5": cost_at(y, oof_pd, 0.5, cost_fn, cost_fp),
        "cost_curve": {"threshold": thresholds.tolist(), "cost": costs.tolist()},
        "confusion_at_threshold": confusion(y, oof_pd, threshold),
        "confusion_at_0_5": confusion(y, oof_pd, 0.5),
        "fairness": fairness(y, oof_pd, threshold, groups),
    }
