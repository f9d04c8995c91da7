"""Features of the application itself: the loan asked, the client's means, age and work.

Takes typed columns (a DataFrame or credit.values.Columns) and returns plain arrays, so one
event and a whole table go through the same numpy code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from credit import input_policy
from credit.features.arith import divide
from credit.features.external_scores import FILLED, SCORES, WEIGHTS
from credit.schema import DAYS_SENTINEL

# Kept in the data for the fairness report, never a model input (credit/input_policy.json).
PROTECTED = input_policy.protected_fields()
# The source fields of every feature computed from others (a raw input's source is itself);
# the input policy judges a feature by them (credit.features.sources).
DERIVED_FROM = {
    "EMPLOYMENT_PENSIONER": ("DAYS_EMPLOYED", "NAME_INCOME_TYPE"),
    "EMPLOYMENT_NONE_DECLARED": ("DAYS_EMPLOYED", "NAME_INCOME_TYPE"),
    "CREDIT_INCOME_RATIO": ("AMT_CREDIT", "AMT_INCOME_TOTAL"),
    "ANNUITY_INCOME_RATIO": ("AMT_ANNUITY", "AMT_INCOME_TOTAL"),
    "CREDIT_TERM_MONTHS": ("AMT_CREDIT", "AMT_ANNUITY"),
    "CREDIT_GOODS_RATIO": ("AMT_CREDIT", "AMT_GOODS_PRICE"),
    "DOWN_PAYMENT_SHARE": ("AMT_CREDIT", "AMT_GOODS_PRICE"),
    "INCOME_PER_PERSON": ("AMT_INCOME_TOTAL", "CNT_FAM_MEMBERS"),
    "AGE_YEARS": ("DAYS_BIRTH",),
    "EMPLOYED_YEARS": ("DAYS_EMPLOYED",),
    "EMPLOYED_AGE_RATIO": ("DAYS_EMPLOYED", "DAYS_BIRTH"),
    "PHONE_CHANGE_AGE_RATIO": ("DAYS_LAST_PHONE_CHANGE", "DAYS_BIRTH"),
    "ID_PUBLISH_AGE_RATIO": ("DAYS_ID_PUBLISH", "DAYS_BIRTH"),
    "CAR_AGE_RATIO": ("OWN_CAR_AGE", "DAYS_BIRTH"),
    "DOCUMENT_COUNT": tuple(
        c for c in input_policy.application_inputs() if c.startswith("FLAG_DOCUMENT_")
    ),
    **{
        name: SCORES
        for name in (
            "EXT_SOURCE_MEAN",
            "EXT_SOURCE_MIN",
            "EXT_SOURCE_MAX",
            "EXT_SOURCE_STD",
            "EXT_SOURCE_PRODUCT",
            "EXT_SOURCE_WEIGHTED",
            "EXT_SOURCE_COUNT",
        )
    },
    # the estimate of a missing score reads other features, all of them the bundle's own inputs
    # (credit.bundle checks it), which the policy judges where they are inputs
    **dict.fromkeys(FILLED, SCORES),
}


def raw_inputs() -> dict[str, str]:
    """Application columns the features read, with their kind: the input policy's (do not modify:
    cached).

    Option-group fields (age, family, building) are read too; which features a model uses is
    chosen by the policy's group choices (credit.features.sources.model_features).
    """
    return input_policy.application_inputs()


def fit_vocabularies(applications) -> dict[str, list[str]]:
    """Category values seen in training, most frequent first; travels in the bundle."""
    return {
        column: applications[column].value_counts(sort=True).index.astype(str).tolist()
        for column, kind in raw_inputs().items()
        if kind == "category"
    }


def application_features(
    apps: Mapping, vocabularies: Mapping[str, list[str]]
) -> dict[str, np.ndarray]:
    """Model inputs from typed application columns, one value per application."""
    out = {}
    for column, kind in raw_inputs().items():
        if kind == "category":
            codes = {value: float(i) for i, value in enumerate(vocabularies[column])}
            out[column] = np.array(
                [codes.get(v, np.nan) for v in apps[column]], dtype="float64"
            )  # unseen: missing
        else:
            out[column] = np.asarray(apps[column], dtype="float64")
    out.update(_employment(out, np.asarray(apps["NAME_INCOME_TYPE"], dtype=object)))
    out.update(_ratios(out))
    out.update(_external_scores(out))
    return out


def _employment(f: dict[str, np.ndarray], income_type: np.ndarray) -> dict[str, np.ndarray]:
    """Kaggle's DAYS_EMPLOYED sentinel (365243) is no job: a pension when the income type says so,
    else none declared."""
    employed = f["DAYS_EMPLOYED"]
    sentinel = employed == DAYS_SENTINEL
    pensioner = income_type == "Pensioner"
    return {
        "DAYS_EMPLOYED": np.where(sentinel, np.nan, employed),
        "EMPLOYMENT_PENSIONER": (sentinel & pensioner).astype("float64"),
        "EMPLOYMENT_NONE_DECLARED": (sentinel & ~pensioner).astype("float64"),
    }


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
    scores = np.column_stack([f[c] for c in SCORES])
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
        "EXT_SOURCE_WEIGHTED": scores @ WEIGHTS / WEIGHTS.sum(),
        "EXT_SOURCE_COUNT": count,
    }


def _sum_present(matrix: np.ndarray) -> np.ndarray:
    """Row sums over known values; missing when a row has none."""
    return np.where((~np.isnan(matrix)).any(axis=1), np.nansum(matrix, axis=1), np.nan)
