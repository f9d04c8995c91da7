"""The dashboard's embedded store: the topics' events materialised in SQLite, one row per application.

Every write is an upsert keyed by application_id, so a replayed or duplicated message changes
nothing; a newer event for the same application replaces the older one.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from credit.events import ApplicationExplained, ApplicationReceived, ApplicationScored, now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (application_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL,
    submitted_at TEXT NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (application_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL,
    decided_at TEXT NOT NULL, probability_of_default REAL NOT NULL, decision TEXT NOT NULL,
    threshold REAL NOT NULL, model_version TEXT NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS explanations (application_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL,
    explained_at TEXT NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_log (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,
    client_id INTEGER NOT NULL, application_id TEXT, opened_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_by_time ON decisions (decided_at);
CREATE INDEX IF NOT EXISTS decisions_by_client ON decisions (client_id);
"""
_UPSERTS = {
    ApplicationReceived: ("applications", ("application_id", "client_id", "submitted_at")),
    ApplicationScored: ("decisions", ("application_id", "client_id", "decided_at", "probability_of_default",
                                      "decision", "threshold", "model_version")),
    ApplicationExplained: ("explanations", ("application_id", "client_id", "explained_at")),
}


class Store:
    """Thread-safe: the feed thread writes while browser sessions read."""

    def __init__(self, path: Path | str = ":memory:"):
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    def upsert(self, events) -> int:
        """Write events (any mix of the three kinds) in one transaction; returns how many."""
        with self._lock, self._db:
            for event in events:
                table, columns = _UPSERTS[type(event)]
                values = [_column(event, c) for c in columns] + [event.model_dump_json()]
                names = ", ".join((*columns, "event"))
                updates = ", ".join(f"{c} = excluded.{c}" for c in (*columns[1:], "event"))
                self._db.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))}) "
                                 f"ON CONFLICT(application_id) DO UPDATE SET {updates}", values)
        return len(events)

    def count(self, table: str) -> int:
        if table not in {t for t, _ in _UPSERTS.values()}:
            raise ValueError(f"unknown table {table!r}")
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def latest_decisions(self, limit: int = 50) -> list[dict]:
        """The newest decisions first, with whether their explanation has arrived."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.application_id, d.client_id, d.decided_at, d.probability_of_default, d.decision, "
                "d.threshold, e.application_id IS NOT NULL AS explained FROM decisions d "
                "LEFT JOIN explanations e USING (application_id) ORDER BY d.decided_at DESC LIMIT ?", (limit,))
            return [dict(row) for row in rows]

    def client_file(self, client_id: int) -> dict | None:
        """A client's latest decided application: its application, decision and explanation events."""
        with self._lock:
            row = self._db.execute(
                "SELECT d.application_id, a.event AS application, d.event AS decision, e.event AS explanation "
                "FROM decisions d LEFT JOIN applications a USING (application_id) "
                "LEFT JOIN explanations e USING (application_id) WHERE d.client_id = ? "
                "ORDER BY d.decided_at DESC LIMIT 1", (client_id,)).fetchone()
        if row is None:
            return None
        return {"application_id": row["application_id"],
                "application": _event(ApplicationReceived, row["application"]),
                "decision": ApplicationScored.model_validate_json(row["decision"]),
                "explanation": _event(ApplicationExplained, row["explanation"])}

    def record_access(self, user: str, client_id: int, application_id: str | None) -> None:
        """Who opened which client file, when: kept for the lender's audit."""
        with self._lock, self._db:
            self._db.execute("INSERT INTO access_log (user, client_id, application_id, opened_at) VALUES (?, ?, ?, ?)",
                             (user, client_id, application_id, now().isoformat()))

    def access_log(self, limit: int = 100) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT user, client_id, application_id, opened_at FROM access_log "
                                    "ORDER BY id DESC LIMIT ?", (limit,))
            return [dict(row) for row in rows]


def _column(event, column: str):
    if column == "client_id" and isinstance(event, ApplicationReceived):
        return event.SK_ID_CURR  # applications name the client with the Kaggle key
    value = getattr(event, column)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _event(schema, raw: str | None):
    return None if raw is None else schema.model_validate_json(raw)
