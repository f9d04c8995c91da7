"""Monthly snapshots of previous point-of-sale and cash loans (POS_CASH_balance)."""

from __future__ import annotations

import pandas as pd


def pos_cash_features(pos: pd.DataFrame) -> pd.DataFrame:
    """Per-client aggregates of POS and cash loan months, prefixed POS_."""
    months = pos.assign(
        LATE=(pos["SK_DPD"] > 0).astype("float64"),
        COMPLETED=(pos["NAME_CONTRACT_STATUS"] == "Completed").astype("float64"),
    )
    agg = months.groupby("SK_ID_CURR").agg(
        POS_MONTH_COUNT=("MONTHS_BALANCE", "size"),
        POS_LOAN_COUNT=("SK_ID_PREV", "nunique"),
        POS_DPD_MAX=("SK_DPD", "max"),
        POS_DPD_MEAN=("SK_DPD", "mean"),
        POS_DPD_DEF_MAX=("SK_DPD_DEF", "max"),
        POS_LATE_MONTH_SHARE=("LATE", "mean"),
        POS_COMPLETED_MONTH_COUNT=("COMPLETED", "sum"),
    )
    latest = months.sort_values("MONTHS_BALANCE").groupby("SK_ID_PREV").tail(1)
    agg["POS_REMAINING_INSTALMENTS"] = latest.groupby("SK_ID_CURR")["CNT_INSTALMENT_FUTURE"].sum()
    return agg
