"""The explainer's agent: a few lines, the work is in explainer.batch and credit.explain."""

from __future__ import annotations

from adapters.faust_worker import Worker
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from explainer.batch import process_batch


def register_agents(worker: Worker, explainers) -> None:
    def counted(explanation, waited: float) -> None:
        worker.meter.latency("decided_to_explained", waited)

    publish = worker.results_to(
        LOAN_EXPLANATIONS, lambda e: (e.explained_at - e.decided_at).total_seconds(), counted
    )
    publish_dead = worker.dead_letters_to(DECISIONS_DLQ)

    async def explain(messages):
        await process_batch(messages, explainers, publish, publish_dead)

    decisions = worker.batched(LOAN_DECISIONS, "explain-decisions", explain)
    worker.report_metrics(decisions)
