"""One micro-batch of decision messages: decode, explain with the decision's own model, publish.

What cannot be explained (undecodable, unknown model version, an explanation that does not
add up to the decision's PD) goes to the dead-letter topic with the reason.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence

from credit.dead_letters import Message, Undecodable, dead_letter_of, decode_decision
from credit.events import ApplicationExplained, ApplicationScored, DeadLettered
from credit.explain.explanation import ADDS_UP, adds_up
from explainer.models import Explainers, UnknownModel

SERVICE = "explainer"


async def process_batch(messages: Sequence[Message], explainers: Explainers,
                        publish: Callable[[ApplicationExplained], Awaitable],
                        publish_dead: Callable[[DeadLettered, bytes | None], Awaitable]) -> int:
    """Explain every explainable decision; returns how many explanations were published."""
    async def dead(message: Message, reason: str) -> None:
        await publish_dead(dead_letter_of(message, reason, SERVICE), message.key)

    published = 0
    for version, items in (await _by_version(messages, dead)).items():
        published += await _explain(version, items, explainers, publish, dead)
    return published


async def _by_version(messages: Sequence[Message], dead) -> dict[str, list[tuple[Message, ApplicationScored]]]:
    by_version = defaultdict(list)
    for message in messages:
        try:
            decision = decode_decision(message.value)
            by_version[decision.model_version].append((message, decision))
        except Undecodable as error:
            await dead(message, str(error))
    return by_version


async def _explain(version: str, items, explainers: Explainers, publish, dead) -> int:
    try:
        explainer = explainers.get(version)
    except UnknownModel as error:
        for message, _ in items:
            await dead(message, str(error))
        return 0
    explainable = []
    for message, decision in items:
        if len(decision.features) == len(explainer.features):
            explainable.append((message, decision))
        else:
            await dead(message, f"the decision carries {len(decision.features)} features; "
                                f"model {version} takes {len(explainer.features)}")
    # In a thread: the event loop keeps fetching decisions and sending explanations meanwhile.
    explanations = await asyncio.to_thread(explainer.explain, [d for _, d in explainable]) if explainable else []
    for (message, _), explanation in zip(explainable, explanations):
        if (off := adds_up(explanation)) > ADDS_UP:
            await dead(message, f"the explanation does not add up to the decision's PD (off by {off:.2e}): "
                                f"the decision was not made by model {version}'s bundle")
        else:
            await publish(explanation)
    return sum(adds_up(e) <= ADDS_UP for e in explanations)
