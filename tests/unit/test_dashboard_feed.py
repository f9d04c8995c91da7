"""The dashboard feed's handling of one poll, with a fake consumer and producer: per message, never
per poll."""

from __future__ import annotations

import json
import sqlite3
from collections import namedtuple
from datetime import timedelta, timezone

import pytest

from credit.events import ApplicationExplained, DeadLettered
from credit.topics import DASHBOARD_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS
from dashboard.feed import Feed
from dashboard.store import Store
from tests.fakes import FakeConsumer, FakeKafkaProducer, producer_over
from tests.unit.test_dashboard_store import application, decision, explanation

pytestmark = pytest.mark.unit

TP = namedtuple("TP", "topic partition")
Record = namedtuple("Record", "key value offset")


class RefusingStore(Store):
    """Refuses one application's events the way SQLite refuses an integer beyond int64; or is
    down."""

    def __init__(self, refused: str | None = None, down: bool = False):
        super().__init__()
        self.refused, self.down = refused, down

    def _upsert(self, events):  # inside the store's own transaction and error handling
        if self.down:
            raise sqlite3.OperationalError("disk I/O error")
        if any(getattr(e, "application_id", None) == self.refused for e in events):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return super()._upsert(events)


def poll(*values, topic=LOAN_DECISIONS, first=100):
    return {TP(topic, 0): [Record(b"7", v, first + i) for i, v in enumerate(values)]}


def feed_over(store, producer=None):
    return Feed(store, "127.0.0.1:1", metrics_interval_s=3600, producer=producer_over(producer))


def letters(producer) -> list[tuple]:
    return [(topic, key, DeadLettered.from_bytes(value)) for topic, key, value in producer.sent]


def test_an_event_the_store_refuses_is_dead_lettered_the_rest_of_the_poll_stored_and_committed():
    """Issue 14, loss 2: one event SQLite could not store dropped the whole poll, and the next one
    committed past it."""
    store, producer = RefusingStore(refused="b"), FakeKafkaProducer()
    consumer = FakeConsumer([poll(*(decision(i, 1).to_bytes() for i in "abc"))])
    feed = feed_over(store, producer)
    feed._poll_once(consumer)
    assert store.count("decisions") == 2 and consumer.commits == 1
    [(topic, key, letter)] = letters(producer)
    assert (topic, key, letter.source_topic, letter.source_offset) == (
        DASHBOARD_DLQ,
        b"7",
        LOAN_DECISIONS,
        101,
    )
    assert (
        letter.reason
        == "cannot be stored: OverflowError: Python int too large to convert to SQLite INTEGER"
    )
    report = feed.meter.report()
    assert (report.totals["received"], report.totals["stored"], report.totals["dead_letters"]) == (
        3,
        2,
        1,
    )
    assert report.unaccounted == 0


def test_a_message_that_is_not_an_event_is_dead_lettered_with_the_field_that_is_wrong():
    store, producer = Store(), FakeKafkaProducer()
    feed = feed_over(store, producer)
    feed._poll_once(
        FakeConsumer([poll(decision("a", 1).to_bytes(), b"{}", topic=LOAN_EXPLANATIONS)])
    )
    assert store.count("explanations") == 0
    [decision_read, empty] = [letter.reason for _, _, letter in letters(producer)]
    assert (
        decision_read.startswith("base_value: Field required")
        and "application_id: Field required" in empty
    )


def test_a_store_that_is_down_commits_nothing_and_the_poll_is_read_again():
    store, producer = RefusingStore(down=True), FakeKafkaProducer()
    consumer = FakeConsumer(
        [
            poll(
                explanation("a", 1).to_bytes(),
                explanation("b", 2).to_bytes(),
                topic=LOAN_EXPLANATIONS,
                first=40,
            )
        ]
    )
    feed = feed_over(store, producer)
    feed._poll_once(consumer)
    assert consumer.commits == 0 and consumer.seeks == [(TP(LOAN_EXPLANATIONS, 0), 40)]
    assert producer.sent == []  # not the messages' fault: no dead letter
    assert feed.meter.report().totals == {}  # nothing counted until it is stored
    store.down = False
    consumer.polls = [
        poll(
            explanation("a", 1).to_bytes(), explanation("b", 2).to_bytes(), topic=LOAN_EXPLANATIONS
        )
    ]
    feed._poll_once(consumer)
    assert store.count("explanations") == 2 and consumer.commits == 1


