"""Whole tables: per-column profiles, optionally per stratum, and columns that go missing
together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.demodata.marginals import measure_column, rounded, sample_column

# Smaller strata are dropped: their quantiles would be little more than copies of real rows.
MIN_STRATUM_ROWS = 30
# Null indicators this correlated share one uniform, so e.g. the building block is missing as a
# whole.
NULL_GROUP_CORRELATION = 0.9


def measure_table(frame: pd.DataFrame, kinds: dict[str, str], by: str | None = None) -> dict:
    """Profile of a table; with `by`, also per stratum (a column of frame holding a label)."""
    columns = [c for c, kind in kinds.items() if kind not in ("key", "target")]
    profile = {
        "rows": len(frame),
        "columns": _measure_columns(frame, columns, kinds),
        "null_groups": null_groups(frame[columns]),
    }
    if by:
        labels = frame[by].astype(str)
        sizes = labels.value_counts()
        kept = sizes[sizes >= MIN_STRATUM_ROWS]
        profile["strata"] = {
            "by": by,
            "groups": {
                label: {
                    "rows": int(rows),
                    "share": rounded(rows / kept.sum()),
                    "columns": _measure_columns(frame[labels == label], columns, kinds),
                }
                for label, rows in kept.items()
            },
        }
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


def sample_table(
    profile: dict,
    n: int,
    rng: np.random.Generator,
    labels: np.ndarray | None = None,
    same_value: list[list[str]] = (),
) -> dict[str, np.ndarray]:
    """Draw every profiled column for n rows, per stratum label when labels are given.

    Columns of one `same_value` group share their value uniform (comonotone, e.g. the
    _AVG/_MODE/_MEDI of one building measure); null groups share their missingness uniform.
    """
    null_u = _shared_uniforms(profile["null_groups"], n, rng)
    value_u = _shared_uniforms(same_value, n, rng)
    strata = _rows_by_label(labels, profile)
    out = {}
    for column, overall in profile["columns"].items():
        u = value_u[column] if column in value_u else rng.random(n)
        nu = null_u[column] if column in null_u else rng.random(n)
        out[column] = (
            sample_column(overall, u, nu, rng)
            if strata is None
            else _sample_by_stratum(profile, column, strata, u, nu, rng)
        )
    return out


def _sample_by_stratum(profile: dict, column: str, strata: dict, u, nu, rng) -> np.ndarray:
    kind = profile["columns"][column]["kind"]
    values = np.full(len(u), np.nan, dtype=object if kind == "category" else "float64")
    for label, rows in strata.items():
        group = profile["strata"]["groups"][label]["columns"][column]
        values[rows] = sample_column(group, u[rows], nu[rows], rng)
    return values


def _rows_by_label(labels: np.ndarray | None, profile: dict) -> dict[str, np.ndarray] | None:
    if labels is None:
        return None
    codes, names = pd.factorize(labels)  # once, not one string comparison per column
    return {
        name: np.flatnonzero(codes == i)
        for i, name in enumerate(names)
        if name in profile["strata"]["groups"]
    }


def _shared_uniforms(groups, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    shared = {}
    for group in groups:
        u = rng.random(n)
        shared.update({column: u for column in group})
    return shared


def draw_strata(
    profile: dict, rng: np.random.Generator, prefix_codes: np.ndarray, prefixes: tuple[str, ...]
) -> np.ndarray:
    """Stratum labels by their measured shares; row i only gets labels starting with
    prefixes[prefix_codes[i]]."""
    groups = profile["strata"]["groups"]
    names = np.array(list(groups), dtype=object)
    chosen = np.zeros(len(prefix_codes), dtype="int64")
    for code, prefix in enumerate(prefixes):
        candidates = np.flatnonzero([name.startswith(prefix) for name in names])
        shares = np.array([groups[name]["share"] for name in names[candidates]])
        rows = np.flatnonzero(prefix_codes == code)
        chosen[rows] = candidates[
            rng.choice(len(candidates), size=len(rows), p=shares / shares.sum())
        ]
    return names[chosen]
