"""bureau (loans at other institutions) and bureau_balance (their monthly status)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.demodata.applications import Clients
from training.demodata.frames import sample_table
from training.demodata.linkage import MAX_MONTHS, MONTH, draw_counts, expand
from training.demodata.marginals import inverse_cdf
from training.demodata.signals import event_probability

FIRST_BUREAU_ID = 5000000  # Kaggle's SK_ID_BUREAU range starts here
# Share of bureau loans that report monthly statuses: a choice, the sample cannot tell
# (its bureau_balance rows are a random subset, 8 % of its bureau loans have any).
BALANCE_SHARE = 0.5
# Drawn from one uniform each, so a loan opened long ago also ended and was updated long ago,
# and its debt stays below its amount (comonotone: a choice that keeps dates in order).
_SAME_VALUE = [
    ["DAYS_CREDIT", "DAYS_CREDIT_ENDDATE", "DAYS_ENDDATE_FACT", "DAYS_CREDIT_UPDATE"],
    ["AMT_CREDIT_SUM", "AMT_CREDIT_SUM_DEBT", "AMT_ANNUITY"],
]


def generate_bureau(profile: dict, clients: Clients, rng: np.random.Generator) -> pd.DataFrame:
    """Loans per client as measured (understated: the sample's bureau rows are partial);
    defaulters have more active and more overdue loans, at the measured shares."""
    table = profile["tables"]["bureau"]
    client, _ = expand(draw_counts(profile["linkage"]["bureau"], len(clients.ids), rng))
    target, propensity = clients.target[client], clients.propensity[client]
    active = rng.random(len(client)) < event_probability(
        profile, "bureau_active", target, propensity
    )
    groups = table["strata"]["groups"]
    sold = rng.random(len(client)) < groups["Sold"]["share"] / (
        groups["Sold"]["share"] + groups["Closed"]["share"]
    )
    labels = np.where(active, "Active", np.where(sold, "Sold", "Closed")).astype(object)
    bureau = pd.DataFrame(sample_table(table, len(client), rng, labels, _SAME_VALUE), copy=False)
    bureau["CREDIT_ACTIVE"] = labels
    bureau.insert(0, "SK_ID_CURR", clients.ids[client])
    bureau.insert(1, "SK_ID_BUREAU", FIRST_BUREAU_ID + rng.permutation(len(client)))
    overdue = active & (
        rng.random(len(client)) < event_probability(profile, "bureau_overdue", target, propensity)
    )
    _set_overdue(bureau, overdue, profile["derived"], rng)
    _order_dates(bureau)
    return bureau


def _set_overdue(
    bureau: pd.DataFrame, overdue: np.ndarray, derived: dict, rng: np.random.Generator
) -> None:
    n = len(bureau)
    days = inverse_cdf(derived["bureau_overdue_days"], rng.random(n))
    amount = inverse_cdf(derived["bureau_overdue_amount"], rng.random(n))
    bureau["CREDIT_DAY_OVERDUE"] = np.where(overdue, days, 0.0)
    bureau["AMT_CREDIT_SUM_OVERDUE"] = np.where(overdue, amount, 0.0)
    worst = bureau["AMT_CREDIT_MAX_OVERDUE"]
    bureau["AMT_CREDIT_MAX_OVERDUE"] = np.where(overdue, np.fmax(worst, amount), worst)


def _order_dates(bureau: pd.DataFrame) -> None:
    # Opened before it ends, is closed or updated; nothing after the application day (0).
    opened = bureau["DAYS_CREDIT"]
    bureau["DAYS_CREDIT_ENDDATE"] = bureau["DAYS_CREDIT_ENDDATE"].clip(lower=opened)
    bureau["DAYS_ENDDATE_FACT"] = bureau["DAYS_ENDDATE_FACT"].clip(lower=opened, upper=0)
    bureau["DAYS_CREDIT_UPDATE"] = bureau["DAYS_CREDIT_UPDATE"].clip(lower=opened, upper=0)
    bureau["AMT_CREDIT_SUM_DEBT"] = bureau["AMT_CREDIT_SUM_DEBT"].clip(
        upper=bureau["AMT_CREDIT_SUM"]
    )


def generate_bureau_balance(
    profile: dict, bureau: pd.DataFrame, clients: Clients, rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly statuses from opening (or the last MAX_MONTHS) to month 0; C after closing."""
    loans = bureau[rng.random(len(bureau)) < BALANCE_SHARE]
    opened = np.floor(loans["DAYS_CREDIT"].to_numpy() / MONTH)
    months = np.minimum(1 - opened, MAX_MONTHS).astype("int64")
    loan, rank = expand(months)
    month = rank - months[loan] + 1  # ... -2, -1, 0
    closed = np.floor(loans["DAYS_ENDDATE_FACT"].to_numpy() / MONTH)[loan]  # NaN while active
    position = clients.position(loans["SK_ID_CURR"].to_numpy())[loan]
    status = _open_status(profile, clients.target[position], clients.propensity[position], rng)
    return pd.DataFrame(
        {
            "SK_ID_BUREAU": loans["SK_ID_BUREAU"].to_numpy()[loan],
            "MONTHS_BALANCE": month,
            "STATUS": np.where(month > closed, "C", status).astype(object),
        }
    )


def _open_status(
    profile: dict, target: np.ndarray, propensity: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    # Measured: the share of X (unknown) among months not closed, the late share (by TARGET)
    # among known months, and how late months spread over the bands 1..5.
    shares = dict(profile["derived"]["bureau_balance_open_status"]["values"])
    bands = np.array(list("12345"), dtype=object)
    band_p = np.array([shares.get(b, 0.0) for b in bands])
    n = len(target)
    late = rng.random(n) < event_probability(profile, "bureau_balance_late", target, propensity)
    status = np.where(late, bands[rng.choice(5, size=n, p=band_p / band_p.sum())], "0")
    return np.where(rng.random(n) < shares.get("X", 0.0), "X", status)
