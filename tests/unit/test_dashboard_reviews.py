"""Recording reviews: only reviewers, only with a justification, and only once the broker has it."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from unittest import mock

import pytest

from credit.events import ApplicationReviewed
from dashboard.reviews import ReviewRefused, Reviews, ReviewUnrecorded, shown_state
from dashboard.store import Store
from tests.fakes import FakeKafkaProducer, producer_over
from tests.unit.test_dashboard_store import decision

pytestmark = pytest.mark.unit
WHY = "Revenus stables vérifiés sur trois bulletins de salaire."


def shown(reviews: Reviews, client_id: int) -> tuple | None:
    """What the reviewer's page showed: the file's application and decision in force."""
    file = reviews.store.client_file(client_id)
    return shown_state(file) if file else None


@pytest.fixture
def users(tmp_path) -> Path:
    """The accounts file: a reviewer, a relationship manager, operations and an account without a
    role."""
    path = tmp_path / "users.json"
    accounts = {
        "rachel": "reviewer",
        "paul": "reviewer",
        "marie": "rm",
        "olga": "ops",
        "nobody": None,
    }
    path.write_text(
        json.dumps({user: {"password": "-", "role": role} for user, role in accounts.items()})
    )
    return path


def reviews_with(users: Path, producer, *events) -> Reviews:
    store = Store()
    store.upsert(list(events))
    return Reviews(store, "nowhere:9092", users, producer=producer_over(producer))


def test_a_reviewer_decides_a_case_to_review_and_the_review_is_published_then_in_force(users):
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    review = reviews.record("rachel", 7, shown(reviews, 7), "granted", f"  {WHY}  ")
    assert (review.kind, review.before, review.after, review.outcome) == (
        "review",
        "refused",
        "granted",
        "overridden",
    )
    assert review.justification == WHY and review.reviewer == "rachel"
    [(topic, key, value)] = producer.sent
    assert (topic, key, ApplicationReviewed.from_bytes(value)) == ("loan-reviews", b"7", review)
    assert reviews.store.client_file(7).in_force == "granted"


def test_after_a_decision_is_in_force_a_new_review_is_the_clients_contestation(users):
    reviews = reviews_with(users, FakeKafkaProducer(), decision("a", 7, 0.2))
    contested = reviews.record("rachel", 7, shown(reviews, 7), "refused", WHY)
    assert (contested.kind, contested.before, contested.outcome) == (
        "contestation",
        "refused",
        "confirmed",
    )


@pytest.mark.parametrize(
    "user, role", [("marie", "rm"), ("olga", "ops"), ("nobody", None), ("stranger", None)]
)
def test_only_a_reviewer_may_record_a_review(user, role, users):
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewRefused, match=f"only a reviewer.*{user!r} has the role {role!r}"):
        reviews.record(user, 7, shown(reviews, 7), "granted", WHY)
    assert producer.sent == [] and reviews.store.count("reviews") == 0


def test_a_reviewer_whose_role_was_withdrawn_after_logging_in_is_refused(users):
    """The role is read when the review is recorded, not trusted from the log-in."""
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    accounts = json.loads(users.read_text())
    accounts["rachel"]["role"] = "rm"
    users.write_text(json.dumps(accounts))
    with pytest.raises(ReviewRefused, match="'rachel' has the role 'rm'"):
        reviews.record("rachel", 7, shown(reviews, 7), "granted", WHY)
    assert producer.sent == [] and reviews.store.count("reviews") == 0


@pytest.mark.parametrize(
    "after, why, problem",
    [
        ("granted", "ok", "justification: String should have at least 20"),
        ("granted", " " * 30, "justification"),
        ("maybe", WHY, "after: Input should be 'granted' or 'refused'"),
    ],
)
def test_a_review_without_a_real_justification_or_decision_is_refused_with_the_field_named(
    after, why, problem, users
):
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewRefused, match=problem):
        reviews.record("rachel", 7, shown(reviews, 7), after, why)
    assert producer.sent == []


def test_a_client_without_a_decision_cannot_be_reviewed(users):
    with pytest.raises(ReviewRefused, match="client 8 has no decided application"):
        reviews = reviews_with(users, FakeKafkaProducer(), decision("a", 7))
        reviews.record("rachel", 8, shown(reviews, 8), "granted", WHY)


def test_a_review_the_broker_did_not_acknowledge_is_not_recorded_and_the_failed_producer_replaced(
    users,
):
    failing = FakeKafkaProducer(refuse=TimeoutError("no broker"))
    reviews = reviews_with(users, failing, decision("a", 7, 0.081, status="to_review"))
    with pytest.raises(ReviewUnrecorded, match="not recorded .*TimeoutError.*try again"):
        reviews.record("rachel", 7, shown(reviews, 7), "granted", WHY)
    assert failing.closed and reviews.producer._producer is None
    assert reviews.store.count("reviews") == 0 and reviews.store.client_file(7).in_force is None


def test_a_review_of_a_file_that_changed_since_it_was_shown_is_refused(users):
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    seen = shown(reviews, 7)
    reviews.record("paul", 7, seen, "refused", WHY)  # another reviewer decided first
    with pytest.raises(ReviewRefused, match="changed since it was shown"):
        reviews.record("rachel", 7, seen, "granted", WHY)
    reviews.store.upsert([decision("b", 7, 0.2, minutes=5)])  # a newer application arrived
    with pytest.raises(ReviewRefused, match="changed since it was shown"):
        reviews.record("rachel", 7, ("a", shown(reviews, 7)[1]), "granted", WHY)
    assert len(producer.sent) == 1


def test_two_reviewers_deciding_the_same_file_at_once_record_one_review_and_the_other_is_refused(
    users,
):
    producer = FakeKafkaProducer(
        wait_s=0.3
    )  # both reviews are under way while the first waits for the broker
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    seen, outcomes = shown(reviews, 7), {}

    def review(user):
        try:
            outcomes[user] = reviews.record(user, 7, seen, "granted", WHY)
        except ReviewRefused as error:
            outcomes[user] = error

    threads = [threading.Thread(target=review, args=(user,)) for user in ("rachel", "paul")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = [o for o in outcomes.values() if isinstance(o, ApplicationReviewed)]
    refused = [o for o in outcomes.values() if isinstance(o, ReviewRefused)]
    assert (
        len(recorded) == 1 and len(refused) == 1 and "changed since it was shown" in str(refused[0])
    )
    assert len(producer.sent) == 1 and reviews.store.count("reviews") == 1


def test_a_review_the_broker_acknowledged_counts_even_if_the_store_fails_to_write_it(users, caplog):
    producer = FakeKafkaProducer()
    reviews = reviews_with(users, producer, decision("a", 7, 0.081, status="to_review"))
    seen = shown(reviews, 7)
    with mock.patch.object(reviews.store, "upsert", side_effect=OSError("disk full")):
        review = reviews.record("rachel", 7, seen, "granted", WHY)
    assert (
        len(producer.sent) == 1 and review.after == "granted"
    )  # on loan-reviews: the feed will store it
    assert review.review_id in caplog.text and WHY not in caplog.text


class Context:
    """What the review form uses of the dashboard's context: the store and the reviews (faked)."""

    def __init__(self, store, record):
        self.store, self.reviews = store, mock.Mock(record=mock.Mock(side_effect=record))


