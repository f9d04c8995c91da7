"""Loans at other institutions (bureau) and their monthly status (bureau_balance)."""

from __future__ import annotations

import pandas as pd

from credit.features.arith import divide

# bureau_balance STATUS: 0 = on time, 1..5 = months-overdue bands; C (closed) and X (unknown) carry
# no delay.
_DELAY_BAND = {"0": 0.0, "1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0, "5": 5.0}


def bureau_features(bureau: pd.DataFrame, balance: pd.DataFrame) -> pd.DataFrame:
    """Per-client aggregates of the bureau loans, prefixed BUREAU_."""
    loans = bureau.join(_per_loan_status(balance), on="SK_ID_BUREAU")
    active = loans["CREDIT_ACTIVE"] == "Active"
    loans = loans.assign(
        ACTIVE=active.astype("float64"),
        ACTIVE_DEBT=loans["AMT_CREDIT_SUM_DEBT"].where(active),
        ACTIVE_CREDIT=loans["AMT_CREDIT_SUM"].where(active),
        OVERDUE=(loans["AMT_CREDIT_SUM_OVERDUE"] > 0).astype("float64"),
    )
    agg = loans.groupby("SK_ID_CURR").agg(
        BUREAU_LOAN_COUNT=("SK_ID_BUREAU", "size"),
        BUREAU_ACTIVE_COUNT=("ACTIVE", "sum"),
        BUREAU_DAYS_CREDIT_MEAN=("DAYS_CREDIT", "mean"),
        BUREAU_DAYS_CREDIT_LAST=("DAYS_CREDIT", "max"),
        BUREAU_ENDDATE_MAX=("DAYS_CREDIT_ENDDATE", "max"),
        BUREAU_CREDIT_SUM=("AMT_CREDIT_SUM", "sum"),
        BUREAU_ACTIVE_DEBT_SUM=("ACTIVE_DEBT", "sum"),
        BUREAU_ACTIVE_CREDIT_SUM=("ACTIVE_CREDIT", "sum"),
        BUREAU_OVERDUE_SUM=("AMT_CREDIT_SUM_OVERDUE", "sum"),
        BUREAU_OVERDUE_LOAN_COUNT=("OVERDUE", "sum"),
        BUREAU_MAX_OVERDUE=("AMT_CREDIT_MAX_OVERDUE", "max"),
        BUREAU_DAYS_OVERDUE_MAX=("CREDIT_DAY_OVERDUE", "max"),
        BUREAU_PROLONG_COUNT=("CNT_CREDIT_PROLONG", "sum"),
        BUREAU_ANNUITY_SUM=("AMT_ANNUITY", "sum"),
        BUREAU_STATUS_MONTHS=("STATUS_MONTHS", "sum"),
        BUREAU_STATUS_LATE_SHARE=("STATUS_LATE_SHARE", "mean"),
        BUREAU_STATUS_WORST=("STATUS_WORST", "max"),
    )
    agg["BUREAU_ACTIVE_DEBT_RATIO"] = divide(
        agg["BUREAU_ACTIVE_DEBT_SUM"], agg["BUREAU_ACTIVE_CREDIT_SUM"]
    )
    agg["BUREAU_ACTIVE_SHARE"] = agg["BUREAU_ACTIVE_COUNT"] / agg["BUREAU_LOAN_COUNT"]
    return agg


def _per_loan_status(balance: pd.DataFrame) -> pd.DataFrame:
    band = balance["STATUS"].map(_DELAY_BAND)
    return (
        balance.assign(BAND=band, LATE=(band > 0).astype("float64"))
        .groupby("SK_ID_BUREAU")
        .agg(
            STATUS_MONTHS=("MONTHS_BALANCE", "size"),
            STATUS_LATE_SHARE=("LATE", "mean"),
            STATUS_WORST=("BAND", "max"),
        )
    )
