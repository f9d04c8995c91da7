"""Idempotency keys: each application_id is published once, with one content, kept in SQLite.

The content of an application is its Kaggle columns (not its id, not its submission time, so a
client's retry with a new timestamp is the same application). An id is reserved before its
application is published, marked published once the broker acknowledged, and released if
publishing failed, so that the client's resubmission is published. A reservation older than
`hold_s` belongs to a process that died while publishing: it counts as released.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from credit.events import ApplicationReceived

_NOT_CONTENT = {"application_id", "submitted_at"}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS applications (\n"
    "    application_id TEXT PRIMARY KEY, content TEXT NOT NULL, state TEXT NOT NULL, owner TEXT,"
    " since REAL NOT NULL)"
)


# The fingerprint's form. Ledgers written before it hold bare digests of sorted-key JSON, 4x
# slower to compute (133 against 33 µs per application); those rows are still compared in
# their own form.
_FORM = "2:"


def content_of(event: ApplicationReceived) -> str:
    """A fingerprint of the application's Kaggle columns (null and absent are the same: the
    event's JSON carries every column, in the schema's order)."""
    digest = hashlib.sha256(event.model_dump_json(exclude=_NOT_CONTENT).encode()).hexdigest()
    return _FORM + digest


def same_content(stored: str, event: ApplicationReceived) -> bool:
    """Whether a ledger's fingerprint, in either form, is the event's."""
    if stored.startswith(_FORM):
        return stored == content_of(event)
    values = event.model_dump(mode="json", exclude=_NOT_CONTENT)
    return stored == hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


class Conflict(Exception):
    """Application ids already used with another content (or twice in one batch with two
    contents)."""

    def __init__(self, ids: list[str]):
        super().__init__(", ".join(ids))
        self.ids = ids


@dataclass
class Reservation:
    """What a batch's reservation found: the applications to publish now, duplicates, and ids
    another request is publishing right now (nothing is reserved while there are any: wait and try
    again)."""

    owner: str
    new: list[ApplicationReceived] = field(default_factory=list)
    duplicates: int = 0
    pending: list[str] = field(default_factory=list)


def unique(events: Sequence[ApplicationReceived]) -> tuple[list[ApplicationReceived], int]:
    """The batch without repeats of an id with the same content, and how many repeats; Conflict if
    one id comes with two contents."""
    seen: dict[str, str] = {}
    kept, conflicts = [], []
    for event in events:
        content = content_of(event)
        if event.application_id not in seen:
            seen[event.application_id] = content
            kept.append(event)
        elif seen[event.application_id] != content:
            conflicts.append(event.application_id)
    if conflicts:
        raise Conflict(list(dict.fromkeys(conflicts)))
    return kept, len(events) - len(kept)


class Ledger:
    """The application ids seen, with their content and state (reserved or published)."""

    def __init__(self, path: Path, hold_s: float):
        self.path, self.hold_s = Path(path), hold_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def reserve(self, events: Sequence[ApplicationReceived]) -> Reservation:
        """Reserves the ids of events not seen before, all in one transaction; Conflict if an id is
        known with another content. `events` must have distinct ids (see `unique`)."""
        reservation, now = Reservation(owner=uuid.uuid4().hex), time.time()
        contents = {e.application_id: content_of(e) for e in events}
        by_id = {e.application_id: e for e in events}
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            known = self._known(db, list(contents), now)
            conflicts = [i for i, (c, _) in known.items() if not same_content(c, by_id[i])]
            if conflicts:
                raise Conflict(conflicts)
            reservation.pending = [i for i, (_, state) in known.items() if state == "reserved"]
            reservation.duplicates = len(known) - len(reservation.pending)
            if reservation.pending:
                return reservation
            reservation.new = [e for e in events if e.application_id not in known]
            db.executemany(
                "INSERT OR REPLACE INTO applications VALUES (?, ?, 'reserved', ?, ?)",
                [
                    (e.application_id, contents[e.application_id], reservation.owner, now)
                    for e in reservation.new
                ],
            )
        return reservation

    def published(self, reservation: Reservation) -> None:
        self._settle(reservation, "UPDATE applications SET state = 'published', owner = NULL")

    def release(self, reservation: Reservation) -> None:
        self._settle(reservation, "DELETE FROM applications")

    def _settle(self, reservation: Reservation, statement: str) -> None:
        ids = [(e.application_id, reservation.owner) for e in reservation.new]
        with self._connect() as db:
            # one transaction: in autocommit, each row was its own commit (and disk sync),
            # 0.5–3 ms per application
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"{statement} WHERE application_id = ? AND owner = ?", ids)

    def _known(
        self, db: sqlite3.Connection, ids: list[str], now: float
    ) -> dict[str, tuple[str, str]]:
        """id -> (content, state) of the ids already published or reserved (not abandoned)."""
        known = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters
            chunk = ids[start : start + 500]
            rows = db.execute(
                f"SELECT application_id, content, state, since FROM applications "
                f"WHERE application_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            known.update(
                {
                    i: (c, s)
                    for i, c, s, since in rows
                    if s == "published" or now - since < self.hold_s
                }
            )
        return known

    def _connect(self) -> sqlite3.Connection:
        return _Connection(self.path)


class _Connection:
    """One short-lived connection: commits when the block ends, rolls back on an exception."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        return self._db

    def __exit__(self, kind, error, trace) -> None:
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self._db.close()
