"""Repayment history of previous loans (installments_payments): lateness and under-payment."""

from __future__ import annotations

import pandas as pd

from credit.features.arith import divide

_INSTALMENT = ["SK_ID_CURR", "SK_ID_PREV", "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER"]
RECENT_DAYS = 365  # "recent" window: instalments due in the last year


def installment_features(payments: pd.DataFrame) -> pd.DataFrame:
    """Per-client aggregates of instalments, prefixed INST_."""
    due = _per_instalment(payments)
    everything = _aggregate(due, "INST_")
    recent = _aggregate(due[due["DUE_DAY"] >= -RECENT_DAYS], "INST_RECENT_")
    return everything.join(
        recent[
            [
                "INST_RECENT_COUNT",
                "INST_RECENT_LATE_COUNT",
                "INST_RECENT_LATE_SHARE",
                "INST_RECENT_DAYS_LATE_MEAN",
                "INST_RECENT_UNDERPAID_SHARE",
            ]
        ]
    )


def _per_instalment(payments: pd.DataFrame) -> pd.DataFrame:
    """One row per instalment due: an instalment may be paid in several payments."""
    due = (
        payments.groupby(_INSTALMENT, dropna=False)
        .agg(
            DUE_DAY=("DAYS_INSTALMENT", "min"),
            DUE_AMOUNT=("AMT_INSTALMENT", "max"),
            PAID_AMOUNT=("AMT_PAYMENT", "sum"),
            PAID_DAY=("DAYS_ENTRY_PAYMENT", "max"),
        )
        .reset_index()
    )
    delay = due["PAID_DAY"] - due["DUE_DAY"]
    return due.assign(
        DAYS_LATE=delay.clip(lower=0),
        DAYS_EARLY=(-delay).clip(lower=0),
        LATE=(delay > 0).astype("float64"),
        UNDERPAID=(due["PAID_AMOUNT"] < due["DUE_AMOUNT"] - 0.01).astype(
            "float64"
        ),  # cent tolerance
        UNPAID_AMOUNT=(due["DUE_AMOUNT"] - due["PAID_AMOUNT"]).clip(lower=0),
        PAYMENT_RATIO=divide(due["PAID_AMOUNT"], due["DUE_AMOUNT"]),
    )


def _aggregate(due: pd.DataFrame, prefix: str) -> pd.DataFrame:
    agg = due.groupby("SK_ID_CURR").agg(
        COUNT=("DUE_DAY", "size"),
        LATE_COUNT=("LATE", "sum"),
        LATE_SHARE=("LATE", "mean"),
        DAYS_LATE_MEAN=("DAYS_LATE", "mean"),
        DAYS_LATE_MAX=("DAYS_LATE", "max"),
        DAYS_EARLY_MEAN=("DAYS_EARLY", "mean"),
        UNDERPAID_SHARE=("UNDERPAID", "mean"),
        UNPAID_AMOUNT_SUM=("UNPAID_AMOUNT", "sum"),
        PAYMENT_RATIO_MEAN=("PAYMENT_RATIO", "mean"),
    )
    return agg.add_prefix(prefix)