def review_form(record, on_recorded=lambda: None):
    from dashboard.views.review import ReviewPanel

    store = Store()
    store.upsert(
        [decision("a", 7, 0.081, status="to_review"), decision("b", 8, 0.082, status="to_review")]
    )
    form = ReviewPanel(Context(store, record), "rachel", "reviewer", on_recorded)
    form.show(7, store.client_file(7), "fr")
    form._justification.value = WHY
    return form


def test_the_form_says_a_review_was_not_recorded_whatever_failed_and_can_be_used_again(caplog):
    form = review_form(
        record=json.JSONDecodeError("Expecting value", "", 0)
    )  # the users file half rewritten
    asyncio.run(form.record())
    assert form._message.object.startswith("Non enregistré (client 7) : erreur inattendue")
    assert form._message.alert_type == "danger" and not form._record.disabled
    assert "client 7" in caplog.text and WHY not in caplog.text


def test_a_second_click_while_a_review_is_recorded_records_nothing_more():
    release = threading.Event()
    form = review_form(
        record=lambda *args: release.wait(5) and mock.Mock(kind="review", outcome="confirmed")
    )

    async def two_clicks():
        first = asyncio.create_task(form.record())
        await asyncio.sleep(0.05)  # the first is waiting for the broker
        await form.record()
        release.set()
        await first

    asyncio.run(two_clicks())
    assert form.context.reviews.record.call_count == 1
    assert form._message.object == "Enregistré : examen (confirmée), client 7."


def test_a_review_recorded_after_another_file_was_opened_leaves_that_files_form_alone():
    release, refreshed = threading.Event(), []
    form = review_form(
        record=lambda *args: release.wait(5) and mock.Mock(kind="review", outcome="overridden"),
        on_recorded=lambda: refreshed.append(True),
    )

    async def open_another_file_meanwhile():
        recording = asyncio.create_task(form.record())
        await asyncio.sleep(0.05)
        form.show(8, form.context.store.client_file(8), "fr")
        form._justification.value = "Début de justification pour le client 8"
        release.set()
        await recording

    asyncio.run(open_another_file_meanwhile())
    assert (
        form.context.reviews.record.call_args.args[1] == 7
    )  # the file reviewed, not the one open at the end
    assert form._justification.value == "Début de justification pour le client 8" and not refreshed
    assert form._message.object == "Enregistré : examen (changée), client 7."
