"""The ingest HTTP API: `POST /v1/applications` and `GET /health`.

Real dependencies are wired in `lifespan`; tests override `get_publisher` with a fake.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager, suppress
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from adapters.prometheus import serve_metrics
from credit.events import ApplicationReceived
from credit.monitoring import Alerts, Meter, instance_name, report_to
from credit.topics import OPS_ALERTS, OPS_METRICS
from ingest.errors import ErrorBody, install_error_handlers
from ingest.idempotency import Ledger
from ingest.openapi import install_openapi
from ingest.publisher import BrokerUnavailable, KafkaPublisher, Publisher
from ingest.security import require_api_key
from ingest.settings import IngestSettings, get_settings
from ingest.submission import Accepted, submit
from ingest.validation import check_content_type, read_batch, too_large

log = logging.getLogger(__name__)
SERVICE = "ingest"


def get_publisher(request: Request) -> Publisher:
    return request.app.state.publisher


def get_ledger(request: Request) -> Ledger:
    return request.app.state.ledger


def get_app_settings(request: Request) -> IngestSettings:
    return request.app.state.settings


PublisherDep = Annotated[Publisher, Depends(get_publisher)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]
SettingsDep = Annotated[IngestSettings, Depends(get_app_settings)]


async def read_applications(request: Request, settings: SettingsDep) -> list[ApplicationReceived]:
    """The request's applications, validated all together (415, 413, 400 or 422 otherwise)."""
    check_content_type(request.headers.get("content-type"))
    if int(request.headers.get("content-length") or 0) > settings.max_body_bytes:
        raise too_large(settings.max_body_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_body_bytes:
            raise too_large(settings.max_body_bytes)
    return read_batch(bytes(body), settings.max_batch_size)


Applications = Annotated[list[ApplicationReceived], Depends(read_applications)]


_REFUSALS = {status: {"model": ErrorBody} for status in (400, 401, 409, 413, 415, 422, 503)}
router = APIRouter(prefix="/v1", tags=["applications"], dependencies=[Depends(require_api_key)])


@router.post(
    "/applications",
    status_code=202,
    response_model=Accepted,
    responses=_REFUSALS,
    summary="Submit one loan application or a batch",
)
async def submit_applications(
    events: Applications,
    publisher: PublisherDep,
    ledger: LedgerDep,
    settings: SettingsDep,
    request: Request,
) -> Accepted:
    """Validates every application, then publishes the new ones to `loan-applications`; answers once
    the broker acknowledged. An application_id already accepted with the same values is a duplicate
    (accepted, not published again); with other values, 409."""
    return await submit(
        events, publisher, ledger, request.app.state.meter, wait_s=settings.acks_timeout_s + 1
    )


health_router = APIRouter(tags=["operations"])


@health_router.get("/health", responses={503: {"description": "the broker is unreachable"}})
async def health(publisher: PublisherDep) -> JSONResponse:
    """Whether the Kafka broker is reachable (200) or not (503)."""
    if await run_in_threadpool(publisher.healthy):
        return JSONResponse({"status": "ok", "broker": "reachable"})
    return JSONResponse({"status": "unavailable", "broker": "unreachable"}, status_code=503)


async def count_requests(request: Request, call_next):
    """Every application request's time and outcome: accepted, refused (4xx) or unavailable
    (503)."""
    started = time.perf_counter()
    response = await call_next(request)
    if request.url.path.startswith("/v1/"):
        meter: Meter = request.app.state.meter
        meter.latency("request", time.perf_counter() - started)
        outcome = (
            "unavailable"
            if response.status_code == 503
            else "refused"
            if response.status_code >= 400
            else "accepted"
        )
        meter.count(f"requests_{outcome}")
    return response


async def report_metrics(app: FastAPI, publisher: Publisher) -> None:
    """Every interval, the meter's report to ops.metrics (lost, not retried, while the broker is
    down)."""
    alerts = Alerts(SERVICE)
    send = lambda topic: lambda event: run_in_threadpool(publisher.publish_all, [event], topic)  # noqa: E731
    while True:
        await asyncio.sleep(app.state.settings.metrics_interval_s)
        try:
            await report_to(app.state.meter, alerts, send(OPS_METRICS), send(OPS_ALERTS))
        except BrokerUnavailable as error:
            log.warning("ops.metrics report not sent: %s", error)


@asynccontextmanager
async def lifespan(app: FastAPI):
    publisher = KafkaPublisher(app.state.settings)
    app.state.publisher = publisher
    app.state.ledger = Ledger(
        app.state.settings.idempotency_db, hold_s=3 * app.state.settings.acks_timeout_s + 10
    )
    reporting = asyncio.create_task(report_metrics(app, publisher))
    metrics = serve_metrics(
        app.state.meter, app.state.settings.metrics_port, app.state.settings.metrics_host
    )
    log.info(
        "ingest started (%s); broker %s",
        app.state.settings.environment,
        app.state.settings.kafka_bootstrap,
    )
    try:
        yield
    finally:
        metrics.close()
        reporting.cancel()
        with suppress(asyncio.CancelledError):
            await reporting
        await run_in_threadpool(publisher.close)


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    app = FastAPI(
        title="Prêt à dépenser — ingest",
        version="1",
        lifespan=lifespan,
        description="Validates loan applications and publishes them to Kafka.",
    )
    app.state.settings = settings or get_settings()
    app.state.meter = Meter(
        SERVICE, instance_name(), outcomes=("sent", "duplicates", "unavailable")
    )
    app.middleware("http")(count_requests)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(health_router)
    install_openapi(app)
    return app
