"""The explainer's agent: a few lines, the work is in explainer.batch and credit.explain."""
from __future__ import annotations

from credit.dead_letters import Message
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from explainer.batch import process_batch


def register_agents(app, topics, explainers, settings) -> None:
    explanations, dead_letters = topics[LOAN_EXPLANATIONS], topics[DECISIONS_DLQ]

    async def publish(explanation):
        await explanations.send(key=str(explanation.client_id).encode(), value=explanation.to_bytes())

    async def publish_dead(letter, letter_key):
        await dead_letters.send(key=letter_key, value=letter.to_bytes())

    @app.agent(topics[LOAN_DECISIONS], name="explain-decisions")
    async def explain_decisions(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_wait_s):
            messages = [Message(e.key, e.value, e.message.topic, e.message.partition, e.message.offset) for e in events]
            await process_batch(messages, explainers, publish, publish_dead)
