"""How histories differ between defaulters and the rest: row events measured by TARGET.

Each event is measured on the history rows that link to a train client, separately for
TARGET = 1 and 0; the generator draws the same events at the shares of the client's class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from training.demodata.marginals import inverse_cdf, rounded

_LATE_BANDS = list("12345")


class Event(NamedTuple):
    table: str
    definition: str
    happened: Callable[[pd.DataFrame], pd.Series]
    among: Callable[[pd.DataFrame], pd.Series] | None = None


EVENTS = {
    "installment_late": Event(
        "installments_payments",
        "DAYS_ENTRY_PAYMENT > DAYS_INSTALMENT",
        lambda f: f["DAYS_ENTRY_PAYMENT"] > f["DAYS_INSTALMENT"],
    ),
    "installment_underpaid": Event(
        "installments_payments",
        "AMT_PAYMENT < AMT_INSTALMENT",
        lambda f: f["AMT_PAYMENT"] < f["AMT_INSTALMENT"],
    ),
    "previous_refused": Event(
        "previous_application",
        "NAME_CONTRACT_STATUS == 'Refused'",
        lambda f: f["NAME_CONTRACT_STATUS"] == "Refused",
    ),
    "bureau_active": Event(
        "bureau", "CREDIT_ACTIVE == 'Active'", lambda f: f["CREDIT_ACTIVE"] == "Active"
    ),
    "bureau_overdue": Event(
        "bureau",
        "CREDIT_DAY_OVERDUE > 0 among active loans",
        lambda f: f["CREDIT_DAY_OVERDUE"] > 0,
        lambda f: f["CREDIT_ACTIVE"] == "Active",
    ),
    "bureau_balance_late": Event(
        "bureau_balance",
        "STATUS in 1..5 among months not C/X",
        lambda f: f["STATUS"].isin(_LATE_BANDS),
        lambda f: ~f["STATUS"].isin(["C", "X"]),
    ),
    "pos_dpd": Event("POS_CASH_balance", "SK_DPD > 0", lambda f: f["SK_DPD"] > 0),
    "card_dpd": Event("credit_card_balance", "SK_DPD > 0", lambda f: f["SK_DPD"] > 0),
}


def _rows_with_client(tables: dict[str, pd.DataFrame], stem: str) -> pd.DataFrame:
    if stem != "bureau_balance":
        return tables[stem]
    return tables[stem].merge(
        tables["bureau"][["SK_ID_BUREAU", "SK_ID_CURR"]], on="SK_ID_BUREAU", how="left"
    )


def measure_signals(tables: dict[str, pd.DataFrame], target: pd.Series) -> dict:
    """Per event: share on all rows, and on rows of TARGET = 1 / 0 clients (target indexed by
    SK_ID_CURR)."""
    out = {}
    for name, event in EVENTS.items():
        rows = _rows_with_client(tables, event.table)
        if event.among is not None:
            rows = rows[event.among(rows)]
        happened = event.happened(rows).to_numpy()
        client_target = rows["SK_ID_CURR"].map(target).to_numpy()
        out[name] = {
            "table": event.table,
            "definition": event.definition,
            "rows": len(rows),
            "share": rounded(happened.mean()),
            **{
                f"target{t}": _class_figures(happened, rows["SK_ID_CURR"], client_target == t)
                for t in (1, 0)
            },
        }
    return out


def _class_figures(happened: np.ndarray, clients: pd.Series, mask: np.ndarray) -> dict:
    return {
        "rows": int(mask.sum()),
        "clients": int(clients[mask].nunique()),
        "events": int(happened[mask].sum()),
        "share": rounded(happened[mask].mean()) if mask.any() else None,
    }


def class_shares(profile: dict, name: str) -> tuple[float, float]:
    """(share for TARGET=0, share for TARGET=1) of an event, as measured.

    Where the sample shows no lift for defaulters (too few events to tell), defaulters
    get 1.5x the TARGET=0 share: a plausible choice, not a measurement.
    """
    figures = profile["signals"][name]
    share0 = figures["target0"]["share"] or figures["share"]
    share1 = figures["target1"]["share"] or 0.0
    return share0, share1 if share1 > share0 else min(1.5 * share0, 1.0)


def event_probability(
    profile: dict, name: str, target: np.ndarray, propensity: np.ndarray
) -> np.ndarray:
    """Per-client probability of an event on each of its rows: the class share times the
    client's history propensity (mean 1), so some clients are chronically late and others never."""
    share0, share1 = class_shares(profile, name)
    return np.clip(np.where(target == 1, share1, share0) * propensity, 0.0, 1.0)


def client_probability(profile: dict, name: str, clients, ids: np.ndarray) -> np.ndarray:
    """event_probability for the clients owning rows with these SK_ID_CURR."""
    position = clients.position(ids)
    return event_probability(profile, name, clients.target[position], clients.propensity[position])


def days_past_due(profile: dict, prefix: str, odds: np.ndarray, rng: np.random.Generator):
    """SK_DPD (measured days when late) and SK_DPD_DEF (the measured share of late rows that
    count)."""
    derived, n = profile["derived"], len(odds)
    late = rng.random(n) < odds
    dpd = np.where(late, inverse_cdf(derived[f"{prefix}_dpd_days"], rng.random(n)), 0).astype(
        "int64"
    )
    counts = rng.random(n) < dict(derived[f"{prefix}_dpd_def_given_dpd"]["values"]).get("True", 0.0)
    return dpd, np.where(counts, dpd, 0)
