"""POS_CASH_balance and installments_payments: the monthly life of approved instalment loans."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.applications import Clients
from training.demodata.linkage import MAX_MONTHS, MONTH, expand
from training.demodata.marginals import inverse_cdf, sample_column
from training.demodata.previous import DUE_STEP
from training.demodata.signals import client_probability, days_past_due


def instalment_loans(prev: pd.DataFrame) -> pd.DataFrame:
    """Approved cash and consumer loans with a payment plan that started before the application."""
    first_due = prev["DAYS_FIRST_DUE"]
    return prev[
        (prev["NAME_CONTRACT_STATUS"] == "Approved")
        & prev["NAME_CONTRACT_TYPE"].isin(["Cash loans", "Consumer loans"])
        & (prev["CNT_PAYMENT"] > 0)
        & (prev["AMT_ANNUITY"] > 0)
        & first_due.notna()
        & (first_due != DAYS_SENTINEL)
        & (first_due < 0)
    ]


def generate_installments(
    profile: dict, prev: pd.DataFrame, clients: Clients, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per instalment fallen due; late and short payments at the measured shares by
    TARGET."""
    loans = instalment_loans(prev)
    first_due, term = (
        loans["DAYS_FIRST_DUE"].to_numpy(),
        loans["CNT_PAYMENT"].to_numpy().astype("int64"),
    )
    due = np.minimum(term, (-first_due - 1) // DUE_STEP + 1).astype(
        "int64"
    )  # due dates before day 0
    loan, rank = expand(np.minimum(due, MAX_MONTHS))
    number = due[loan] - np.minimum(due, MAX_MONTHS)[loan] + rank + 1
    ids = loans["SK_ID_CURR"].to_numpy()[loan]
    out = {
        "SK_ID_PREV": loans["SK_ID_PREV"].to_numpy()[loan],
        "SK_ID_CURR": ids,
        "NUM_INSTALMENT_VERSION": _column(profile, "NUM_INSTALMENT_VERSION", len(loan), rng),
        "NUM_INSTALMENT_NUMBER": number,
        "DAYS_INSTALMENT": first_due[loan] + DUE_STEP * (number - 1),
        "AMT_INSTALMENT": loans["AMT_ANNUITY"].to_numpy()[loan],
    }
    out["DAYS_ENTRY_PAYMENT"] = _payment_days(profile, out["DAYS_INSTALMENT"], clients, ids, rng)
    out["AMT_PAYMENT"] = _payment_amounts(profile, out["AMT_INSTALMENT"], clients, ids, rng)
    return pd.DataFrame(out, copy=False)


def _column(profile: dict, column: str, n: int, rng: np.random.Generator) -> np.ndarray:
    marginal = profile["tables"]["installments_payments"]["columns"][column]
    return sample_column(marginal, rng.random(n), rng.random(n), rng)


def _payment_days(profile, due_days, clients, ids, rng) -> np.ndarray:
    n, derived = len(due_days), profile["derived"]
    late = rng.random(n) < client_probability(profile, "installment_late", clients, ids)
    delay = np.where(
        late,
        inverse_cdf(derived["installment_days_late"], rng.random(n)),
        -inverse_cdf(derived["installment_days_early"], rng.random(n)),
    )
    return np.minimum(due_days + delay, -1.0)


def _payment_amounts(profile, due_amounts, clients, ids, rng) -> np.ndarray:
    n = len(due_amounts)
    short = rng.random(n) < client_probability(profile, "installment_underpaid", clients, ids)
    paid = inverse_cdf(profile["derived"]["installment_underpaid_fraction"], rng.random(n))
    return np.round(np.where(short, due_amounts * paid, due_amounts), 3)


def generate_pos_cash(
    profile: dict, prev: pd.DataFrame, clients: Clients, rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly rows from the first due month to month -1, 'Completed' once no instalment is left."""
    loans = instalment_loans(prev)
    start = np.floor(loans["DAYS_FIRST_DUE"].to_numpy() / MONTH).astype("int64")
    term = loans["CNT_PAYMENT"].to_numpy().astype("int64")
    last = np.minimum(start + term, -1)
    shown = np.minimum(last - start + 1, MAX_MONTHS)
    loan, rank = expand(shown)
    month = last[loan] - shown[loan] + 1 + rank
    future = np.maximum(term[loan] - (month - start[loan]), 0)
    ids = loans["SK_ID_CURR"].to_numpy()[loan]
    dpd, dpd_def = days_past_due(
        profile, "pos", client_probability(profile, "pos_dpd", clients, ids), rng
    )
    return pd.DataFrame(
        {
            "SK_ID_PREV": loans["SK_ID_PREV"].to_numpy()[loan],
            "SK_ID_CURR": ids,
            "MONTHS_BALANCE": month,
            "CNT_INSTALMENT": term[loan].astype("float64"),
            "CNT_INSTALMENT_FUTURE": future.astype("float64"),
            "NAME_CONTRACT_STATUS": np.array(["Active", "Completed"], dtype=object)[
                (future == 0).astype("int64")
            ],
            "SK_DPD": dpd,
            "SK_DPD_DEF": dpd_def,
        },
        copy=False,
    )
