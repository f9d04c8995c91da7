"""One error format for every refusal: `{"error", "message", "errors": [{index, field, message,
...}]}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.publisher import BrokerUnavailable

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    index: int | None = None  # position in the batch (0 for a single object); None: the whole body
    field: str | None = None  # the application field at fault; None: the item or body as a whole
    message: str
    type: str
    allowed: list[str] | None = None  # the accepted values, for an unknown category value


class ErrorBody(BaseModel):
    error: str
    message: str
    errors: list[FieldError] = []
    application_ids: list[str] | None = (
        None  # only on 503: resubmit with these ids to stay idempotent
    )


class ApiError(Exception):
    """A refusal with its HTTP status, machine-readable code and human message."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        application_ids: list[str] | None = None,
    ):
        super().__init__(message)
        self.status, self.headers = status, headers
        self.body = ErrorBody(
            error=error, message=message, errors=errors or [], application_ids=application_ids
        )


def _respond(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error.body.model_dump(exclude_none=True), status_code=error.status, headers=error.headers
    )


async def _api_error(_: Request, error: ApiError) -> JSONResponse:
    log.info(
        "refused %s: %s (%d field error(s))", error.status, error.body.error, len(error.body.errors)
    )
    return _respond(error)


async def _broker_unavailable(_: Request, error: BrokerUnavailable) -> JSONResponse:
    log.error("broker unavailable: %s", error)
    return _respond(
        ApiError(
            503,
            "broker_unavailable",
            f"{error}; nothing was accepted, retry later",
            headers={"Retry-After": "5"},
        )
    )


async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    code = str(error.detail).lower().replace(" ", "_")
    return _respond(ApiError(error.status_code, code, str(error.detail), headers=error.headers))


async def _request_invalid(_: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        FieldError(field=".".join(map(str, e["loc"][1:])) or None, message=e["msg"], type=e["type"])
        for e in error.errors()
    ]
    return _respond(ApiError(422, "invalid_request", "the request is invalid", errors))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(BrokerUnavailable, _broker_unavailable)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
