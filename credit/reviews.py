"""People's decisions on applications: which decision is in force, and what a new one is.

The dashboard's store answers the same question in SQL, for speed over many files
(tests/unit/test_review_rules.py checks that both agree).
"""

from __future__ import annotations

from collections.abc import Sequence

from credit.decision import DECIDED
from credit.events import ApplicationReviewed, ApplicationScored

REVIEW, CONTESTATION = "review", "contestation"


def in_force(decision: ApplicationScored, reviews: Sequence[ApplicationReviewed]) -> str | None:
    """The decision in force: the latest review's, else the scorer's when it decided, else None
    (waiting for a reviewer). Reviews come in the order they arrived; of two made at the same time,
    the later arrival counts (a client's reviews come in one partition, so in the order they were
    published)."""
    if reviews:
        return max(enumerate(reviews), key=lambda arrival: (arrival[1].reviewed_at, arrival[0]))[
            1
        ].after
    return decision.decision if decision.status == DECIDED else None


def review_kind(decision_in_force: str | None) -> str:
    """A case waiting for a reviewer is reviewed; a decision in force can be contested by the
    client."""
    return REVIEW if decision_in_force is None else CONTESTATION
