"""One micro-batch of decision messages: decode, explain with the decision's own model, publish.

A failure is per message: what cannot be explained (undecodable, unknown model version, an
explanation that fails or does not add up to the decision's PD, one that cannot be published)
goes to the dead-letter topic with the reason, and the others go on.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence

from credit.dead_letters import (
    Message,
    Undecodable,
    cause,
    dead_letter_of,
    decode_decision,
    isolate_failures,
    publish_each,
)
from credit.events import ApplicationExplained, ApplicationScored, DeadLettered
from credit.explain.explanation import ADDS_UP, adds_up
from explainer.models import Explainers

SERVICE = "explainer"


async def process_batch(
    messages: Sequence[Message],
    explainers: Explainers,
    publish: Callable[[ApplicationExplained], Awaitable],
    publish_dead: Callable[[DeadLettered, bytes | None], Awaitable],
) -> int:
    """Publish an explanation or a dead letter for every message; returns how many explanations were
    published."""

    async def dead(message: Message, reason: str) -> None:
        await publish_dead(dead_letter_of(message, reason, SERVICE), message.key)

    published = 0
    for version, items in (await _by_version(messages, dead)).items():
        published += await publish_each(
            await _explain(version, items, explainers, dead), publish, dead, "explanation"
        )
    return published


async def _by_version(
    messages: Sequence[Message], dead
) -> dict[str, list[tuple[Message, ApplicationScored]]]:
    by_version = defaultdict(list)
    for message in messages:
        try:
            decision = decode_decision(message.value)
            by_version[decision.model_version].append((message, decision))
        except Undecodable as error:
            await dead(message, str(error))
    return by_version


async def _explain(
    version: str, items, explainers: Explainers, dead
) -> list[tuple[Message, ApplicationExplained]]:
    """(message, explanation) for each decision of one model version that can be explained."""
    try:
        explainer = explainers.get(version)
    except Exception as error:  # noqa: BLE001 - an unknown version or a broken bundle: each decision says so
        for message, _ in items:
            await dead(message, cause(error))
        return []
    explainable = []
    for message, decision in items:
        if len(decision.features) == len(explainer.features):
            explainable.append((message, decision))
        else:
            await dead(
                message,
                f"the decision carries {len(decision.features)} features; "
                f"model {version} takes {len(explainer.features)}",
            )
    explained = []
    for (message, _), explanation in await _explain_each(explainable, explainer, dead):
        if (off := adds_up(explanation)) > ADDS_UP:
            await dead(
                message,
                f"the explanation does not add up to the decision's PD (off by {off:.2e}): "
                f"the decision was not made by model {version}'s bundle",
            )
        else:
            explained.append((message, explanation))
    return explained


async def _explain_each(items, explainer, dead) -> list:
    """(item, explanation) pairs; a decision whose explanation fails is dead-lettered alone.

    In a thread: the event loop keeps fetching decisions and sending explanations meanwhile."""

    async def explain(some):
        return await asyncio.to_thread(explainer.explain, [decision for _, decision in some])

    async def failed(item, error):
        await dead(item[0], f"cannot be explained: {cause(error)}")

    return await isolate_failures(items, explain, failed)
