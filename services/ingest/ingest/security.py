"""API-key authentication: the `X-API-Key` header, compared in constant time with every key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from ingest.errors import ApiError

API_KEY_HEADER = "X-API-Key"

_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="an API key given to the upstream system"
)


def key_matches(given: str, keys: tuple[str, ...]) -> bool:
    """True if given is one of keys; every key is compared, each in constant time."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given.encode(), key.encode())
    return matched


def require_api_key(request: Request, given: Annotated[str | None, Depends(_header)]) -> None:
    keys = request.app.state.settings.api_key_set
    if not given or not key_matches(given, keys):
        problem = "missing" if not given else "not valid"
        raise ApiError(
            401,
            "unauthorized",
            f"the {API_KEY_HEADER} header is {problem}",
            headers={"WWW-Authenticate": "ApiKey"},
        )
