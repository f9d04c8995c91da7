"""Kaggle's DAYS_EMPLOYED == 365243 ("not employed / unknown"): who gets it.

In the sample every sentinel row is a pensioner, so the sentinel share is measured per
age decile and drawn from the generated age.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.marginals import rounded

AGE_BINS = 10


def employment_label(days_employed: pd.Series) -> pd.Series:
    """Stratum of an application row: 'sentinel' or 'employed'."""
    return pd.Series(
        np.where(days_employed == DAYS_SENTINEL, "sentinel", "employed"), index=days_employed.index
    )


def measure_sentinel(apps: pd.DataFrame) -> dict:
    """Overall sentinel share and its share per DAYS_BIRTH decile."""
    sentinel = apps["DAYS_EMPLOYED"] == DAYS_SENTINEL
    edges = apps["DAYS_BIRTH"].quantile(np.linspace(0, 1, AGE_BINS + 1)).to_numpy()
    bins = np.clip(np.searchsorted(edges[1:-1], apps["DAYS_BIRTH"], side="right"), 0, AGE_BINS - 1)
    by_bin = sentinel.groupby(bins).mean().reindex(range(AGE_BINS), fill_value=0.0)
    return {
        "share": rounded(sentinel.mean()),
        "age_edges": [rounded(e) for e in edges],
        "share_by_age_bin": [rounded(s) for s in by_bin],
    }


def draw_sentinel(profile: dict, days_birth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean: which generated clients get the sentinel, given their DAYS_BIRTH."""
    edges = np.asarray(profile["age_edges"])
    bins = np.clip(np.searchsorted(edges[1:-1], days_birth, side="right"), 0, AGE_BINS - 1)
    return rng.random(len(days_birth)) < np.asarray(profile["share_by_age_bin"])[bins]
