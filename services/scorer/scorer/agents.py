"""The scorer's agents: a few lines each, the work is in scorer.batch and the domain package."""

from __future__ import annotations

from adapters.faust_worker import Worker
from credit.decision import DECIDED, TO_REVIEW
from credit.events import client_key
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS
from scorer.batch import process_batch

# longer from submission to decision is a wrong submitted_at, not a latency
PLAUSIBLE_WAIT_S = 86_400.0


def register_agents(worker: Worker, history, scorer, drift) -> None:
    meter = worker.meter

    def counted(decision, waited: float) -> None:
        # granted, refused or to_review: each decision counted once, so the shares add up to one
        meter.count(decision.decision if decision.status == DECIDED else TO_REVIEW)
        meter.pd([decision.probability_of_default])
        # submitted_at is the sender's word: a year 0001 would swamp the figures
        if 0 <= waited <= PLAUSIBLE_WAIT_S:
            meter.latency("submitted_to_decided", waited)
        drift.add_decision(decision)

    publish = worker.results_to(
        LOAN_DECISIONS, lambda d: (d.decided_at - d.submitted_at).total_seconds(), counted
    )
    publish_dead = worker.dead_letters_to(APPLICATIONS_DLQ)

    async def score(messages):
        await process_batch(
            messages, scorer, lambda client: history.get(client_key(client)), publish, publish_dead
        )

    # never score before the clients' history is known
    applications = worker.batched(
        LOAN_APPLICATIONS, "score-applications", score, before=history.ready.wait
    )

    @worker.app.task
    async def follow_history():
        await history.follow()

    worker.report_metrics(applications, drift)
