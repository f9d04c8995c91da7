"""Distributions of relations between columns (lags, ratios, delays) the generator rebuilds rows
from."""

from __future__ import annotations

import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.marginals import measure_column


def _delay(f: pd.DataFrame) -> pd.Series:
    return f["DAYS_ENTRY_PAYMENT"] - f["DAYS_INSTALMENT"]


def _valid(*columns: pd.Series) -> pd.Series:
    ok = pd.Series(True, index=columns[0].index)
    for c in columns:
        ok &= c.notna() & (c != DAYS_SENTINEL)
    return ok


def _lag(f: pd.DataFrame, later: str, earlier: str) -> pd.Series:
    return (f[later] - f[earlier])[_valid(f[later], f[earlier])]


def _positive(values: pd.Series) -> pd.Series:
    return values[values > 0]


# name -> (table, kind, function of the table returning the values to profile)
DERIVED = {
    "application_credit_term": (
        "application",
        "number",
        lambda f: f["AMT_CREDIT"] / f["AMT_ANNUITY"],
    ),
    "application_credit_goods_ratio": (
        "application",
        "number",
        lambda f: f["AMT_CREDIT"] / f["AMT_GOODS_PRICE"],
    ),
    "installment_days_late": ("installments_payments", "number", lambda f: _positive(_delay(f))),
    "installment_days_early": (
        "installments_payments",
        "number",
        lambda f: -_delay(f)[_delay(f) <= 0],
    ),
    "installment_underpaid_fraction": (
        "installments_payments",
        "number",
        lambda f: (f["AMT_PAYMENT"] / f["AMT_INSTALMENT"])[f["AMT_PAYMENT"] < f["AMT_INSTALMENT"]],
    ),
    "pos_dpd_days": ("POS_CASH_balance", "number", lambda f: _positive(f["SK_DPD"])),
    "pos_dpd_def_given_dpd": (
        "POS_CASH_balance",
        "category",
        lambda f: (f["SK_DPD_DEF"] > 0)[f["SK_DPD"] > 0],
    ),
    "card_dpd_days": ("credit_card_balance", "number", lambda f: _positive(f["SK_DPD"])),
    "card_dpd_def_given_dpd": (
        "credit_card_balance",
        "category",
        lambda f: (f["SK_DPD_DEF"] > 0)[f["SK_DPD"] > 0],
    ),
    "card_utilisation": (
        "credit_card_balance",
        "number",
        lambda f: (f["AMT_BALANCE"] / f["AMT_CREDIT_LIMIT_ACTUAL"])[
            f["AMT_CREDIT_LIMIT_ACTUAL"] > 0
        ],
    ),
    "bureau_overdue_days": ("bureau", "number", lambda f: _positive(f["CREDIT_DAY_OVERDUE"])),
    "bureau_overdue_amount": ("bureau", "number", lambda f: _positive(f["AMT_CREDIT_SUM_OVERDUE"])),
    "bureau_balance_open_status": (
        "bureau_balance",
        "category",
        lambda f: f["STATUS"][f["STATUS"] != "C"],
    ),
    "previous_first_due_lag": (
        "previous_application",
        "number",
        lambda f: _lag(f, "DAYS_FIRST_DUE", "DAYS_DECISION"),
    ),
    "previous_termination_lag": (
        "previous_application",
        "number",
        lambda f: _lag(f, "DAYS_TERMINATION", "DAYS_LAST_DUE"),
    ),
    "previous_last_due_as_planned": (
        "previous_application",
        "category",
        lambda f: (f["DAYS_LAST_DUE"] == f["DAYS_LAST_DUE_1ST_VERSION"])[
            _valid(f["DAYS_LAST_DUE"], f["DAYS_LAST_DUE_1ST_VERSION"])
        ],
    ),
    "previous_total_payment_ratio": (
        "previous_application",
        "number",
        lambda f: (f["AMT_ANNUITY"] * f["CNT_PAYMENT"] / f["AMT_CREDIT"])[
            (f["CNT_PAYMENT"] > 0) & (f["AMT_CREDIT"] > 0)
        ],
    ),
}


def measure_derived(tables: dict[str, pd.DataFrame]) -> dict:
    """Profile of each derived quantity (NaN and infinities dropped), with its row count."""
    out = {}
    for name, (stem, kind, derive) in DERIVED.items():
        values = derive(tables[stem])
        values = (
            values[values.notna() & (values.abs() != float("inf"))] if kind == "number" else values
        )
        out[name] = measure_column(values, kind) | {"rows": int(len(values))}
    return out
