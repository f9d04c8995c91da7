"""Monthly snapshots of previous credit cards (credit_card_balance): use of the limit, lateness."""

from __future__ import annotations

import pandas as pd

from credit.features.arith import divide

RECENT_MONTHS = 12


def credit_card_features(cards: pd.DataFrame) -> pd.DataFrame:
    """Per-client aggregates of credit-card months, prefixed CC_."""
    months = cards.assign(
        UTILISATION=divide(cards["AMT_BALANCE"], cards["AMT_CREDIT_LIMIT_ACTUAL"]),
        PAID_TO_MINIMUM=divide(
            cards["AMT_PAYMENT_TOTAL_CURRENT"], cards["AMT_INST_MIN_REGULARITY"]
        ),
        LATE=(cards["SK_DPD"] > 0).astype("float64"),
    )
    agg = months.groupby("SK_ID_CURR").agg(
        CC_MONTH_COUNT=("MONTHS_BALANCE", "size"),
        CC_BALANCE_MEAN=("AMT_BALANCE", "mean"),
        CC_LIMIT_MEAN=("AMT_CREDIT_LIMIT_ACTUAL", "mean"),
        CC_UTILISATION_MEAN=("UTILISATION", "mean"),
        CC_UTILISATION_MAX=("UTILISATION", "max"),
        CC_DRAWINGS_MEAN=("AMT_DRAWINGS_CURRENT", "mean"),
        CC_PAID_TO_MINIMUM_MEAN=("PAID_TO_MINIMUM", "mean"),
        CC_DPD_MAX=("SK_DPD", "max"),
        CC_LATE_MONTH_SHARE=("LATE", "mean"),
    )
    recent = months[months["MONTHS_BALANCE"] >= -RECENT_MONTHS]
    agg["CC_RECENT_UTILISATION_MEAN"] = recent.groupby("SK_ID_CURR")["UTILISATION"].mean()
    return agg
