"""Recording reviews: only reviewers, only with a justification, and only once the broker has it."""
from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

from credit.events import ApplicationReviewed
from dashboard.reviews import ReviewRefused, Reviews, ReviewUnrecorded, shown_state
from dashboard.store import Store
from tests.unit.test_dashboard_store import decision

pytestmark = pytest.mark.unit
WHY = "Revenus stables vérifiés sur trois bulletins de salaire."


class FakeProducer:
    def __init__(self, fail: bool = False):
        self.sent, self.fail, self.closed = [], fail, False

    def send(self, topic, key, value):
        if self.fail:
            raise TimeoutError("no broker")
        self.sent.append((topic, key, value))
        return mock.Mock(get=lambda timeout: None)

    def close(self, timeout=None):
        self.closed = True


def shown(reviews: Reviews, client_id: int) -> tuple | None:
    """What the reviewer's page showed: the file's application and decision in force."""
    file = reviews.store.client_file(client_id)
    return shown_state(file) if file else None


@pytest.fixture
def users(tmp_path) -> Path:
    """The accounts file: a reviewer, a relationship manager, operations and an account without a role."""
    path = tmp_path / "users.json"
    accounts = {"rachel": "reviewer", "paul": "reviewer", "marie": "rm", "olga": "ops", "nobody": None}
    path.write_text(json.dumps({user: {"password": "-", "role": role} for user, role in accounts.items()}))
    return path


def reviews_with(users: Path, producer, *events) -> Reviews:
    store = Store()
    store.upsert(list(events))
    reviews = Reviews(store, "nowhere:9092", users)
    reviews._producer = producer
    return reviews


def test_a_reviewer_decides_a_case_to_review_and_the_review_is_published_then_in_force(users):
    producer = FakeProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    review = reviews.record("rachel", 7, shown(reviews, 7), "granted", f"  {WHY}  ")
    assert (review.kind, review.before, review.after, review.outcome) == ("review", "refused", "granted", "overridden")
    assert review.justification == WHY and review.reviewer == "rachel"
    [(topic, key, value)] = producer.sent
    assert (topic, key, ApplicationReviewed.from_bytes(value)) == ("loan-reviews", b"7", review)
    assert reviews.store.client_file(7)["in_force"] == "granted"


def test_after_a_decision_is_in_force_a_new_review_is_the_clients_contestation(users):
    reviews = reviews_with(users, FakeProducer(), decision("a", 7, 0.2))
    contested = reviews.record("rachel", 7, shown(reviews, 7), "refused", WHY)
    assert (contested.kind, contested.before, contested.outcome) == ("contestation", "refused", "confirmed")


@pytest.mark.parametrize("user, role", [("marie", "rm"), ("olga", "ops"), ("nobody", None), ("stranger", None)])
def test_only_a_reviewer_may_record_a_review(user, role, users):
    producer = FakeProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewRefused, match=f"only a reviewer.*{user!r} has the role {role!r}"):
        reviews.record(user, 7, shown(reviews, 7), "granted", WHY)
    assert producer.sent == [] and reviews.store.count("reviews") == 0


def test_a_reviewer_whose_role_was_withdrawn_after_logging_in_is_refused(users):
    """The role is read when the review is recorded, not trusted from the log-in."""
    producer = FakeProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    accounts = json.loads(users.read_text())
    accounts["rachel"]["role"] = "rm"
    users.write_text(json.dumps(accounts))
    with pytest.raises(ReviewRefused, match="'rachel' has the role 'rm'"):
        reviews.record("rachel", 7, shown(reviews, 7), "granted", WHY)
    assert producer.sent == [] and reviews.store.count("reviews") == 0


@pytest.mark.parametrize("after, why, problem", [("granted", "ok", "justification: String should have at least 20"),
                                                 ("granted", " " * 30, "justification"),
                                                 ("maybe", WHY, "after: Input should be 'granted' or 'refused'")])
def test_a_review_without_a_real_justification_or_decision_is_refused_with_the_field_named(after, why, problem, users):
    producer = FakeProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewRefused, match=problem):
        reviews.record("rachel", 7, shown(reviews, 7), after, why)
    assert producer.sent == []


def test_a_client_without_a_decision_cannot_be_reviewed(users):
    with pytest.raises(ReviewRefused, match="client 8 has no decided application"):
        reviews = reviews_with(users, FakeProducer(), decision("a", 7))
        reviews.record("rachel", 8, shown(reviews, 8), "granted", WHY)


def test_a_review_the_broker_did_not_acknowledge_is_not_recorded_and_the_failed_producer_is_replaced(users):
    failing = FakeProducer(fail=True)
    reviews = reviews_with(users, failing, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewUnrecorded, match="not recorded .*TimeoutError.*try again"):
        reviews.record("rachel", 7, shown(reviews, 7), "granted", WHY)
    assert failing.closed and reviews._producer is None
    assert reviews.store.count("reviews") == 0 and reviews.store.client_file(7)["in_force"] is None


def test_a_review_of_a_file_that_changed_since_it_was_shown_is_refused(users):
    producer = FakeProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    seen = shown(reviews, 7)
    reviews.record("paul", 7, seen, "refused", WHY)  # another reviewer decided first
    with pytest.raises(ReviewRefused, match="changed since it was shown"):
        reviews.record("rachel", 7, seen, "granted", WHY)
    reviews.store.upsert([decision("b", 7, 0.2, minutes=5)])  # a newer application arrived
    with pytest.raises(ReviewRefused, match="changed since it was shown"):
        reviews.record("rachel", 7, ("a", shown(reviews, 7)[1]), "granted", WHY)
    assert len(producer.sent) == 1
