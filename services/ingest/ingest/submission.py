"""Submitting a validated batch: each application_id is published once, with one content.

A repeat of an accepted application (same id, same Kaggle columns) is a harmless duplicate:
accepted again, not published again. The same id with other columns is refused (409). The meter
counts every application received as exactly one of: sent, duplicates, unavailable (503).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from credit.events import ApplicationReceived
from credit.monitoring import Meter
from ingest.errors import ApiError, FieldError
from ingest.idempotency import Conflict, Encoded, Ledger, Reservation, encode, unique
from ingest.publisher import BrokerUnavailable, Publisher

log = logging.getLogger(__name__)
_POLL_S = 0.05
_RETRY = {"Retry-After": "5"}


class Accepted(BaseModel):
    accepted: int
    application_ids: list[str]
    duplicates: int = (
        0  # of them, applications already accepted (or repeated in the batch): not published again
    )


async def submit(
    events: Sequence[ApplicationReceived],
    publisher: Publisher,
    ledger: Ledger,
    meter: Meter,
    wait_s: float,
) -> Accepted:
    """Publishes the batch's new applications; 409 on an id reused with other content, 503 if the
    broker is down or another request is still publishing one of them after wait_s."""
    ids = [event.application_id for event in events]
    try:
        # each event serialised once: its bytes are both its fingerprint's text and what is sent
        batch, repeats = unique([encode(event) for event in events])
        reservation = await _reserve(ledger, batch, wait_s)
    except Conflict as conflict:
        raise _conflict(ids, conflict.ids) from None
    duplicates = repeats + reservation.duplicates
    with meter.handling(len(ids)):
        if duplicates:
            meter.count("duplicates", duplicates)
        if reservation.pending:
            meter.count("unavailable", len(ids) - duplicates)
            raise _pending(ids, reservation.pending)
        try:
            await run_in_threadpool(_publish, publisher, ledger, reservation)
        except BrokerUnavailable as error:
            meter.count("unavailable", len(ids) - duplicates)
            raise _broker_down(ids, error) from error
        meter.count("sent", len(reservation.new))
    log.info(
        "accepted %d application(s), %d duplicate(s): %s", len(ids), duplicates, ", ".join(ids)
    )
    return Accepted(accepted=len(ids), application_ids=ids, duplicates=duplicates)


async def _reserve(ledger: Ledger, batch: list[Encoded], wait_s: float) -> Reservation:
    """The batch reserved, waiting (at most wait_s) while another request is publishing one of its
    ids."""
    deadline = time.monotonic() + wait_s
    while (
        reservation := await run_in_threadpool(ledger.reserve, batch)
    ).pending and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_S)
    return reservation


def _publish(publisher: Publisher, ledger: Ledger, reservation: Reservation) -> None:
    """Publishes the reserved applications; their ids are released if that fails, so a resubmission
    publishes."""
    try:
        if reservation.new:
            publisher.publish_all(
                [item.event for item in reservation.new],
                values=[item.value for item in reservation.new],
            )
    except BaseException:
        ledger.release(reservation)
        raise
    ledger.published(reservation)


def _conflict(ids: list[str], reused: list[str]) -> ApiError:
    errors = [
        FieldError(
            index=index,
            field="application_id",
            type="application_id_conflict",
            message=f"application_id {id_!r} is already used by another application "
            "(other values); a new application needs a new id",
        )
        for index, id_ in enumerate(ids)
        if id_ in reused
    ]
    return ApiError(
        409,
        "application_id_conflict",
        f"application_id {', '.join(reused)} already used by another "
        "application; nothing was published",
        errors,
    )


def _broker_down(ids: list[str], error: BrokerUnavailable) -> ApiError:
    return ApiError(
        503,
        "broker_unavailable",
        f"{error}; the applications were not accepted: resubmit them later "
        "with these application_ids (those already accepted are recognised)",
        headers=_RETRY,
        application_ids=ids,
    )


def _pending(ids: list[str], pending: list[str]) -> ApiError:
    return ApiError(
        503,
        "application_in_progress",
        f"another request is still publishing application_id "
        f"{', '.join(pending)}; the applications were not accepted: resubmit them later with these "
        "application_ids",
        headers=_RETRY,
        application_ids=ids,
    )
