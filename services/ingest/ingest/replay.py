"""Replaying a Kaggle application CSV as `ApplicationReceived` events, at a given rate.

Rows that fail validation are reported (row number, SK_ID_CURR, fields) and counted, never sent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from credit.events import ApplicationReceived
from ingest.publisher import Publisher


@dataclass
class ReplayReport:
    sent: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)


def row_to_application(row: dict[str, Any]) -> ApplicationReceived:
    """One CSV row (TARGET dropped, NaN -> None) as an event; ValidationError if it is not a valid
    application."""
    values = {k: _plain(v) for k, v in row.items() if k != "TARGET"}
    return ApplicationReceived.model_validate(values)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def read_rows(
    csv: Path, limit: int | None = None, chunk_rows: int = 1000
) -> Iterator[dict[str, Any]]:
    """The CSV's rows as records, read in chunks (a full Kaggle file never sits in memory twice)."""
    for chunk in pd.read_csv(csv, chunksize=chunk_rows, nrows=limit, low_memory=False):
        yield from chunk.to_dict("records")


def count_rows(csv: Path, limit: int | None = None) -> int:
    with open(csv, "rb") as handle:
        rows = max(0, sum(1 for _ in handle) - 1)
    return min(rows, limit) if limit is not None else rows


def replay(
    rows: Iterable[dict[str, Any]],
    publisher: Publisher,
    rate: float,
    progress: Callable[[int], None] = lambda n: None,
    clock=time.monotonic,
    sleep=time.sleep,
) -> ReplayReport:
    """Publishes valid rows at `rate` per second (in small acknowledged batches); counts refused
    rows."""
    report, batch, start = ReplayReport(), [], clock()
    batch_size = max(1, min(500, int(rate / 10)))
    for number, row in enumerate(rows, start=1):
        try:
            batch.append(row_to_application(row))
        except ValidationError as error:
            report.refused += 1
            report.problems.append(_describe(number, row, error))
        if len(batch) >= batch_size:
            _send(batch, publisher, report, progress)
            _pace(start, report.sent, rate, clock, sleep)
    _send(batch, publisher, report, progress)
    return report


def _send(
    batch: list, publisher: Publisher, report: ReplayReport, progress: Callable[[int], None]
) -> None:
    if batch:
        publisher.publish_all(batch)
        report.sent += len(batch)
        progress(len(batch))
        batch.clear()


def _pace(start: float, sent: int, rate: float, clock, sleep) -> None:
    ahead = start + sent / rate - clock()
    if ahead > 0:
        sleep(ahead)


def _describe(number: int, row: dict[str, Any], error: ValidationError) -> str:
    fields = "; ".join(
        f"{'.'.join(map(str, e['loc'])) or '-'}: {e['msg']}"
        for e in error.errors(include_input=False)
    )
    return f"row {number} (SK_ID_CURR {_plain(row.get('SK_ID_CURR'))}): {fields}"
