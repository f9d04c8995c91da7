"""The scorer's agents: a few lines each, the work is in scorer.batch and the domain package."""
from __future__ import annotations

from adapters.faust_worker import stop_on_failure
from credit.dead_letters import Message
from credit.decision import DECIDED, TO_REVIEW
from credit.monitoring import Alerts, lag, report_to
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS, OPS_ALERTS, OPS_METRICS
from scorer.batch import SERVICE, process_batch


PLAUSIBLE_WAIT_S = 86_400.0  # longer from submission to decision is a wrong submitted_at, not a latency


def client_key(client_id: int) -> bytes:
    return str(client_id).encode()


def register_agents(app, topics, history, scorer, settings, meter, drift) -> None:
    decisions, dead_letters = topics[LOAN_DECISIONS], topics[APPLICATIONS_DLQ]
    alerts = Alerts(SERVICE)

    async def publish(decision):
        # everything that can fail comes before the send: a decision is either published or dead-lettered
        key, value = client_key(decision.client_id), decision.to_bytes()
        waited = (decision.decided_at - decision.submitted_at).total_seconds()
        await decisions.send(key=key, value=value)
        meter.count("sent")
        # granted, refused or to_review: each decision counted once, so the shares add up to one
        meter.count(decision.decision if decision.status == DECIDED else TO_REVIEW)
        meter.pd([decision.probability_of_default])
        if 0 <= waited <= PLAUSIBLE_WAIT_S:  # submitted_at is the sender's word: a year 0001 would swamp the figures
            meter.latency("submitted_to_decided", waited)
        drift.add_decision(decision)

    async def publish_dead(letter, letter_key):
        await dead_letters.send(key=letter_key, value=letter.to_bytes())
        meter.count("dead_letters")

    @app.agent(topics[LOAN_APPLICATIONS], name="score-applications")
    async def score_applications(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_wait_s):
            await history.ready.wait()  # never score before the clients' history is known
            messages = [Message(e.key, e.value, e.message.topic, e.message.partition, e.message.offset) for e in events]
            with stop_on_failure(), meter.batch(len(messages)):
                await process_batch(messages, scorer, lambda c: history.get(client_key(c)), publish, publish_dead)

    @app.task
    async def follow_history():
        await history.follow()

    @app.timer(interval=settings.metrics_interval_s)
    async def report_metrics():
        await report_to(meter, alerts, lambda r: topics[OPS_METRICS].send(key=SERVICE.encode(), value=r.to_bytes()),
                        lambda a: topics[OPS_ALERTS].send(key=SERVICE.encode(), value=a.to_bytes()), drift,
                        lag(app.monitor.tp_end_offsets, app.monitor.tp_committed_offsets, LOAN_APPLICATIONS))
