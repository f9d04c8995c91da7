"""Decoding incoming events, and what is kept of those that cannot be processed."""
from __future__ import annotations

import base64

from pydantic import ValidationError

from credit.events import ApplicationReceived, DeadLettered


class Undecodable(ValueError):
    """A message that is not a valid event; the text says why, field by field."""


def decode_application(raw: bytes | None) -> dict:
    """The application event in `raw`, as a dict of typed values; Undecodable says what is wrong."""
    if not raw:
        raise Undecodable("empty message")
    try:
        return ApplicationReceived.from_bytes(raw).model_dump()
    except ValidationError as error:
        raise Undecodable(describe(error)) from None
    except UnicodeDecodeError:
        raise Undecodable("not UTF-8 JSON") from None


def describe(error: ValidationError, limit: int = 10) -> str:
    """'field: problem; field: problem' for the first `limit` problems of a validation error."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}" for e in error.errors()[:limit]]
    more = len(error.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def dead_letter(raw: bytes | None, reason: str, topic: str, partition: int, offset: int, service: str) -> DeadLettered:
    return DeadLettered(reason=reason, source_topic=topic, source_partition=partition, source_offset=offset,
                        original=base64.b64encode(raw or b"").decode(), service=service)
