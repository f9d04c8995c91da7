"""One micro-batch of application messages: decode, score, publish, dead-letter what fails.

Kept apart from Faust so it is tested with plain fakes; the agent only feeds it batches.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from credit.dead_letters import Message, Undecodable, dead_letter_of, decode_application
from credit.events import ApplicationScored, DeadLettered
from credit.schema import DataError

SERVICE = "scorer"


async def process_batch(messages: Sequence[Message], scorer, history_of: Callable[[int], bytes | None],
                        publish: Callable[[ApplicationScored], Awaitable],
                        publish_dead: Callable[[DeadLettered, bytes | None], Awaitable]) -> int:
    """Score every decodable message and dead-letter the others (with their original key)."""
    valid = []
    for message in messages:
        try:
            valid.append((message, decode_application(message.value)))
        except Undecodable as error:
            await publish_dead(_dead(message, str(error)), message.key)
    decisions = await _score(valid, scorer, history_of, publish_dead)
    for decision in decisions:
        await publish(decision)
    return len(decisions)


async def _score(valid, scorer, history_of, publish_dead) -> list[ApplicationScored]:
    if not valid:
        return []
    applications = [application for _, application in valid]
    histories = {a["SK_ID_CURR"]: h for a in applications if (h := _history(history_of, a["SK_ID_CURR"])) is not None}
    try:
        return scorer.score(applications, histories)
    except DataError:  # one bad event must not sink the batch: retry one by one
        if len(valid) == 1:
            raise
    decisions = []
    for message, application in valid:
        try:
            decisions += scorer.score([application], histories)
        except DataError as error:
            await publish_dead(_dead(message, str(error)), message.key)
    return decisions


def _history(history_of, client_id: int) -> dict | None:
    raw = history_of(client_id)
    return None if raw is None else json.loads(raw)["aggregates"]


def _dead(message: Message, reason: str) -> DeadLettered:
    return dead_letter_of(message, reason, SERVICE)
