"""Model quality on out-of-fold predictions: discrimination, errors at the threshold, fairness."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score


def confusion(y: np.ndarray, pd_: np.ndarray, threshold: float) -> dict:
    """Counts with 'positive' = default predicted (application refused)."""
    refused = pd_ >= threshold
    return {
        "refused_defaults_tp": int((refused & (y == 1)).sum()),
        "refused_good_fp": int((refused & (y == 0)).sum()),
        "granted_good_tn": int((~refused & (y == 0)).sum()),
        "granted_defaults_fn": int((~refused & (y == 1)).sum()),
    }


def fairness(
    y: np.ndarray, pd_: np.ndarray, threshold: float, groups: dict[str, pd.Series]
) -> dict:
    """Approval rate, TPR (defaults caught) and FPR (good clients refused) per group."""
    report = {}
    for attribute, values in groups.items():
        rows = {}
        ordered = (
            values.cat.categories
            if isinstance(values.dtype, pd.CategoricalDtype)
            else sorted(values.unique())
        )
        for group in ordered:
            mask = (values == group).to_numpy()
            if mask.any():
                rows[str(group)] = _rates(y[mask], pd_[mask], threshold)
        report[attribute] = rows
    return report


def _rates(y: np.ndarray, pd_: np.ndarray, threshold: float) -> dict:
    refused = pd_ >= threshold
    defaults, good = y == 1, y == 0
    return {
        "clients": int(len(y)),
        "default_rate": float(y.mean()) if len(y) else None,
        "approval_rate": float((~refused).mean()) if len(y) else None,
        "tpr": float(refused[defaults].mean()) if defaults.any() else None,
        "fpr": float(refused[good].mean()) if good.any() else None,
    }


def auc(y: np.ndarray, score: np.ndarray) -> float:
    return float(roc_auc_score(y, score))
