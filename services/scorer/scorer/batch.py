"""One micro-batch of application messages: decode, score, publish, dead-letter what fails.

A failure is per message: whatever goes wrong with one (its bytes, its client's history record,
its features, its score, publishing its decision) sends that message to the dead-letter topic
with the cause, and the others go on. Only a dead letter that cannot be published escapes.
Kept apart from Faust so it is tested with plain fakes; the agent only feeds it batches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from credit.dead_letters import (
    Message,
    Undecodable,
    cause,
    dead_letter_of,
    decode_application,
    isolate_failures,
    publish_each,
)
from credit.events import ApplicationScored, DeadLettered, HistoryRecorded

SERVICE = "scorer"


async def process_batch(
    messages: Sequence[Message],
    scorer,
    history_of: Callable[[int], bytes | None],
    publish: Callable[[ApplicationScored], Awaitable],
    publish_dead: Callable[[DeadLettered, bytes | None], Awaitable],
) -> int:
    """Publish a decision or a dead letter (with its original key) for every message; returns the
    decisions."""

    async def dead(message: Message, reason: str) -> None:
        await publish_dead(dead_letter_of(message, reason, SERVICE), message.key)

    valid = []
    for message in messages:
        try:
            application = decode_application(message)
            valid.append((message, application, _history(history_of, application["SK_ID_CURR"])))
        except Undecodable as error:
            await dead(message, str(error))
        except Exception as error:  # noqa: BLE001 - per message, whatever the cause
            await dead(message, f"the client's history record cannot be read: {cause(error)}")
    return await publish_each(await _score(valid, scorer, dead), publish, dead, "decision")


async def _score(valid, scorer, dead) -> list[tuple[Message, ApplicationScored]]:
    """(message, decision) for each application that can be scored; the others dead-lettered."""
    histories = {application["SK_ID_CURR"]: h for _, application, h in valid if h is not None}

    async def score(items):
        return scorer.score([application for _, application, _ in items], histories)

    async def failed(item, error):
        await dead(item[0], f"cannot be scored: {cause(error)}")

    return [(item[0], decision) for item, decision in await isolate_failures(valid, score, failed)]


def _history(history_of, client_id: int) -> dict | None:
    raw = history_of(client_id)
    return None if raw is None else HistoryRecorded.from_bytes(raw).aggregates
