"""The scorer's agents: a few lines each, the work is in scorer.batch and the domain package."""
from __future__ import annotations

from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS
from credit.dead_letters import Message
from scorer.batch import process_batch


def client_key(client_id: int) -> bytes:
    return str(client_id).encode()


def register_agents(app, topics, history, scorer, settings) -> None:
    decisions, dead_letters = topics[LOAN_DECISIONS], topics[APPLICATIONS_DLQ]

    async def publish(decision):
        await decisions.send(key=client_key(decision.client_id), value=decision.to_bytes())

    async def publish_dead(letter, letter_key):
        await dead_letters.send(key=letter_key, value=letter.to_bytes())

    @app.agent(topics[LOAN_APPLICATIONS], name="score-applications")
    async def score_applications(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_wait_s):
            await history.ready.wait()  # never score before the clients' history is known
            messages = [Message(e.key, e.value, e.message.topic, e.message.partition, e.message.offset) for e in events]
            await process_batch(messages, scorer, lambda c: history.get(client_key(c)), publish, publish_dead)

    @app.task
    async def follow_history():
        await history.follow()
