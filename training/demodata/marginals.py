"""Marginal distributions of single columns: measured on real rows, sampled by inverse CDF.

A column profile is a small dict: null share, Kaggle's 365243 sentinel share, quantiles
(or value frequencies for categories and few-valued numbers) and the rounding to reproduce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL

# Finer steps in the tails so amounts and day counts keep their long tails.
QUANTILE_PROBS = (
    0.0,
    0.01,
    0.025,
    0.05,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.75,
    0.8,
    0.85,
    0.9,
    0.95,
    0.975,
    0.99,
    1.0,
)
# Numbers with this few distinct values are drawn from their frequencies: 21 quantiles
# cannot express the 0.3 % of FLAG_DOCUMENT_2 == 1 or keep REGION_RATING_CLIENT in {1, 2, 3}.
DISCRETE_MAX = 25


def rounded(x: float) -> float:
    """Six significant digits: enough for sampling, keeps the profile small."""
    return float(f"{x:.6g}")


def frequencies(values: pd.Series, by_value: bool = False) -> list[list]:
    """[[value, share], ...], most frequent first, or in ascending value order."""
    shares = values.value_counts(normalize=True, sort=True)
    shares = shares.sort_index() if by_value else shares
    return [[v.item() if hasattr(v, "item") else v, rounded(s)] for v, s in shares.items()]


def measure_column(values: pd.Series, kind: str) -> dict:
    """Profile of one column; kind is a kaggle_columns.json kind (flags count as categories)."""
    present = values.dropna()
    is_category = kind in ("category", "flag")
    profile = {
        "kind": "category" if is_category else "number",
        "null": rounded(1 - len(present) / max(len(values), 1)),
    }
    if is_category:
        return profile | {"values": frequencies(present.astype(str))}
    # How pandas stores the Kaggle column (DAYS_REGISTRATION is written "-3648.0"): kept on output.
    profile["int_dtype"] = bool(pd.api.types.is_integer_dtype(values))
    numbers = pd.to_numeric(present).astype("float64")
    sentinel = numbers == DAYS_SENTINEL
    if sentinel.any():
        profile["sentinel"] = rounded(sentinel.mean())
        numbers = numbers[~sentinel]
    return profile | (_numeric_shape(numbers) if len(numbers) else {})


def _numeric_shape(numbers: pd.Series) -> dict:
    integral = bool((numbers == numbers.round()).all())
    shape = {
        "integral": integral,
        "decimals": 0 if integral else _decimals(numbers),
        "quantiles": [rounded(q) for q in numbers.quantile(QUANTILE_PROBS)],
    }
    if numbers.nunique() <= DISCRETE_MAX:
        # Ascending, so the inverse CDF is monotone and copula / comonotone ranks carry over.
        shape["values"] = frequencies(numbers, by_value=True)
    return shape


def _decimals(numbers: pd.Series) -> int | None:
    # Amounts come in cents or half-units; scores such as EXT_SOURCE_* keep full precision.
    for digits in range(1, 5):
        if np.allclose(numbers, numbers.round(digits), rtol=0, atol=1e-9):
            return digits
    return None


def inverse_cdf(profile: dict, u: np.ndarray) -> np.ndarray:
    """Values at probabilities u of the non-null, non-sentinel part of a column."""
    if not profile.get("values") and "quantiles" not in profile:
        return np.full(len(u), np.nan)  # never present in this stratum
    if "values" in profile:
        values, shares = zip(*profile["values"])
        cumulative = np.cumsum(shares) / np.sum(shares)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(values) - 1)
        return np.asarray(values, dtype=object if profile["kind"] == "category" else "float64")[
            index
        ]
    values = np.interp(u, QUANTILE_PROBS, profile["quantiles"])
    digits = profile.get("decimals")
    return values if digits is None else np.round(values, digits)


def sample_column(
    profile: dict, u: np.ndarray, null_u: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draw a column from value uniforms u and missingness uniforms null_u (shared ones
    correlate)."""
    values = inverse_cdf(profile, u)
    if "sentinel" in profile:
        values = np.where(rng.random(len(u)) < profile["sentinel"], DAYS_SENTINEL, values)
    values = values.astype(object if profile["kind"] == "category" else "float64")
    values[null_u < profile["null"]] = np.nan
    return values
