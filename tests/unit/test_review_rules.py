"""The decision in force: the domain's rule (credit.reviews) and the store's SQL agree on every
case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.events import ApplicationReviewed, ApplicationScored
from credit.reviews import CONTESTATION, REVIEW, in_force, review_kind
from dashboard.store import Store

pytestmark = pytest.mark.unit
WHEN = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CLIENT = 100_002


def decision(status: str, proposed: str) -> ApplicationScored:
    return ApplicationScored(
        application_id="app-1",
        client_id=CLIENT,
        probability_of_default=0.3,
        decision=proposed,
        threshold=0.2,
        model_version="v",
        decided_at=WHEN,
        submitted_at=WHEN,
        timings_ms={},
        features=[],
        status=status,
        review_band=0.1,
    )


def review(minutes: int, offset_hours: int, after: str) -> ApplicationReviewed:
    """A review made `minutes` after the decision, written in a timezone `offset_hours` from UTC."""
    zone = timezone(timedelta(hours=offset_hours))
    return ApplicationReviewed(
        application_id="app-1",
        client_id=CLIENT,
        kind="contestation",
        reviewer="rachel",
        before="refused",
        after=after,
        justification="Pièces justificatives vérifiées.",
        reviewed_at=(WHEN + timedelta(minutes=minutes)).astimezone(zone),
    )


reviews = st.lists(
    st.builds(
        review,
        st.integers(0, 3),
        st.sampled_from([0, 2, -5]),
        st.sampled_from(["granted", "refused"]),
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["decided", "to_review"]), st.sampled_from(["granted", "refused"]), reviews)
def test_the_stores_sql_and_the_domain_rule_give_the_same_decision_in_force(
    status, proposed, arrived
):
    store = Store()
    scored = decision(status, proposed)
    store.upsert([scored])
    for one in arrived:  # one at a time, in the order they arrived from the topic
        store.upsert([one])
    [row] = store.latest_decisions()
    assert row["in_force"] == in_force(scored, arrived)


def test_the_rule_on_cases_a_person_can_check():
    waiting, granted = decision("to_review", "refused"), decision("decided", "granted")
    assert in_force(waiting, []) is None and in_force(granted, []) == "granted"
    later_in_paris, earlier_in_utc = (
        review(2, 2, "refused"),
        review(1, 0, "granted"),
    )  # 11:02+02:00 is 09:02 UTC
    assert in_force(granted, [later_in_paris, earlier_in_utc]) == "refused"
    assert (
        in_force(granted, [review(1, 0, "refused"), review(1, 2, "granted")]) == "granted"
    )  # a tie: the later arrival
    assert (
        review_kind(None) == REVIEW
        and review_kind("granted") == review_kind("refused") == CONTESTATION
    )
