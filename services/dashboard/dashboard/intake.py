"""What the dashboard's feeds do with one poll of messages: store the events, dead-letter what is
not an event or what the store refuses, and tell the reconciliation what it follows. Per message,
never per poll.

A bad application or decision is the scorer's or the explainer's dead letter (the same schema
refuses it there): the dashboard counts it, and dead-letters only what it alone fails on."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from credit.dead_letters import (
    Message,
    Undecodable,
    cause,
    decode_event,
    derived_id,
    read_application,
)
from credit.events import (
    AlertRaised,
    ApplicationExplained,
    ApplicationReceived,
    ApplicationReviewed,
    ApplicationScored,
    DeadLettered,
    ServiceReported,
)
from credit.reconciliation import Reconciliation
from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
    LOAN_REVIEWS,
    OPS_ALERTS,
    OPS_METRICS,
)
from dashboard.store import StoreUnavailable

log = logging.getLogger(__name__)
SCHEMAS = {
    LOAN_APPLICATIONS: ApplicationReceived,
    LOAN_DECISIONS: ApplicationScored,
    LOAN_EXPLANATIONS: ApplicationExplained,
    LOAN_REVIEWS: ApplicationReviewed,
    OPS_METRICS: ServiceReported,
    OPS_ALERTS: AlertRaised,
    APPLICATIONS_DLQ: DeadLettered,
    DECISIONS_DLQ: DeadLettered,
    DASHBOARD_DLQ: DeadLettered,
}


def decode(message: Message):
    """The event in a message; Undecodable says why it is not a valid one."""
    if message.topic == LOAN_APPLICATIONS:
        return read_application(message)
    return decode_event(message.value, SCHEMAS[message.topic])


# Topics whose bad messages their consumer stage dead-letters already (the same schemas): not the
# dashboard's own.
REFUSED_UPSTREAM = {LOAN_APPLICATIONS: "scorer", LOAN_DECISIONS: "explainer"}


@dataclass
class Outcome:
    """What became of one poll's messages; each message is counted once."""

    stored: list = field(default_factory=list)  # the events written
    dead_letters: int = 0  # sent to dashboard.dlq (and acknowledged)
    refused_upstream: int = 0  # not valid events, dead-lettered by the stage that consumes them
    reconciled: int = 0  # read for the reconciliation only


class Intake:
    """Stores the events of `topics`; the other messages read are for the reconciliation only."""

    def __init__(
        self, store, topics: tuple[str, ...], reconciliation: Reconciliation | None = None
    ):
        self.store, self.topics, self.reconciliation = store, topics, reconciliation

    def handle(self, messages: list[Message], publish_dead) -> Outcome:
        """Each message stored, dead-lettered through `publish_dead` (which raises when the broker
        does not acknowledge), left to the stage that dead-letters it, or reconciled;
        StoreUnavailable escapes."""
        outcome, events, letters = Outcome(), [], []
        for message in messages:
            if message.topic not in self.topics:  # read for the reconciliation only
                self.reconciliation.message(
                    message.topic, message.partition, message.offset, _application_id(message)
                )
                outcome.reconciled += 1
                continue
            try:
                events.append((message, decode(message)))
            except Undecodable as error:
                if message.topic in REFUSED_UPSTREAM:
                    outcome.refused_upstream += 1
                else:
                    letters.append((message, str(error)))
        stored, refused = self._store(events)
        letters += refused
        publish_dead([(m, reason) for m, reason in letters if not _is_own(m, reason)])
        for message, event in stored:
            if isinstance(event, DeadLettered) and self.reconciliation:
                self.reconciliation.dead_letter(
                    message.topic, event.source_topic, event.source_partition, event.source_offset
                )
        outcome.stored, outcome.dead_letters = [event for _, event in stored], len(letters)
        return outcome

    def _store(self, events: list) -> tuple[list, list]:
        """(message, event) pairs stored, and (message, reason) pairs the store refused;
        StoreUnavailable escapes."""
        try:
            self.store.upsert([event for _, event in events])
            return events, []
        except StoreUnavailable:
            raise
        except Exception:  # noqa: BLE001 - one event the store refuses must not sink the poll: one by one
            pass
        errors = self.store.upsert_each([event for _, event in events])
        return (
            [pair for pair, error in zip(events, errors) if error is None],
            [
                (message, f"cannot be stored: {cause(error)}")
                for (message, _), error in zip(events, errors)
                if error
            ],
        )


def _application_id(message: Message) -> str | None:
    """The application a message is about, when it says (the reconciliation follows the others by
    position): what json.loads of the whole message says, read without parsing it when it can be."""
    # the id only, not the whole event's validation: an invalid one is dead-lettered by its position
    # anyway
    try:
        if (known := _leading_id(message.value)) is not None:
            return known
        event = json.loads(message.value)
        if message.topic == LOAN_APPLICATIONS and "application_id" not in event:
            return derived_id(message)  # as the scorer names it
        return event["application_id"] if isinstance(event["application_id"], str) else None
    except Exception:  # noqa: BLE001 - unreadable: its stage's dead letter names its position
        return None


# An object whose first key is application_id, a string without escapes or control characters.
_LEADING_ID = re.compile(
    rb'[ \t\n\r]*\{[ \t\n\r]*"application_id"[ \t\n\r]*:[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*,'
)


def _leading_id(raw: bytes | None) -> str | None:
    """The application_id of an event as our services write it (the first key, and the only one),
    found without parsing the rest; None whenever json.loads could read another (a key written
    with escapes, a duplicate, which json.loads reads last, not an object, not UTF-8). The rest is
    not checked: a broken message that begins so gives its id, where json.loads gives none; its
    stage dead-letters it all the same, and the reconciliation closes it by position."""
    found = _LEADING_ID.match(raw) if isinstance(raw, bytes) else None
    if (
        found is None
        or not raw.rstrip(b" \t\n\r").endswith(b"}")
        or raw.find(b'"application_id"', found.end()) >= 0
        # only \u escapes write letters: a key with none that reads application_id is found above
        or (raw.find(b"\\", found.end()) >= 0 and raw.find(b"\\u", found.end()) >= 0)
        or not _utf8(raw)  # json.loads refuses it
    ):
        return None
    return found[1].decode()


def _utf8(raw: bytes) -> bool:
    if raw.isascii():
        return True
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def _is_own(message: Message, reason: str) -> bool:
    """A message of dashboard.dlq itself is already a dead letter: said in the log, not sent again
    (no loop)."""
    if message.topic != DASHBOARD_DLQ:
        return False
    log.error(
        "%s[%d]@%d cannot be stored either: %s",
        message.topic,
        message.partition,
        message.offset,
        reason[:200],
    )
    return True
