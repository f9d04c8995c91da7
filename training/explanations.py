"""What the explainer and the dashboard need of the reference clients, computed at training.

- reference statistics that reason sentences compare a client with: feature medians, default
  rates by category and on each side of the median, and the percentiles of the external scores
  (a client's rank among all clients);
- every reference client's contributions per readable group, so the dashboard compares a
  client's explanation with similar clients' without recomputing them.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit.explain.contributions import TreeContributions
from credit.explain.explanation import group_members, grouped_points
from credit.explain.reference import value_key

MIN_CLIENTS = 30  # a default rate over fewer clients is too noisy to quote to anyone
FEW_VALUES = 12  # numeric features with at most this many values also get default rates by value
# features whose percentiles travel in the bundle, to rank a client among all clients
RANKED = "EXT_SOURCE_"
_CHUNK = 20_000


def reference_stats(
    frame: pd.DataFrame, target: np.ndarray, vocabularies: dict[str, list[str]]
) -> dict:
    """Medians of every feature (over clients where it is known), default rates by value and around
    the median, and the percentiles of the ranked features."""
    target = pd.Series(np.asarray(target, dtype="float64"), index=frame.index)
    rates = {}
    for column in frame.columns:
        if column in vocabularies or frame[column].nunique() <= FEW_VALUES:
            by_value = target.groupby(frame[column]).agg(["mean", "size"])
            by_value = by_value[by_value["size"] >= MIN_CLIENTS]["mean"]
            words = vocabularies.get(column)
            rates[column] = {
                words[int(v)] if words else value_key(v): round(float(r), 6)
                for v, r in by_value.items()
            }
    medians = frame.median(skipna=True)
    numeric = [c for c in frame.columns if c not in vocabularies and not np.isnan(medians[c])]
    return {
        "medians": {f: (None if np.isnan(v) else float(v)) for f, v in medians.items()},
        "default_rates": rates,
        "default_rate": round(float(target.mean()), 6),
        "around_median": {
            c: [_rate(target[frame[c] < medians[c]]), _rate(target[frame[c] > medians[c]])]
            for c in numeric
        },
        "quantiles": {
            c: [float(q) for q in frame[c].quantile(np.linspace(0, 1, 101))]
            for c in numeric
            if c.startswith(RANKED)
        },
    }


def _rate(target: pd.Series) -> float | None:
    """Share of defaults among these clients; None when they are too few to quote."""
    return round(float(target.mean()), 6) if len(target) >= MIN_CLIENTS else None


def reference_contributions(
    booster: lgb.Booster,
    calibrator: dict,
    x: np.ndarray,
    features: list[str],
    client_ids: np.ndarray,
    progress=iter,
) -> tuple[pd.DataFrame, float]:
    """Per-client PD and grouped contributions (probability points) of the final model; and the base
    value."""
    explainer, members = TreeContributions(booster, calibrator), group_members(features)
    parts, base = [], None
    for start in progress(range(0, len(x), _CHUNK)):
        result = explainer.explain(x[start : start + _CHUNK])
        parts.append(np.column_stack([result.probability, grouped_points(result.points, members)]))
        base = result.base_value
    table = pd.DataFrame(np.vstack(parts).astype("float32"), columns=["PD", *members])
    table.insert(0, "SK_ID_CURR", np.asarray(client_ids))
    return table, base
