"""The explainer's agent: a few lines, the work is in explainer.batch and credit.explain."""
from __future__ import annotations

from adapters.faust_worker import stop_on_failure
from credit.dead_letters import Message
from credit.monitoring import Alerts, lag, report_to
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS, OPS_ALERTS, OPS_METRICS
from explainer.batch import SERVICE, process_batch


def register_agents(app, topics, explainers, settings, meter) -> None:
    explanations, dead_letters = topics[LOAN_EXPLANATIONS], topics[DECISIONS_DLQ]
    alerts = Alerts(SERVICE)

    async def publish(explanation):
        # everything that can fail comes before the send: an explanation is either published or dead-lettered
        key, value = str(explanation.client_id).encode(), explanation.to_bytes()
        waited = (explanation.explained_at - explanation.decided_at).total_seconds()
        await explanations.send(key=key, value=value)
        meter.count("sent")
        meter.latency("decided_to_explained", waited)

    async def publish_dead(letter, letter_key):
        await dead_letters.send(key=letter_key, value=letter.to_bytes())
        meter.count("dead_letters")

    @app.agent(topics[LOAN_DECISIONS], name="explain-decisions")
    async def explain_decisions(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_wait_s):
            messages = [Message(e.key, e.value, e.message.topic, e.message.partition, e.message.offset) for e in events]
            with stop_on_failure(), meter.batch(len(messages)):
                await process_batch(messages, explainers, publish, publish_dead)

    @app.timer(interval=settings.metrics_interval_s)
    async def report_metrics():
        await report_to(meter, alerts, lambda r: topics[OPS_METRICS].send(key=SERVICE.encode(), value=r.to_bytes()),
                        lambda a: topics[OPS_ALERTS].send(key=SERVICE.encode(), value=a.to_bytes()), None,
                        lag(app.monitor.tp_end_offsets, app.monitor.tp_committed_offsets, LOAN_DECISIONS))
