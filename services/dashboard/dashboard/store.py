"""The dashboard's embedded store: the topics' events materialised in SQLite, one row per
application (per review, report, alert or dead letter for those).

Every write is an upsert by the event's key, so a replayed or duplicated message changes nothing;
a newer event for the same application replaces the older one. Operations reports are kept
REPORTS_KEPT, alerts and dead letters OPERATIONS_KEPT; dead letters without their original message
(it holds an applicant's data).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credit.decision import DECIDED, TO_REVIEW
from credit.events import (
    AlertRaised,
    ApplicationExplained,
    ApplicationReceived,
    ApplicationReviewed,
    ApplicationScored,
    DeadLettered,
    ServiceReported,
    now,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (application_id TEXT PRIMARY KEY,
    client_id INTEGER NOT NULL, submitted_at TEXT NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (application_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL,
    decided_at TEXT NOT NULL, probability_of_default REAL NOT NULL, decision TEXT NOT NULL,
    threshold REAL NOT NULL, model_version TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'decided',
    event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS explanations (application_id TEXT PRIMARY KEY,
    client_id INTEGER NOT NULL, explained_at TEXT NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (review_id TEXT PRIMARY KEY, application_id TEXT NOT NULL,
    client_id INTEGER NOT NULL, reviewed_at TEXT NOT NULL, after TEXT NOT NULL,
    event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_by_application ON reviews (application_id, reviewed_at);
CREATE INDEX IF NOT EXISTS reviews_by_client ON reviews (client_id);
CREATE TABLE IF NOT EXISTS reports (service TEXT NOT NULL, instance TEXT NOT NULL, at TEXT NOT NULL,
    event TEXT NOT NULL, PRIMARY KEY (service, instance, at));
CREATE INDEX IF NOT EXISTS reports_by_time ON reports (at);
CREATE TABLE IF NOT EXISTS alerts (service TEXT NOT NULL, kind TEXT NOT NULL,
    subject TEXT NOT NULL, level TEXT NOT NULL, at TEXT NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (service, kind, subject, level, at));
CREATE TABLE IF NOT EXISTS dead_letters (source_topic TEXT NOT NULL,
    source_partition INTEGER NOT NULL, source_offset INTEGER NOT NULL, service TEXT NOT NULL,
    reason TEXT NOT NULL, failed_at TEXT NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (source_topic, source_partition, source_offset, service));
CREATE INDEX IF NOT EXISTS dead_letters_by_time ON dead_letters (failed_at);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (at);
CREATE TABLE IF NOT EXISTS access_log (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,
    client_id INTEGER NOT NULL, application_id TEXT, opened_at TEXT NOT NULL,
    what TEXT NOT NULL DEFAULT 'file');
CREATE INDEX IF NOT EXISTS decisions_by_time ON decisions (decided_at);
CREATE INDEX IF NOT EXISTS decisions_by_client ON decisions (client_id);
"""
_UPSERTS = {  # event -> table, its key columns, its other columns
    ApplicationReceived: ("applications", ("application_id",), ("client_id", "submitted_at")),
    ApplicationScored: (
        "decisions",
        ("application_id",),
        (
            "client_id",
            "decided_at",
            "probability_of_default",
            "decision",
            "threshold",
            "model_version",
            "status",
        ),
    ),
    ApplicationExplained: ("explanations", ("application_id",), ("client_id", "explained_at")),
    ApplicationReviewed: (
        "reviews",
        ("review_id",),
        ("application_id", "client_id", "reviewed_at", "after"),
    ),
    ServiceReported: ("reports", ("service", "instance", "at"), ()),
    AlertRaised: ("alerts", ("service", "kind", "subject", "level", "at"), ()),
    # one per message and stage: a bad application is the scorer's dead letter and the dashboard's
    DeadLettered: (
        "dead_letters",
        ("source_topic", "source_partition", "source_offset", "service"),
        ("reason", "failed_at"),
    ),
}
REPORTS_KEPT = timedelta(
    days=2
)  # what the operations page can show; ops.metrics itself keeps 7 days
OPERATIONS_KEPT = timedelta(
    days=30
)  # alerts and dead letters (the dead-letter topics keep every message)
FILE, LETTER = (
    "file",
    "letter",
)  # what the access log records: a client file opened, a letter for the client produced
# Reviews in the order they were made; two with the same time in the order they were stored
# (a client's reviews come in one partition, so in the order they were published).
_REVIEW_ORDER = "reviewed_at, rowid"
# The decision in force: the latest review's, else the scorer's when it decided, else none yet (to
# review).
_IN_FORCE = (
    "COALESCE((SELECT r.after FROM reviews r WHERE r.application_id = d.application_id "
    "ORDER BY r.reviewed_at DESC, r.rowid DESC LIMIT 1), "
    f"CASE d.status WHEN '{DECIDED}' THEN d.decision END)"
)


