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
from typing import NamedTuple

from credit.events import ApplicationReceived

_NOT_CONTENT = {"application_id", "submitted_at"}
# A batch's rows in one statement each, its ids as one JSON array: row by row (executemany, or
# one `?` per id), each row released and took back the interpreter's lock, waiting behind the
# requests being validated meanwhile.
_IN_IDS = "application_id IN (SELECT value FROM json_each(?))"
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


# The event's JSON begins with its application_id and submitted_at, neither of which can hold a
# quote (an id's pattern, an RFC 3339 time): the Kaggle columns start after the 8th quote's comma.
_START = b'{"application_id":"'
_QUOTES_BEFORE_COLUMNS = 8


def fingerprint(value: bytes) -> str:
    """content_of(event), from the event's own JSON (`event.to_bytes()`): the bytes published are
    serialised once, and their Kaggle columns are the fingerprinted text."""
    if not value.startswith(_START):
        raise ValueError("not an ApplicationReceived's JSON")
    end = -1
    for _ in range(_QUOTES_BEFORE_COLUMNS):
        end = value.index(b'"', end + 1)
    return _FORM + hashlib.sha256(b"{" + value[end + 2 :]).hexdigest()


class Encoded(NamedTuple):
    """An application with its bytes as published and their fingerprint, each computed once."""

    event: ApplicationReceived
    value: bytes
    content: str

    @property
    def application_id(self) -> str:
        return self.event.application_id


def encode(event: ApplicationReceived) -> Encoded:
    value = event.to_bytes()
    return Encoded(event, value, fingerprint(value))


def same_content(stored: str, event: ApplicationReceived, content: str | None = None) -> bool:
    """Whether a ledger's fingerprint, in either form, is the event's (`content`: its
    fingerprint, when already known)."""
    if stored.startswith(_FORM):
        return stored == (content or content_of(event))
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
    new: list[Encoded] = field(default_factory=list)
    duplicates: int = 0
    pending: list[str] = field(default_factory=list)


def unique(items: Sequence[Encoded]) -> tuple[list[Encoded], int]:
    """The batch without repeats of an id with the same content, and how many repeats; Conflict if
    one id comes with two contents."""
    seen: dict[str, str] = {}
    kept, conflicts = [], []
    for item in items:
        if item.application_id not in seen:
            seen[item.application_id] = item.content
            kept.append(item)
        elif seen[item.application_id] != item.content:
            conflicts.append(item.application_id)
    if conflicts:
        raise Conflict(list(dict.fromkeys(conflicts)))
    return kept, len(items) - len(kept)


class Ledger:
    """The application ids seen, with their content and state (reserved or published)."""

    def __init__(self, path: Path, hold_s: float):
        self.path, self.hold_s = Path(path), hold_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def reserve(self, items: Sequence[Encoded]) -> Reservation:
        """Reserves the ids of applications not seen before, all in one transaction; Conflict if an
        id is known with another content. `items` must have distinct ids (see `unique`)."""
        reservation, now = Reservation(owner=uuid.uuid4().hex), time.time()
        by_id = {item.application_id: item for item in items}
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            known = self._known(db, list(by_id), now)
            conflicts = [
                i
                for i, (stored, _) in known.items()
                if not same_content(stored, by_id[i].event, by_id[i].content)
            ]
            if conflicts:
                raise Conflict(conflicts)
            reservation.pending = [i for i, (_, state) in known.items() if state == "reserved"]
            reservation.duplicates = len(known) - len(reservation.pending)
            if reservation.pending:
                return reservation
            reservation.new = [item for item in items if item.application_id not in known]
            db.execute(
                "INSERT OR REPLACE INTO applications SELECT json_extract(value, '$[0]'), "
                "json_extract(value, '$[1]'), 'reserved', ?, ? FROM json_each(?)",
                (
                    reservation.owner,
                    now,
                    json.dumps([(item.application_id, item.content) for item in reservation.new]),
                ),
            )
        return reservation

    def published(self, reservation: Reservation) -> None:
        self._settle(reservation, "UPDATE applications SET state = 'published', owner = NULL")

    def release(self, reservation: Reservation) -> None:
        self._settle(reservation, "DELETE FROM applications")

    def _settle(self, reservation: Reservation, statement: str) -> None:
        ids = json.dumps([item.application_id for item in reservation.new])
        with self._connect() as db:
            # one transaction: in autocommit, each row was its own commit (and disk sync),
            # 0.5–3 ms per application
            db.execute("BEGIN IMMEDIATE")
            db.execute(f"{statement} WHERE owner = ? AND {_IN_IDS}", (reservation.owner, ids))

    def _known(
        self, db: sqlite3.Connection, ids: list[str], now: float
    ) -> dict[str, tuple[str, str]]:
        """id -> (content, state) of the ids already published or reserved (not abandoned)."""
        rows = db.execute(
            f"SELECT application_id, content, state, since FROM applications WHERE {_IN_IDS}",
            (json.dumps(ids),),
        )
        return {
            i: (c, s) for i, c, s, since in rows if s == "published" or now - since < self.hold_s
        }

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
