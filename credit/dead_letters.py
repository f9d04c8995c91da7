"""Decoding incoming events, and what is kept of those that cannot be processed."""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from pydantic import ValidationError

from credit.events import ApplicationReceived, ApplicationScored, DeadLettered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """What a worker needs of a consumed message (no Kafka library here)."""
    key: bytes | None
    value: bytes | None
    topic: str
    partition: int
    offset: int


class Undecodable(ValueError):
    """A message that is not a valid event; the text says why, field by field."""


def _decode(raw: bytes | None, schema):
    if not raw:
        raise Undecodable("empty message")
    try:
        return schema.from_bytes(raw)
    except ValidationError as error:
        raise Undecodable(describe(error)) from None
    except UnicodeDecodeError:
        raise Undecodable("not UTF-8 JSON") from None


def decode_application(raw: bytes | None) -> dict:
    """The application event in `raw`, as a dict of typed values; Undecodable says what is wrong."""
    return _decode(raw, ApplicationReceived).model_dump()


def decode_decision(raw: bytes | None) -> ApplicationScored:
    """The decision event in `raw`; Undecodable says what is wrong."""
    return _decode(raw, ApplicationScored)


def describe(error: ValidationError, limit: int = 10) -> str:
    """'field: problem; field: problem' for the first `limit` problems of a validation error."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}" for e in error.errors()[:limit]]
    more = len(error.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def dead_letter_of(message: Message, reason: str, service: str) -> DeadLettered:
    """The dead letter of a consumed message, logged by position (never its content)."""
    log.warning("%s dead-letters %s[%d]@%d: %s", service, message.topic, message.partition, message.offset, reason[:200])
    return dead_letter(message.value, reason, message.topic, message.partition, message.offset, service)


def dead_letter(raw: bytes | None, reason: str, topic: str, partition: int, offset: int, service: str) -> DeadLettered:
    return DeadLettered(reason=reason, source_topic=topic, source_partition=partition, source_offset=offset,
                        original=base64.b64encode(raw or b"").decode(), service=service)