def _statement(table: str, key: tuple[str, ...], others: tuple[str, ...]) -> str:
    columns = (*key, *others, "event")
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*others, "event"))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT({', '.join(key)}) DO UPDATE SET {updates}"
    )


_STATEMENTS = {kind: _statement(*upsert) for kind, upsert in _UPSERTS.items()}
PAGE_SIZE = 16384


@dataclass(frozen=True)
class ClientFileRecord:
    """A client's latest decided application as the store holds it: its events and the decision in
    force."""

    application_id: str
    application: ApplicationReceived | None  # None: the application itself not arrived (yet)
    decision: ApplicationScored
    explanation: ApplicationExplained | None  # None: not arrived yet
    reviews: tuple[ApplicationReviewed, ...]  # in the order they were made
    in_force: str | None  # the store's _IN_FORCE; None: waiting for a reviewer


class StoreUnavailable(Exception):
    """The database cannot be written now (locked, disk full or failing): not any one event's
    fault."""


class Store:
    """Thread-safe: the feed thread writes while browser sessions read."""

    def __init__(self, path: Path | str = ":memory:"):
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        if str(path) != ":memory:":
            # Pages of 16 KB (a new store's; SQLite's are 4 KB): an 8 KB explanation fits one page,
            # not a chain of overflow pages (the client feed alone, 4 alternate runs: 222 -> 194 µs
            # of CPU per event).
            self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            # The write-ahead log: one sync per commit (a poll's), where the rollback journal made
            # several, and readers do not wait for the feed's writes. synchronous stays FULL: the
            # topics' tables could be rebuilt from Kafka, but the access log is kept here only.
            self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._add_column(
                "decisions", "status", "'decided'"
            )  # a store written before reviews existed
            self._add_column(
                "access_log", "what", f"'{FILE}'"
            )  # written when only client files were opened
            keyed = [c[1] for c in self._db.execute("PRAGMA table_info(dead_letters)") if c[5]]
            if (
                keyed and "service" not in keyed
            ):  # a store written when one dead letter per message was kept
                self._db.execute("ALTER TABLE dead_letters RENAME TO dead_letters_before")
                self._db.execute("DROP INDEX IF EXISTS dead_letters_by_time")
            self._db.executescript(_SCHEMA)
            if keyed and "service" not in keyed:
                self._db.execute("INSERT INTO dead_letters SELECT * FROM dead_letters_before")
                self._db.execute("DROP TABLE dead_letters_before")

    def _add_column(self, table: str, column: str, default: str) -> None:
        """A column an older store's existing table lacks, filled with `default` (new stores get it
        from _SCHEMA)."""
        columns = {c[1] for c in self._db.execute(f"PRAGMA table_info({table})")}
        if columns and column not in columns:
            self._db.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT {default}"
            )

    def upsert(self, events) -> int:
        """Write events (any mix of the kinds) in one transaction, or none of them; returns how
        many.

        Raises StoreUnavailable when the database cannot be written, anything else for an event it
        refuses."""
        with self._writing():
            self._upsert(events)
        return len(events)

    def upsert_each(self, events) -> list[Exception | None]:
        """Write each event on its own but in one transaction (one commit): an event refused (its
        error in the list, else None) leaves the others written. Raises StoreUnavailable when the
        database cannot be written."""
        errors: list[Exception | None] = []
        with self._writing():
            self._db.execute("BEGIN")
            for event in events:
                self._db.execute("SAVEPOINT event")
                try:
                    self._upsert([event])
                    errors.append(None)
                except sqlite3.OperationalError:
                    raise
                except Exception as error:  # noqa: BLE001 - this event's, reported to the caller
                    self._db.execute("ROLLBACK TO event")
                    errors.append(error)
                self._db.execute("RELEASE event")
        return errors

    @contextmanager
    def _writing(self):
        """One transaction under the lock; a database that cannot be written is StoreUnavailable."""
        try:
            with self._lock, self._db:
                yield
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(str(error)) from error

    def _upsert(self, events) -> None:
        """One executemany per kind of event, in the order they came (a later event for the same
        key replaces the earlier one, as row by row): the statement is prepared once per poll."""
        rows: dict[type, list] = {}
        for event in events:
            kind = type(event)
            table, key, others = _UPSERTS[kind]
            rows.setdefault(kind, []).append(
                [_column(event, c) for c in (*key, *others)] + [_stored(event)]
            )
        for kind, values in rows.items():
            self._db.executemany(_STATEMENTS[kind], values)

    def explained(self, application_ids) -> set[str]:
        """Which of these applications have their explanation stored."""
        ids, found = list(application_ids), set()
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                found.update(
                    r[0]
                    for r in self._db.execute(
                        "SELECT application_id FROM explanations "
                        f"WHERE application_id IN ({', '.join('?' * len(chunk))})",
                        chunk,
                    )
                )
        return found

    def count(self, table: str) -> int:
        if table not in {t for t, _, _ in _UPSERTS.values()}:
            raise ValueError(f"unknown table {table!r}")
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def latest_decisions(self, limit: int = 50, waiting_review: bool = False) -> list[dict]:
        """The newest decisions first, with the decision in force (None: waiting for a reviewer) and
        whether their explanation has arrived; waiting_review: only those still waiting for a
        reviewer."""
        waiting = f"WHERE status = '{TO_REVIEW}' AND in_force IS NULL " if waiting_review else ""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM (SELECT d.application_id, d.client_id, d.decided_at, "
                "d.probability_of_default, "
                f"d.decision, d.threshold, d.status, {_IN_FORCE} AS in_force, "
                "e.application_id IS NOT NULL AS explained FROM decisions d "
                f"LEFT JOIN explanations e USING (application_id)) {waiting}"
                "ORDER BY decided_at DESC LIMIT ?",
                (limit,),
            )
            return [dict(row) for row in rows]

    def client_file(self, client_id: int) -> ClientFileRecord | None:
        """A client's latest decided application: its events and the decision in force."""
        with self._lock:
            row = self._db.execute(
                "SELECT d.application_id, a.event AS application, d.event AS decision, "
                "e.event AS explanation, "
                f"{_IN_FORCE} AS in_force "
                "FROM decisions d LEFT JOIN applications a USING (application_id) "
                "LEFT JOIN explanations e USING (application_id) WHERE d.client_id = ? "
                "ORDER BY d.decided_at DESC LIMIT 1",
                (client_id,),
            ).fetchone()
            if row is None:
                return None
            reviews = self._db.execute(
                f"SELECT event FROM reviews WHERE application_id = ? ORDER BY {_REVIEW_ORDER}",
                (row["application_id"],),
            ).fetchall()
        return ClientFileRecord(
            row["application_id"],
            _event(ApplicationReceived, row["application"]),
            ApplicationScored.model_validate_json(row["decision"]),
            _event(ApplicationExplained, row["explanation"]),
            tuple(ApplicationReviewed.model_validate_json(r["event"]) for r in reviews),
            row["in_force"],
        )

    def decision_history(self, client_id: int, limit: int = 100) -> list:
        """The decisions on the client's applications and the reviews of them, the newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT decided_at AS at, 0 AS kind, rowid AS n, event FROM decisions "
                "WHERE client_id = ? UNION ALL "
                "SELECT reviewed_at, 1, rowid, event FROM reviews WHERE client_id = ? "
                "ORDER BY at DESC, kind DESC, n DESC LIMIT ?",
                (client_id, client_id, limit),
            ).fetchall()
        return [
            (ApplicationReviewed if r["kind"] else ApplicationScored).model_validate_json(
                r["event"]
            )
            for r in rows
        ]

    def reports_after(self, row: int, since: datetime) -> list[tuple[int, str]]:
        """Reports stored after row id `row` and made since `since`, as (row id, event JSON) in
        storage order: unparsed, so the lock is held only for the query."""
        with self._lock:
            return [
                tuple(r)
                for r in self._db.execute(
                    "SELECT rowid, event FROM reports WHERE rowid > ? AND at >= ? ORDER BY rowid",
                    (row, since.isoformat()),
                )
            ]

    def latest_alerts(self, limit: int = 50) -> list[AlertRaised]:
        with self._lock:
            rows = self._db.execute("SELECT event FROM alerts ORDER BY at DESC LIMIT ?", (limit,))
            return [AlertRaised.model_validate_json(r["event"]) for r in rows]

    def dead_letter_reasons(self, limit: int = 20) -> list[dict]:
        """Dead letters grouped by topic, service and reason: how many, and the latest time; most
        frequent first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source_topic, service, reason, COUNT(*) AS messages, "
                "MAX(failed_at) AS latest "
                "FROM dead_letters GROUP BY source_topic, service, reason "
                "ORDER BY messages DESC, latest DESC LIMIT ?",
                (limit,),
            )
            return [dict(row) for row in rows]

    def forget_old_operations(self) -> int:
        """Delete reports older than REPORTS_KEPT, alerts and dead letters older than
        OPERATIONS_KEPT; returns how many. The newest report stays, so new reports' row ids keep
        growing (the operations page reads by row id)."""
        at = now()
        with self._lock, self._db:
            return sum(
                self._db.execute(sql, ((at - kept).isoformat(),)).rowcount
                for sql, kept in (
                    (
                        "DELETE FROM reports WHERE at < ? "
                        "AND rowid < (SELECT MAX(rowid) FROM reports)",
                        REPORTS_KEPT,
                    ),
                    ("DELETE FROM alerts WHERE at < ?", OPERATIONS_KEPT),
                    ("DELETE FROM dead_letters WHERE failed_at < ?", OPERATIONS_KEPT),
                )
            )

    def record_access(
        self, user: str, client_id: int, application_id: str | None, what: str = FILE
    ) -> None:
        """Who opened which client file (FILE) or produced which letter for the client (LETTER),
        when: kept for the lender's audit."""
        if what not in (FILE, LETTER):
            raise ValueError(f"unknown access {what!r}")
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO access_log (user, client_id, application_id, opened_at, what) "
                "VALUES (?, ?, ?, ?, ?)",
                (user, client_id, application_id, now().isoformat(), what),
            )

    def access_log(self, limit: int = 100) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT user, client_id, application_id, opened_at, what FROM access_log "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            )
            return [dict(row) for row in rows]


def _stored(event) -> str:
    if isinstance(
        event, DeadLettered
    ):  # the reason is what operations need; the original is an applicant's data
        return event.model_dump_json(exclude={"original"})
    return event.model_dump_json()


def _column(event, column: str):
    if column == "client_id" and isinstance(event, ApplicationReceived):
        return event.SK_ID_CURR  # applications name the client with the Kaggle key
    value = getattr(event, column)
    # Times in UTC, so that SQL orders them as times: an event may carry any offset (RFC 3339).
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _event(schema, raw: str | None):
    return None if raw is None else schema.model_validate_json(raw)