def test_a_dead_letter_the_broker_did_not_acknowledge_commits_nothing_the_feed_says_it_stalled():
    from kafka.errors import KafkaTimeoutError

    consumer = FakeConsumer(
        [poll(b"garbage", explanation("a", 1).to_bytes(), topic=LOAN_EXPLANATIONS, first=5)]
    )
    feed = feed_over(Store(), FakeKafkaProducer(unacknowledged=KafkaTimeoutError("no ack")))
    feed._poll_once(consumer)
    assert consumer.commits == 0 and consumer.seeks == [(TP(LOAN_EXPLANATIONS, 0), 5)]
    assert feed.producer._producer is None  # replaced at the next poll
    stalled = feed._stalled()
    assert (stalled.kind, stalled.level, stalled.value) == (
        "stalled",
        "alarm",
        1,
    ) and "KafkaTimeoutError" in stalled.detail
    assert feed._stalled().level is None  # nothing failed since


def test_a_poll_read_again_does_not_send_again_the_dead_letters_the_broker_took():
    class CommitFailsOnce(FakeConsumer):
        def commit(self):
            if not self.seeks:
                raise ConnectionError(
                    "coordinator gone"
                )  # after the dead letters were acknowledged
            super().commit()

    store, producer = Store(), FakeKafkaProducer()
    feed = feed_over(store, producer)
    values = (b"garbage", explanation("a", 1).to_bytes())
    consumer = CommitFailsOnce(
        [poll(*values, topic=LOAN_EXPLANATIONS), poll(*values, topic=LOAN_EXPLANATIONS)]
    )
    feed._poll_once(consumer)
    feed._poll_once(consumer)  # read again after the rewind
    assert consumer.commits == 1 and store.count("explanations") == 1
    assert (
        len(producer.sent) == 1
    )  # one dead letter for the garbage, however often the poll is read
    assert feed.meter.report().unaccounted == 0


def test_a_bad_application_or_decision_is_left_to_the_stage_that_dead_letters_it():
    store, producer = Store(), FakeKafkaProducer()
    feed = feed_over(store, producer)
    consumer = FakeConsumer([poll(b"{}", decision("a", 1).to_bytes(), first=9)])
    feed._poll_once(consumer)
    assert producer.sent == [] and consumer.commits == 1 and store.count("decisions") == 1
    report = feed.meter.report()
    assert (report.totals["refused_upstream"], report.totals["stored"], report.unaccounted) == (
        1,
        1,
        0,
    )


def test_the_reconciliation_follows_an_application_without_an_id_under_the_id_the_scorer_gives_it():
    from credit.dead_letters import Message
    from dashboard.intake import _application_id

    assert (
        _application_id(Message(b"1", b'{"SK_ID_CURR": 5}', "loan-applications", 2, 40))
        == "loan-applications-2-40"
    )
    assert _application_id(Message(b"1", b'{"application_id": "a"}', "loan-decisions", 0, 1)) == "a"
    assert _application_id(Message(b"1", b"garbage", "loan-applications", 0, 1)) is None


def test_of_two_events_for_one_application_in_a_poll_the_later_one_is_stored():
    """A poll's events are written in one executemany per kind: still in the order they came."""
    store = Store()
    first, later = explanation("a", 1), explanation("a", 1).model_copy(update={"base_value": 0.07})
    as_sent = json.loads(later.to_bytes())
    as_sent.pop("status")  # a default left out, a time with another offset: the same event
    as_sent["explained_at"] = later.explained_at.astimezone(
        timezone(timedelta(hours=2))
    ).isoformat()
    consumer = FakeConsumer(
        [poll(first.to_bytes(), json.dumps(as_sent).encode(), topic=LOAN_EXPLANATIONS)]
    )
    feed_over(store)._poll_once(consumer)
    [(text,)] = store._db.execute("SELECT event FROM explanations").fetchall()
    assert ApplicationExplained.model_validate_json(text) == later and consumer.commits == 1


def test_an_application_without_an_id_is_stored_with_the_id_it_was_given():
    store = Store()
    sent = application("x", 5).model_dump(mode="json")
    sent.pop("application_id")
    feed = Feed(
        store,
        "127.0.0.1:1",
        metrics_interval_s=3600,
        producer=producer_over(None),
        topics=(LOAN_APPLICATIONS,),
    )
    feed._poll_once(FakeConsumer([poll(json.dumps(sent).encode(), topic=LOAN_APPLICATIONS)]))
    [(key, text)] = store._db.execute("SELECT application_id, event FROM applications").fetchall()
    assert key == "loan-applications-0-100" and '"application_id":"loan-applications-0-100"' in text
