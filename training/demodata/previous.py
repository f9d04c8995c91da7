"""previous_application: earlier Home Credit applications of each client."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.applications import Clients
from training.demodata.frames import draw_strata, sample_table
from training.demodata.linkage import draw_counts, expand
from training.demodata.marginals import inverse_cdf
from training.demodata.signals import event_probability

FIRST_PREV_ID = 1000001  # Kaggle's SK_ID_PREV range starts here
DUE_STEP = 30  # Kaggle counts instalment due dates in 30-day steps
_AMOUNTS = [["AMT_APPLICATION", "AMT_CREDIT", "AMT_GOODS_PRICE"]]


def generate_previous(profile: dict, clients: Clients, rng: np.random.Generator) -> pd.DataFrame:
    """Rows per client as measured; refusals more frequent for defaulters (measured shares)."""
    table = profile["tables"]["previous_application"]
    client, _ = expand(
        draw_counts(profile["linkage"]["previous_application"], len(clients.ids), rng)
    )
    refused = rng.random(len(client)) < event_probability(
        profile, "previous_refused", clients.target[client], clients.propensity[client]
    )
    statuses, other = _other_statuses(table, len(client), rng)
    status = np.where(refused, len(statuses), other)
    labels = draw_strata(table, rng, status, tuple(f"{s}|" for s in (*statuses, "Refused")))
    prev = pd.DataFrame(
        sample_table(table, len(client), rng, labels, same_value=_AMOUNTS), copy=False
    )
    parts = pd.Series(labels).str.split("|", n=1, expand=True)  # only a handful of distinct labels
    prev["NAME_CONTRACT_STATUS"], prev["NAME_CONTRACT_TYPE"] = (
        parts[0].to_numpy(),
        parts[1].to_numpy(),
    )
    prev.insert(0, "SK_ID_PREV", FIRST_PREV_ID + rng.permutation(len(client)))
    prev.insert(1, "SK_ID_CURR", clients.ids[client])
    _fit_annuity(prev, profile["derived"]["previous_total_payment_ratio"], rng)
    _fit_due_dates(prev, profile["derived"], rng)
    return prev


def _other_statuses(table: dict, n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Approved / Canceled / Unused offer at their measured proportions among non-refusals
    (codes)."""
    shares: dict[str, float] = {}
    for label, group in table["strata"]["groups"].items():
        status = label.split("|")[0]
        if status != "Refused":
            shares[status] = shares.get(status, 0.0) + group["share"]
    p = np.array(list(shares.values()))
    return list(shares), rng.choice(len(p), size=n, p=p / p.sum())


def _fit_annuity(prev: pd.DataFrame, payment_ratio: dict, rng: np.random.Generator) -> None:
    # annuity = credit x (total repaid / credit) / number of payments: below the credit, as in
    # Kaggle.
    credit, count = prev["AMT_CREDIT"], prev["CNT_PAYMENT"]
    ratio = inverse_cdf(payment_ratio, rng.random(len(prev)))
    derived = (credit * ratio / count).round(3)
    has_plan = (count > 0) & (credit > 0) & prev["AMT_ANNUITY"].notna()
    prev["AMT_ANNUITY"] = (
        prev["AMT_ANNUITY"].where(~has_plan, derived).clip(upper=credit.where(credit > 0))
    )
    # Measured: no credit amount, no payment plan (canceled and some refused applications).
    prev.loc[credit == 0, ["AMT_ANNUITY", "CNT_PAYMENT"]] = np.nan


def _fit_due_dates(prev: pd.DataFrame, derived: dict, rng: np.random.Generator) -> None:
    """For loans with a payment plan: decision, first drawing and due, planned and actual end, in
    order."""
    first_due = prev["DAYS_FIRST_DUE"].to_numpy(dtype="float64")
    planned = (
        np.isfinite(first_due) & (first_due != DAYS_SENTINEL) & (prev["CNT_PAYMENT"].to_numpy() > 0)
    )
    dates = _plan_dates(prev, derived, rng)
    drawing = prev["DAYS_FIRST_DRAWING"].to_numpy(dtype="float64")
    dates["DAYS_FIRST_DRAWING"] = np.where(
        drawing == DAYS_SENTINEL, drawing, dates["DAYS_FIRST_DRAWING"]
    )
    for column, values in dates.items():
        prev[column] = np.where(planned, values, prev[column])


def _plan_dates(
    prev: pd.DataFrame, derived: dict, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = len(prev)
    decision = prev["DAYS_DECISION"].to_numpy(dtype="float64")
    lag = inverse_cdf(derived["previous_first_due_lag"], rng.random(n))
    first_due = np.minimum(decision + lag, -1)
    last_planned = first_due + DUE_STEP * (prev["CNT_PAYMENT"].to_numpy(dtype="float64") - 1)
    # A plan still running at application time has no end yet (the sentinel); an ended one
    # ended as planned at the measured share, else early (repaid ahead of schedule).
    as_planned = rng.random(n) < _share_true(derived["previous_last_due_as_planned"])
    early = np.floor(first_due + rng.random(n) * (last_planned - first_due))
    running = last_planned >= 0
    last_due = np.where(running, DAYS_SENTINEL, np.where(as_planned, last_planned, early))
    ended = last_due + inverse_cdf(derived["previous_termination_lag"], rng.random(n))
    return {
        "DAYS_FIRST_DRAWING": np.floor(decision + lag * rng.random(n)),
        "DAYS_FIRST_DUE": first_due,
        "DAYS_LAST_DUE_1ST_VERSION": last_planned,
        "DAYS_LAST_DUE": last_due,
        "DAYS_TERMINATION": np.where(running, DAYS_SENTINEL, np.minimum(ended, -1)),
    }


def _share_true(profile: dict) -> float:
    return dict(profile["values"]).get("True", 0.0)
