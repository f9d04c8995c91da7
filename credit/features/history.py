"""The client's history: aggregates of the six history tables, one row per client.

Computed in batch (training, and the loader of the client-history topic); the scorer only
looks them up, so the online path never recomputes an aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from credit import input_policy
from credit.features.bureau import bureau_features
from credit.features.credit_card import credit_card_features
from credit.features.installments import installment_features
from credit.features.pos_cash import pos_cash_features
from credit.features.previous import previous_features

HISTORY_STEMS = (
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
)

# The tables each aggregator reads, and the aggregator.
_AGGREGATORS: tuple[
    tuple[tuple[str, ...], Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame]], ...
] = (
    (("bureau", "bureau_balance"), lambda t: bureau_features(t["bureau"], t["bureau_balance"])),
    (("previous_application",), lambda t: previous_features(t["previous_application"])),
    (("POS_CASH_balance",), lambda t: pos_cash_features(t["POS_CASH_balance"])),
    (("installments_payments",), lambda t: installment_features(t["installments_payments"])),
    (("credit_card_balance",), lambda t: credit_card_features(t["credit_card_balance"])),
)
# Feature name prefix -> the tables its aggregates read (longest prefix first), for the input
# policy.
SOURCE_TABLES = {
    "BUREAU_STATUS_": ("bureau", "bureau_balance"),
    "BUREAU_": ("bureau",),
    "PREV_": ("previous_application",),
    "POS_": ("POS_CASH_balance",),
    "INST_": ("installments_payments",),
    "CC_": ("credit_card_balance",),
}


def aggregate_history(
    tables: Mapping[str, pd.DataFrame], progress: Callable[[Iterable], Iterable] = iter
) -> pd.DataFrame:
    """History features of every client with any history row, indexed by SK_ID_CURR.

    Each aggregator sees only what the input policy admits: its tables when admitted, without
    their excluded fields (credit/input_policy.json), so an excluded field cannot be read.
    """
    admitted = {
        stem: tables[stem].drop(columns=input_policy.excluded_history_fields(stem), errors="ignore")
        for stem in input_policy.history_tables()
    }
    usable = [
        aggregate for stems, aggregate in _AGGREGATORS if all(stem in admitted for stem in stems)
    ]
    parts = [aggregate(admitted) for aggregate in progress(usable)]
    history = pd.concat(parts, axis=1, join="outer").astype("float64").sort_index()
    history.index = history.index.astype("int64").rename("SK_ID_CURR")
    return history


def history_records(history: pd.DataFrame) -> Iterable[tuple[int, dict[str, float | None]]]:
    """(client id, record) for every client, as client_histories gives them, in one pass over the
    frame."""
    known = history.astype(object).where(history.notna(), None)
    return zip(history.index.tolist(), known.to_dict("records"))


def client_histories(
    history: pd.DataFrame, client_ids: Iterable[int]
) -> dict[int, dict[str, float | None]]:
    """The records of those clients that have a history (client id -> JSON-ready aggregates, missing
    -> None), as the scorer finds them on the client-history topic."""
    return {
        client: {
            name: (None if np.isnan(value) else float(value))
            for name, value in history.loc[client].items()
        }
        for client in client_ids
        if client in history.index
    }
