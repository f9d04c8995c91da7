"""Loading a model bundle's client-history aggregates onto the compacted `client-history` topic."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from credit.bundle import Bundle
from credit.events import HistoryRecorded
from credit.features.history import history_records
from credit.topics import CLIENT_HISTORY
from ingest.publisher import Publisher


def read_history(bundle: Bundle) -> pd.DataFrame:
    history = pd.read_parquet(bundle.file("history"))
    if "SK_ID_CURR" in history.columns:
        history = history.set_index("SK_ID_CURR")
    return history


def history_events(history: pd.DataFrame, fingerprint: str) -> Iterator[HistoryRecorded]:
    for client_id, record in history_records(history):
        yield HistoryRecorded(
            client_id=int(client_id), aggregates=record, computed_from=fingerprint
        )


def load_history(
    bundle: Bundle,
    publisher: Publisher,
    progress: Callable[[int], None] = lambda n: None,
    batch_size: int = 1000,
) -> int:
    """Publishes one HistoryRecorded per client of the bundle (key SK_ID_CURR); returns how many."""
    history = read_history(bundle)
    sent, batch = 0, []
    for event in history_events(history, bundle.manifest["data_fingerprint"]):
        batch.append(event)
        if len(batch) >= batch_size:
            publisher.publish_all(batch, topic=CLIENT_HISTORY)
            sent, batch = sent + len(batch), []
            progress(batch_size)
    if batch:
        publisher.publish_all(batch, topic=CLIENT_HISTORY)
        sent += len(batch)
        progress(len(batch))
    return sent
