"""Features of the application itself: the loan asked, the client's means, age and work."""
from __future__ import annotations

import pandas as pd

from credit.features.arith import divide
from credit.tables import DAYS_SENTINEL, columns_of

# CODE_GENDER is a protected attribute: kept for the fairness report, never a model input.
PROTECTED = ("CODE_GENDER",)
# The building's _MODE and _MEDI statistics repeat the _AVG ones; keeping one set avoids
# splitting the same signal over three correlated columns.
_REDUNDANT_SUFFIXES = ("_MODE", "_MEDI")
_EXCLUDED = {"SK_ID_CURR", "TARGET", *PROTECTED}


def raw_inputs() -> dict[str, str]:
    """Application columns used as model inputs, with their kind."""
    return {
        column: kind
        for column, kind in columns_of("application_train").items()
        if column not in _EXCLUDED
        and not (column.endswith(_REDUNDANT_SUFFIXES) and kind == "number")
    }


def fit_vocabularies(applications: pd.DataFrame) -> dict[str, list[str]]:
    """Category values seen in training, most frequent first; travels in the bundle."""
    return {
        column: applications[column].value_counts(sort=True).index.astype(str).tolist()
        for column, kind in raw_inputs().items()
        if kind == "category"
    }


def application_features(apps: pd.DataFrame, vocabularies: dict[str, list[str]]) -> pd.DataFrame:
    """Model inputs from typed application rows (see credit.tables.coerce), one row per application."""
    out = {}
    for column, kind in raw_inputs().items():
        if kind == "category":
            codes = {value: float(i) for i, value in enumerate(vocabularies[column])}
            out[column] = apps[column].map(codes).astype("float64")  # unseen value -> missing
        else:
            out[column] = apps[column].astype("float64")
    employed = apps["DAYS_EMPLOYED"]
    out["DAYS_EMPLOYED_ANOM"] = (employed == DAYS_SENTINEL).astype("float64")
    out["DAYS_EMPLOYED"] = employed.where(employed != DAYS_SENTINEL)
    out.update(_ratios(apps, out["DAYS_EMPLOYED"]))
    out.update(_external_scores(apps))
    return pd.DataFrame(out, index=apps.index)


def _ratios(apps: pd.DataFrame, employed: pd.Series) -> dict[str, pd.Series]:
    credit, annuity, goods = apps["AMT_CREDIT"], apps["AMT_ANNUITY"], apps["AMT_GOODS_PRICE"]
    income, birth = apps["AMT_INCOME_TOTAL"], apps["DAYS_BIRTH"]
    documents = apps[[c for c in apps.columns if c.startswith("FLAG_DOCUMENT_")]]
    return {
        "CREDIT_INCOME_RATIO": divide(credit, income),
        "ANNUITY_INCOME_RATIO": divide(annuity, income),
        "CREDIT_TERM_MONTHS": divide(credit, annuity),
        "CREDIT_GOODS_RATIO": divide(credit, goods),
        "DOWN_PAYMENT_SHARE": divide(goods - credit, goods),
        "INCOME_PER_PERSON": divide(income, apps["CNT_FAM_MEMBERS"]),
        "AGE_YEARS": -birth / 365.25,
        "EMPLOYED_YEARS": -employed / 365.25,
        "EMPLOYED_AGE_RATIO": divide(employed, birth),
        "PHONE_CHANGE_AGE_RATIO": divide(apps["DAYS_LAST_PHONE_CHANGE"], birth),
        "ID_PUBLISH_AGE_RATIO": divide(apps["DAYS_ID_PUBLISH"], birth),
        "CAR_AGE_RATIO": divide(apps["OWN_CAR_AGE"] * -365.25, birth),
        "DOCUMENT_COUNT": documents.sum(axis=1, min_count=1),
    }


def _external_scores(apps: pd.DataFrame) -> dict[str, pd.Series]:
    scores = apps[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]]
    return {
        "EXT_SOURCE_MEAN": scores.mean(axis=1),
        "EXT_SOURCE_MIN": scores.min(axis=1),
        "EXT_SOURCE_MAX": scores.max(axis=1),
        "EXT_SOURCE_STD": scores.std(axis=1),
        "EXT_SOURCE_PRODUCT": scores.prod(axis=1, min_count=3),
        "EXT_SOURCE_WEIGHTED": (scores * [2.0, 1.0, 3.0]).sum(axis=1, min_count=3) / 6.0,
        "EXT_SOURCE_COUNT": scores.notna().sum(axis=1).astype("float64"),
    }

