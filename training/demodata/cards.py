"""credit_card_balance: monthly statements of approved revolving loans (cards)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.demodata.applications import Clients
from training.demodata.frames import sample_table
from training.demodata.linkage import MAX_MONTHS, MONTH, expand
from training.demodata.marginals import inverse_cdf
from training.demodata.signals import client_probability, days_past_due

_PARTS = ("ATM", "OTHER", "POS")
# One uniform per group: a month with many drawings also has large drawn amounts, and a
# large minimum instalment comes with large payments (comonotone: a choice, not measured).
_SAME_VALUE = [
    [f"{kind}_DRAWINGS_{part}_CURRENT" for kind in ("AMT", "CNT") for part in _PARTS],
    ["AMT_INST_MIN_REGULARITY", "AMT_PAYMENT_CURRENT", "AMT_PAYMENT_TOTAL_CURRENT"],
]


def card_loans(prev: pd.DataFrame) -> pd.DataFrame:
    return prev[
        (prev["NAME_CONTRACT_STATUS"] == "Approved")
        & (prev["NAME_CONTRACT_TYPE"] == "Revolving loans")
    ]


def generate_cards(
    profile: dict, prev: pd.DataFrame, clients: Clients, rng: np.random.Generator
) -> pd.DataFrame:
    """Months since the card was granted (the last MAX_MONTHS), one limit per card, DPD by
    TARGET."""
    cards = card_loans(prev)
    start = np.floor(cards["DAYS_DECISION"].to_numpy() / MONTH).astype("int64")
    shown = np.clip(-start, 1, MAX_MONTHS)
    card, rank = expand(shown)
    month = rank - shown[card]  # ..., -2, -1
    table = profile["tables"]["credit_card_balance"]
    rows = pd.DataFrame(sample_table(table, len(card), rng, same_value=_SAME_VALUE), copy=False)
    rows["SK_ID_PREV"] = cards["SK_ID_PREV"].to_numpy()[card]
    rows["SK_ID_CURR"] = ids = cards["SK_ID_CURR"].to_numpy()[card]
    rows["MONTHS_BALANCE"] = month
    limit = inverse_cdf(table["columns"]["AMT_CREDIT_LIMIT_ACTUAL"], rng.random(len(cards)))[card]
    _fit_balances(rows, limit, profile["derived"]["card_utilisation"], rng)
    _sum_drawings(rows)
    matured = rows["CNT_INSTALMENT_MATURE_CUM"].notna()
    rows["CNT_INSTALMENT_MATURE_CUM"] = np.where(matured, month - start[card], np.nan)
    rows["NAME_CONTRACT_STATUS"] = "Active"
    odds = client_probability(profile, "card_dpd", clients, ids)
    rows["SK_DPD"], rows["SK_DPD_DEF"] = days_past_due(profile, "card", odds, rng)
    return rows


def _fit_balances(
    rows: pd.DataFrame, limit: np.ndarray, utilisation: dict, rng: np.random.Generator
) -> None:
    # Balance = limit x measured utilisation; receivables follow the balance. The principal
    # share of the receivable (90-100 %) is a choice: the sample's columns were not linked.
    balance = np.round(limit * inverse_cdf(utilisation, rng.random(len(rows))), 3)
    rows["AMT_CREDIT_LIMIT_ACTUAL"] = limit
    rows["AMT_BALANCE"] = balance
    rows["AMT_RECIVABLE"] = rows["AMT_TOTAL_RECEIVABLE"] = balance
    rows["AMT_RECEIVABLE_PRINCIPAL"] = np.round(balance * rng.uniform(0.9, 1.0, len(rows)), 3)
    rows["AMT_INST_MIN_REGULARITY"] = rows["AMT_INST_MIN_REGULARITY"].clip(
        upper=np.maximum(balance, 0)
    )


def _sum_drawings(rows: pd.DataFrame) -> None:
    # Kaggle: the month's drawings are the ATM + other + POS drawings when those are known.
    for kind in ("AMT", "CNT"):
        parts = rows[[f"{kind}_DRAWINGS_{part}_CURRENT" for part in _PARTS]]
        known = parts.notna().all(axis=1)
        rows[f"{kind}_DRAWINGS_CURRENT"] = parts.sum(axis=1).where(
            known, rows[f"{kind}_DRAWINGS_CURRENT"]
        )
