"""The client's history: aggregates of the six history tables, one row per client.

Computed in batch (training, and the loader of the client-history topic); the scorer only
looks them up, so the online path never recomputes an aggregate.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from credit.features.bureau import bureau_features
from credit.features.credit_card import credit_card_features
from credit.features.installments import installment_features
from credit.features.pos_cash import pos_cash_features
from credit.features.previous import previous_features

HISTORY_STEMS = ("bureau", "bureau_balance", "previous_application", "POS_CASH_balance",
                 "installments_payments", "credit_card_balance")

_AGGREGATORS: dict[str, Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame]] = {
    "bureau": lambda t: bureau_features(t["bureau"], t["bureau_balance"]),
    "previous applications": lambda t: previous_features(t["previous_application"]),
    "POS and cash loans": lambda t: pos_cash_features(t["POS_CASH_balance"]),
    "instalments": lambda t: installment_features(t["installments_payments"]),
    "credit cards": lambda t: credit_card_features(t["credit_card_balance"]),
}


def aggregate_history(tables: Mapping[str, pd.DataFrame], progress: Callable[[Iterable], Iterable] = iter) -> pd.DataFrame:
    """History features of every client with any history row, indexed by SK_ID_CURR."""
    parts = [aggregate(tables) for aggregate in progress(_AGGREGATORS.values())]
    history = pd.concat(parts, axis=1, join="outer").astype("float64").sort_index()
    history.index = history.index.astype("int64").rename("SK_ID_CURR")
    return history


def history_records(history: pd.DataFrame) -> Iterable[tuple[int, dict[str, float | None]]]:
    """(client id, record) for every client, as history_record gives them, in one pass over the frame."""
    known = history.astype(object).where(history.notna(), None)
    return zip(history.index.tolist(), known.to_dict("records"))


def history_record(history: pd.DataFrame, client_id: int) -> dict[str, float | None]:
    """One client's aggregates as a JSON-ready record (missing -> None), as on the client-history topic."""
    row = history.loc[client_id]
    return {name: (None if np.isnan(value) else float(value)) for name, value in row.items()}
