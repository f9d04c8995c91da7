"""Features of the application itself: the loan asked, the client's means, age and work.

Takes typed columns (a DataFrame or credit.values.Columns) and returns plain arrays, so one
event and a whole table go through the same numpy code.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np

from credit.features.arith import divide
from credit.schema import DAYS_SENTINEL, columns_of

# CODE_GENDER is a protected attribute: kept for the fairness report, never a model input.
PROTECTED = ("CODE_GENDER",)
# The building's _MODE and _MEDI statistics repeat the _AVG ones; keeping one set avoids
# splitting the same signal over three correlated columns.
_REDUNDANT_SUFFIXES = ("_MODE", "_MEDI")
_EXCLUDED = {"SK_ID_CURR", "TARGET", *PROTECTED}
_EXT_WEIGHTS = np.array([2.0, 1.0, 3.0])


@cache
def raw_inputs() -> dict[str, str]:
    """Application columns used as model inputs, with their kind (do not modify: cached)."""
    return {
        column: kind
        for column, kind in columns_of("application_train").items()
        if column not in _EXCLUDED
        and not (column.endswith(_REDUNDANT_SUFFIXES) and kind == "number")
    }


def fit_vocabularies(applications) -> dict[str, list[str]]:
    """Category values seen in training, most frequent first; travels in the bundle."""
    return {
        column: applications[column].value_counts(sort=True).index.astype(str).tolist()
        for column, kind in raw_inputs().items()
        if kind == "category"
    }


def application_features(apps: Mapping, vocabularies: Mapping[str, list[str]]) -> dict[str, np.ndarray]:
    """Model inputs from typed application columns, one value per application."""
    out = {}
    for column, kind in raw_inputs().items():
        if kind == "category":
            codes = {value: float(i) for i, value in enumerate(vocabularies[column])}
            out[column] = np.array([codes.get(v, np.nan) for v in apps[column]], dtype="float64")  # unseen: missing
        else:
            out[column] = np.asarray(apps[column], dtype="float64")
    employed = out["DAYS_EMPLOYED"]
    out["DAYS_EMPLOYED_ANOM"] = (employed == DAYS_SENTINEL).astype("float64")
    out["DAYS_EMPLOYED"] = np.where(employed == DAYS_SENTINEL, np.nan, employed)
    out.update(_ratios(out))
    out.update(_external_scores(out))
    return out


def _ratios(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    credit, annuity, goods = f["AMT_CREDIT"], f["AMT_ANNUITY"], f["AMT_GOODS_PRICE"]
    income, birth, employed = f["AMT_INCOME_TOTAL"], f["DAYS_BIRTH"], f["DAYS_EMPLOYED"]
    documents = np.column_stack([f[c] for c in f if c.startswith("FLAG_DOCUMENT_")])
    return {
        "CREDIT_INCOME_RATIO": divide(credit, income),
        "ANNUITY_INCOME_RATIO": divide(annuity, income),
        "CREDIT_TERM_MONTHS": divide(credit, annuity),
        "CREDIT_GOODS_RATIO": divide(credit, goods),
        "DOWN_PAYMENT_SHARE": divide(goods - credit, goods),
        "INCOME_PER_PERSON": divide(income, f["CNT_FAM_MEMBERS"]),
        "AGE_YEARS": -birth / 365.25,
        "EMPLOYED_YEARS": -employed / 365.25,
        "EMPLOYED_AGE_RATIO": divide(employed, birth),
        "PHONE_CHANGE_AGE_RATIO": divide(f["DAYS_LAST_PHONE_CHANGE"], birth),
        "ID_PUBLISH_AGE_RATIO": divide(f["DAYS_ID_PUBLISH"], birth),
        "CAR_AGE_RATIO": divide(f["OWN_CAR_AGE"] * -365.25, birth),
        "DOCUMENT_COUNT": _sum_present(documents),
    }


def _external_scores(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    scores = np.column_stack([f["EXT_SOURCE_1"], f["EXT_SOURCE_2"], f["EXT_SOURCE_3"]])
    present = ~np.isnan(scores)
    count = present.sum(axis=1).astype("float64")
    mean = divide(_sum_present(scores), count)
    spread = np.sqrt(divide(np.nansum((scores - mean[:, None]) ** 2, axis=1), count - 1))
    return {
        "EXT_SOURCE_MEAN": mean,
        "EXT_SOURCE_MIN": np.fmin.reduce(scores, axis=1),  # fmin/fmax skip missing values
        "EXT_SOURCE_MAX": np.fmax.reduce(scores, axis=1),
        "EXT_SOURCE_STD": np.where(count >= 2, spread, np.nan),
        "EXT_SOURCE_PRODUCT": scores.prod(axis=1),  # missing unless all three are known
        "EXT_SOURCE_WEIGHTED": scores @ _EXT_WEIGHTS / _EXT_WEIGHTS.sum(),
        "EXT_SOURCE_COUNT": count,
    }


def _sum_present(matrix: np.ndarray) -> np.ndarray:
    """Row sums over known values; missing when a row has none."""
    return np.where((~np.isnan(matrix)).any(axis=1), np.nansum(matrix, axis=1), np.nan)
