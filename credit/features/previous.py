"""The client's previous applications at Home Credit, with approved and refused ones apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.features.arith import divide
from credit.schema import DAYS_SENTINEL

_DAY_COLUMNS = (
    "DAYS_FIRST_DRAWING",
    "DAYS_FIRST_DUE",
    "DAYS_LAST_DUE_1ST_VERSION",
    "DAYS_LAST_DUE",
    "DAYS_TERMINATION",
)


def previous_features(previous: pd.DataFrame) -> pd.DataFrame:
    """Per-client aggregates of previous applications, prefixed PREV_."""
    status = previous["NAME_CONTRACT_STATUS"]
    days = {c: previous[c].where(previous[c] != DAYS_SENTINEL) for c in _DAY_COLUMNS}
    prev = previous.assign(
        **days,
        APPROVED=(status == "Approved").astype("float64"),
        REFUSED=(status == "Refused").astype("float64"),
        APPLICATION_CREDIT_RATIO=divide(previous["AMT_APPLICATION"], previous["AMT_CREDIT"]),
        RATE=estimated_annual_rate(
            previous["AMT_CREDIT"], previous["AMT_ANNUITY"], previous["CNT_PAYMENT"]
        ),
    )
    agg = prev.groupby("SK_ID_CURR").agg(
        PREV_COUNT=("SK_ID_PREV", "size"),
        PREV_APPROVED_COUNT=("APPROVED", "sum"),
        PREV_REFUSED_COUNT=("REFUSED", "sum"),
        PREV_DAYS_DECISION_LAST=("DAYS_DECISION", "max"),
        PREV_AMT_APPLICATION_MEAN=("AMT_APPLICATION", "mean"),
        PREV_APPLICATION_CREDIT_RATIO_MEAN=("APPLICATION_CREDIT_RATIO", "mean"),
        PREV_CNT_PAYMENT_MEAN=("CNT_PAYMENT", "mean"),
    )
    agg["PREV_REFUSED_SHARE"] = agg["PREV_REFUSED_COUNT"] / agg["PREV_COUNT"]
    approved = (
        prev[prev["APPROVED"] == 1]
        .groupby("SK_ID_CURR")
        .agg(
            PREV_APPROVED_CREDIT_MEAN=("AMT_CREDIT", "mean"),
            PREV_APPROVED_ANNUITY_MEAN=("AMT_ANNUITY", "mean"),
            PREV_APPROVED_RATE_MEAN=("RATE", "mean"),
            PREV_APPROVED_RATE_MAX=("RATE", "max"),
            PREV_APPROVED_LAST_DUE_MAX=("DAYS_LAST_DUE", "max"),
        )
    )
    refused = (
        prev[prev["REFUSED"] == 1]
        .groupby("SK_ID_CURR")
        .agg(
            PREV_REFUSED_APPLICATION_MEAN=("AMT_APPLICATION", "mean"),
            PREV_REFUSED_DAYS_DECISION_LAST=("DAYS_DECISION", "max"),
        )
    )
    return agg.join(approved).join(refused)


def estimated_annual_rate(credit: pd.Series, annuity: pd.Series, months: pd.Series) -> pd.Series:
    """Annual interest rate implied by a monthly annuity on a credit over a number of months.

    Solves annuity = credit * i / (1 - (1 + i) ** -n) for the monthly rate i by bisection,
    vectorised over all loans; missing where the loan terms do not define a rate.
    """
    c, a, n = (np.asarray(s, dtype="float64") for s in (credit, annuity, months))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        valid = (c > 0) & (a > 0) & (n > 0) & (a * n >= c)
        low, high = np.zeros_like(c), np.ones_like(c)
        for _ in range(50):  # 2**-50 of a 100 %/month bracket: far below a basis point
            mid = (low + high) / 2
            payment = c * mid / (1 - (1 + mid) ** -n)
            too_high = payment > a
            high, low = np.where(too_high, mid, high), np.where(too_high, low, mid)
        rate = (1 + (low + high) / 2) ** 12 - 1
    return pd.Series(np.where(valid, rate, np.nan), index=credit.index)
