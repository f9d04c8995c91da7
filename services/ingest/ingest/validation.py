"""Turning a request body into validated `ApplicationReceived` events, all or nothing.

Every item is validated before anything is published; the refusal names each bad field of
each item (index, field, message, and the allowed values of an unknown category).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from credit.events import ApplicationReceived, categories
from ingest.errors import ApiError, FieldError

JSON_TYPES = ("application/json",)
_BATCH = TypeAdapter(list[ApplicationReceived])

_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field: not an application column",
    "float_type": "must be a JSON number (not a string or a boolean)",
    "int_type": "must be a JSON integer (not a string or a boolean)",
    "int_from_float": "must be a whole number (an id)",
    "multiple_of": "must be a whole number (a count or a 0/1 flag)",
    "timezone_aware": (
        "the time needs its timezone, e.g. 2026-12-01T19:45:00Z or 2026-12-01T19:45:00+01:00"
    ),
    "datetime_format": "must be an RFC 3339 date-time with its timezone, e.g. 2026-12-01T19:45:00Z",
    "datetime_type": "must be an RFC 3339 date-time with its timezone, e.g. 2026-12-01T19:45:00Z",
    "string_pattern_mismatch": (
        "must be 1 to 64 letters, digits or . _ : - (starting with a letter or a digit)"
    ),
}


def check_content_type(content_type: str | None) -> None:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in JSON_TYPES and not media_type.endswith("+json"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "send applications as JSON (Content-Type: application/json), "
            f"not {media_type or 'no type'}",
        )


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "body_too_large", f"the request body exceeds {limit} bytes; split the batch"
    )


def read_batch(body: bytes, max_batch_size: int) -> list[ApplicationReceived]:
    """The body's applications, validated all together; ApiError (400, 413, 422) otherwise.

    A valid body is parsed and validated in one pass (pydantic's JSON parser, about half the
    time of json.loads then validating each item). Any body that pass does not accept, a batch
    that is empty or too large, goes through parse_items and validate_batch, which answer every
    refusal: the refusals are theirs alone, with the same index, field and message."""
    events = _valid_at_once(body)
    if events is None or not 0 < len(events) <= max_batch_size:
        return validate_batch(parse_items(body, max_batch_size))
    return events


def _valid_at_once(body: bytes) -> list[ApplicationReceived] | None:
    """The body's applications if it is a valid object or list of them, else None."""
    start = body.lstrip(b" \t\r\n")[:1]
    try:
        if start == b"[":
            return _BATCH.validate_json(body)
        if start == b"{":
            return [ApplicationReceived.model_validate_json(body)]
    except ValidationError:
        pass
    return None


def parse_items(body: bytes, max_batch_size: int) -> list[Any]:
    """The body as a list of items: one JSON object, or a non-empty list of at most
    max_batch_size."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = (
            f" at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise ApiError(400, "malformed_json", f"the body is not valid JSON{where}") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise ApiError(
            422, "empty_batch", "the batch is empty: send one application or a non-empty list"
        )
    if len(items) > max_batch_size:
        raise ApiError(
            413,
            "batch_too_large",
            f"the batch has {len(items)} applications; "
            f"at most {max_batch_size} are accepted per request",
        )
    return items


def validate_batch(items: list[Any]) -> list[ApplicationReceived]:
    """All items as events, or ApiError(422) naming every bad field of every bad item."""
    events, errors = [], []
    for index, item in enumerate(items):
        try:
            events.append(_validate_item(item))
        except ValidationError as error:
            errors += [_field_error(index, e) for e in error.errors(include_input=False)]
        except TypeError:
            errors.append(
                FieldError(
                    index=index, message="an application must be a JSON object", type="object_type"
                )
            )
    if errors:
        bad = len({e.index for e in errors})
        raise ApiError(
            422,
            "invalid_applications",
            f"{bad} of {len(items)} application(s) are invalid ({len(errors)} field error(s)); "
            "nothing was published",
            errors,
        )
    return events


def _validate_item(item: Any) -> ApplicationReceived:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    return ApplicationReceived.model_validate(item)


def _field_error(index: int, error: dict) -> FieldError:
    field = ".".join(str(part) for part in error["loc"]) or None
    allowed = None
    if error["type"] == "literal_error" and field in categories():
        allowed = list(categories()[field])
    elif error["type"] == "literal_error":
        allowed = ["Y", "N"]
    message = _MESSAGES.get(error["type"], error["msg"])
    return FieldError(
        index=index, field=field, message=message, type=error["type"], allowed=allowed
    )
