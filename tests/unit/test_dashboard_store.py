"""The dashboard's store: upserts by application id make replays and duplicates harmless."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from credit.dead_letters import Message, Undecodable
from credit.events import (
    ApplicationExplained,
    ApplicationReceived,
    ApplicationReviewed,
    ApplicationScored,
    now,
)
from dashboard.intake import decode
from dashboard.store import FILE, LETTER, Store

pytestmark = pytest.mark.unit


def application(app_id: str, client: int) -> ApplicationReceived:
    return ApplicationReceived(application_id=app_id, SK_ID_CURR=client, AMT_CREDIT=100_000.0)


def decision(
    app_id: str, client: int, pd_: float = 0.05, minutes: int = 0, status: str = "decided"
) -> ApplicationScored:
    return ApplicationScored(
        application_id=app_id,
        client_id=client,
        probability_of_default=pd_,
        decision="refused" if pd_ >= 0.08 else "granted",
        threshold=0.08,
        model_version="v1",
        decided_at=now() + timedelta(minutes=minutes),
        submitted_at=now(),
        timings_ms={},
        features=[1.0, None],
        status=status,
    )


def review(
    app_id: str, client: int, before: str, after: str, minutes: int = 1, kind: str = "review"
):
    return ApplicationReviewed(
        application_id=app_id,
        client_id=client,
        kind=kind,
        reviewer="rachel",
        before=before,
        after=after,
        justification="Revenus stables vérifiés sur pièces.",
        reviewed_at=now() + timedelta(minutes=minutes),
    )


def explanation(app_id: str, client: int) -> ApplicationExplained:
    return ApplicationExplained(
        application_id=app_id,
        client_id=client,
        model_version="v1",
        probability_of_default=0.05,
        decision="granted",
        threshold=0.08,
        base_value=0.06,
        contributions=[{"group": "age", "points": -0.01}],
        feature_points=[-0.01, 0.0],
        reasons=[],
        summary={"fr": "f", "en": "e"},
        decided_at=now(),
        explained_at=now(),
    )


def test_replaying_every_event_twice_leaves_one_row_per_application():
    store = Store()
    events = [
        application("a1", 1),
        decision("a1", 1),
        explanation("a1", 1),
        application("a2", 2),
        decision("a2", 2),
    ]
    store.upsert(events)
    store.upsert(events)
    assert [store.count(t) for t in ("applications", "decisions", "explanations")] == [2, 2, 1]


def test_a_newer_event_for_the_same_application_replaces_the_older_one():
    store = Store()
    store.upsert([decision("a1", 1, 0.05)])
    store.upsert([decision("a1", 1, 0.30)])
    assert store.count("decisions") == 1
    assert store.client_file(1).decision.probability_of_default == 0.30


def test_a_client_file_is_the_latest_decision_with_its_application_and_explanation_when_present():
    store = Store()
    store.upsert(
        [
            application("old", 7),
            decision("old", 7, minutes=-5),
            explanation("old", 7),
            application("new", 7),
            decision("new", 7),
        ]
    )
    file = store.client_file(7)
    assert file.application_id == "new" and file.application.AMT_CREDIT == 100_000.0
    assert file.explanation is None  # not arrived yet: the dashboard says so
    assert store.client_file(8) is None


def test_latest_decisions_are_newest_first_and_say_whether_they_are_explained():
    store = Store()
    store.upsert(
        [decision("a", 1, minutes=-2), decision("b", 2, 0.2, minutes=-1), explanation("a", 1)]
    )
    feed = store.latest_decisions()
    assert [(row["application_id"], bool(row["explained"]), row["decision"]) for row in feed] == [
        ("b", False, "refused"),
        ("a", True, "granted"),
    ]


def test_a_case_to_review_has_no_decision_in_force_until_reviewed_and_the_latest_review_counts():
    store = Store()
    store.upsert([decision("a", 1, 0.081, status="to_review"), decision("b", 2, 0.2, minutes=-1)])
    assert store.client_file(1).in_force is None and store.client_file(2).in_force == "refused"
    assert [r["application_id"] for r in store.latest_decisions(waiting_review=True)] == ["a"]
    overridden, contested = (
        review("a", 1, "refused", "granted"),
        review("a", 1, "granted", "refused", 5, "contestation"),
    )
    store.upsert([overridden, overridden])  # replayed: still one review
    assert store.client_file(1).in_force == "granted" and store.count("reviews") == 1
    assert store.latest_decisions(waiting_review=True) == []
    store.upsert([contested])
    file = store.client_file(1)
    assert file.in_force == "refused" and [r.kind for r in file.reviews] == [
        "review",
        "contestation",
    ]
    assert {r["application_id"]: r["in_force"] for r in store.latest_decisions()} == {
        "a": "refused",
        "b": "refused",
    }


def test_the_decision_history_has_every_decision_and_review_of_the_client_newest_first():
    store = Store()
    store.upsert(
        [
            decision("old", 1, 0.2, minutes=-60),
            decision("new", 1, 0.081, status="to_review"),
            review("new", 1, "refused", "granted"),
            decision("other", 2),
        ]
    )
    history = store.decision_history(1)
    assert [(type(e).__name__, e.application_id) for e in history] == [
        ("ApplicationReviewed", "new"),
        ("ApplicationScored", "new"),
        ("ApplicationScored", "old"),
    ]
    assert history[0].outcome == "overridden" and history[0].reviewer == "rachel"


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_two_reviews_made_at_the_same_instant_count_in_the_order_they_were_stored(order):
    granted = review("a", 1, "refused", "granted")
    refused = review("a", 1, "granted", "refused").model_copy(
        update={"reviewed_at": granted.reviewed_at}
    )
    first, second = ((granted, refused)[i] for i in order)
    store = Store()
    store.upsert([decision("a", 1, 0.081, status="to_review"), first])
    store.upsert([second, first])  # the first replayed: still stored first
    assert store.client_file(1).in_force == second.after
    assert store.client_file(1).reviews == (first, second) and store.decision_history(1)[:2] == [
        second,
        first,
    ]


def test_a_store_written_before_reviews_existed_gains_the_status_column(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "store.db")
    old.execute(
        "CREATE TABLE decisions (application_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL, "
        "decided_at TEXT NOT NULL, probability_of_default REAL NOT NULL, decision TEXT NOT NULL, "
        "threshold REAL NOT NULL, model_version TEXT NOT NULL, event TEXT NOT NULL)"
    )
    old.execute(
        "INSERT INTO decisions VALUES ('a', 1, '2026-01-01', 0.2, 'refused', 0.08, 'v1', ?)",
        (decision("a", 1, 0.2).model_dump_json(),),
    )
    old.commit()
    old.close()
    assert Store(tmp_path / "store.db").client_file(1).in_force == "refused"


def test_every_opened_client_file_is_in_the_access_log():
    store = Store()
    store.record_access("marie", 7, "new")
    store.record_access("paul", 8, None)
    assert [(r["user"], r["client_id"]) for r in store.access_log()] == [("paul", 8), ("marie", 7)]


def test_a_letter_for_the_client_is_in_the_access_log_apart_from_the_file_opened():
    store = Store()
    store.record_access("marie", 7, "new")
    store.record_access("marie", 7, "new", LETTER)
    assert [(r["what"], r["application_id"]) for r in store.access_log()] == [
        (LETTER, "new"),
        (FILE, "new"),
    ]
    with pytest.raises(ValueError):
        store.record_access("marie", 7, "new", "screenshot")


def test_an_access_log_written_before_letters_existed_says_its_rows_were_files_opened(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "store.db")
    old.execute(
        "CREATE TABLE access_log (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, "
        "client_id INTEGER NOT NULL, application_id TEXT, opened_at TEXT NOT NULL)"
    )
    old.execute(
        "INSERT INTO access_log (user, client_id, application_id, opened_at) VALUES ('paul', 8, "
        "'a', 'then')"
    )
    old.commit()
    old.close()
    store = Store(tmp_path / "store.db")
    store.record_access("marie", 8, "a", LETTER)
    assert [(r["user"], r["what"]) for r in store.access_log()] == [
        ("marie", LETTER),
        ("paul", FILE),
    ]


def test_the_store_survives_a_restart_on_disk(tmp_path):
    Store(tmp_path / "store.db").upsert([decision("a1", 1)])
    assert Store(tmp_path / "store.db").count("decisions") == 1


def at(topic: str, value: bytes, offset: int = 7) -> Message:
    return Message(b"1", value, topic, 0, offset)


def test_the_feed_decodes_each_topic_with_its_schema_and_says_why_garbage_is_not_an_event():
    assert decode(at("loan-decisions", decision("a", 1).to_bytes())).application_id == "a"
    with pytest.raises(Undecodable, match="not UTF-8 JSON|Invalid JSON"):
        decode(at("loan-decisions", b"not json"))
    with pytest.raises(Undecodable, match="base_value"):  # a decision is not an explanation
        decode(at("loan-explanations", decision("a", 1).to_bytes()))


def test_an_application_without_an_id_gets_the_same_id_from_its_position_each_time_it_is_read():
    raw = b'{"SK_ID_CURR": 100002, "submitted_at": "2026-12-01T19:45:00+00:00"}'
    first, again = (
        decode(at("loan-applications", raw, 12)),
        decode(at("loan-applications", raw, 12)),
    )
    assert first.application_id == again.application_id == "loan-applications-0-12"
    assert decode(at("loan-applications", raw, 13)).application_id == "loan-applications-0-13"


def test_a_bad_message_keeps_one_dead_letter_per_stage_and_an_older_store_keeps_its_dead_letters(
    tmp_path,
):
    import sqlite3

    from credit.dead_letters import dead_letter

    path = tmp_path / "old.db"
    with sqlite3.connect(
        path
    ) as db:  # the table as stores made before dashboard.dlq existed had it
        db.execute(
            "CREATE TABLE dead_letters (source_topic TEXT NOT NULL, source_partition INTEGER NOT "
            "NULL, source_offset INTEGER NOT NULL, service TEXT NOT NULL, reason TEXT NOT NULL, "
            "failed_at TEXT NOT NULL, event TEXT NOT NULL, PRIMARY KEY (source_topic, "
            "source_partition, source_offset))"
        )
        db.execute(
            "INSERT INTO dead_letters VALUES ('loan-applications', 0, 1, 'scorer', 'old', "
            "'2026-11-30', '{}')"
        )
    store = Store(path)
    store.upsert(
        [
            dead_letter(b"{", "message: Invalid JSON", "loan-applications", 0, 5, service)
            for service in ("scorer", "dashboard")
        ]
    )
    assert store.count("dead_letters") == 3
    assert {(r["service"], r["messages"]) for r in store.dead_letter_reasons()} == {
        ("scorer", 1),
        ("dashboard", 1),
        ("scorer", 1),
    }
    assert Store(path).count("dead_letters") == 3  # opened again: nothing to move


def test_a_new_store_file_has_pages_an_explanation_fits_in_and_an_older_one_keeps_its_own(tmp_path):
    older = sqlite3.connect(tmp_path / "older.db")
    older.execute("PRAGMA journal_mode=WAL")
    older.execute(
        "CREATE TABLE explanations (application_id TEXT PRIMARY KEY, "
        "client_id INTEGER NOT NULL, explained_at TEXT NOT NULL, event TEXT NOT NULL)"
    )
    older.close()
    new, kept = Store(tmp_path / "new.db"), Store(tmp_path / "older.db")
    for store in (new, kept):
        store.upsert([explanation("a", 1)])
    pages = [s._db.execute("PRAGMA page_size").fetchone()[0] for s in (new, kept)]
    assert pages == [16384, 4096]
    assert [s.count("explanations") for s in (new, kept)] == [1, 1]
