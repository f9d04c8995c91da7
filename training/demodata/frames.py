"""Whole tables: per-column profiles, optionally per stratum, and columns that go missing together."""
from __future__ import annotations

import numpy as np
import pandas as pd

from training.demodata.marginals import measure_column, rounded, sample_column

# Smaller strata are dropped: their quantiles would be little more than copies of real rows.
MIN_STRATUM_ROWS = 30
# Null indicators this correlated share one uniform, so e.g. the building block is missing as a whole.
NULL_GROUP_CORRELATION = 0.9


def measure_table(frame: pd.DataFrame, kinds: dict[str, str], by: str | None = None) -> dict:
    """Profile of a table; with `by`, also per stratum (a column of frame holding a label)."""
    columns = [c for c, kind in kinds.items() if kind not in ("key", "target")]
    profile = {"rows": len(frame), "columns": _measure_columns(frame, columns, kinds),
               "null_groups": null_groups(frame[columns])}
    if by:
        labels = frame[by].astype(str)
        sizes = labels.value_counts()
        kept = sizes[sizes >= MIN_STRATUM_ROWS]
        profile["strata"] = {"by": by, "groups": {
            label: {"rows": int(rows), "share": rounded(rows / kept.sum()),
                    "columns": _measure_columns(frame[labels == label], columns, kinds)}
            for label, rows in kept.items()}}
    return profile


def _measure_columns(frame: pd.DataFrame, columns: list[str], kinds: dict[str, str]) -> dict:
    return {column: measure_column(frame[column], kinds[column]) for column in columns}


def null_groups(frame: pd.DataFrame) -> list[list[str]]:
    """Groups of columns whose missingness is nearly the same event."""
    nulls = frame.isna()
    partial = [c for c in frame.columns if 0 < nulls[c].mean() < 1]
    if len(partial) < 2:
        return []
    corr = np.corrcoef(nulls[partial].to_numpy(dtype="float64"), rowvar=False)
    groups: list[list[int]] = []
    for i in range(len(partial)):
        home = next((g for g in groups if corr[i, g[0]] > NULL_GROUP_CORRELATION), None)
        home.append(i) if home is not None else groups.append([i])
    return [[partial[i] for i in g] for g in groups if len(g) > 1]


def sample_table(profile: dict, n: int, rng: np.random.Generator, labels: np.ndarray | None = None,
                 same_value: list[list[str]] = ()) -> dict[str, np.ndarray]:
    """Draw every profiled column for n rows, per stratum label when labels are given.

    Columns of one `same_value` group share their value uniform (comonotone, e.g. the
    _AVG/_MODE/_MEDI of one building measure); null groups share their missingness uniform.
    """
    null_u = _shared_uniforms(profile["null_groups"], n, rng)
    value_u = _shared_uniforms(same_value, n, rng)
    out = {}
    for column, overall in profile["columns"].items():
        u = value_u[column] if column in value_u else rng.random(n)
        nu = null_u[column] if column in null_u else rng.random(n)
        if labels is None:
            out[column] = sample_column(overall, u, nu, rng)
            continue
        values = np.full(n, np.nan, dtype=object if overall["kind"] == "category" else "float64")
        for label, group in profile["strata"]["groups"].items():
            rows = labels == label
            values[rows] = sample_column(group["columns"][column], u[rows], nu[rows], rng)
        out[column] = values
    return out


def _shared_uniforms(groups, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    shared = {}
    for group in groups:
        u = rng.random(n)
        shared.update({column: u for column in group})
    return shared


def draw_strata(profile: dict, rng: np.random.Generator, prefixes: np.ndarray | None = None,
                n: int | None = None) -> np.ndarray:
    """Stratum labels by their measured shares; with prefixes ("Refused"), only labels starting so."""
    groups = profile["strata"]["groups"]
    if prefixes is None:
        prefixes = np.full(n, "", dtype=object)
    labels = np.empty(len(prefixes), dtype=object)
    for prefix in np.unique(prefixes):
        names = [name for name in groups if name.startswith(prefix)]
        shares = np.array([groups[name]["share"] for name in names])
        rows = prefixes == prefix
        labels[rows] = np.array(names, dtype=object)[
            rng.choice(len(names), size=int(rows.sum()), p=shares / shares.sum())]
    return labels
