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
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from credit.events import ApplicationReceived
from credit.monitoring import Alerts, Meter, instance_name, report_to
from credit.topics import OPS_ALERTS, OPS_METRICS
from ingest.errors import ApiError, ErrorBody, install_error_handlers
from ingest.openapi import APPLICATIONS_BODY, install_openapi
from ingest.publisher import BrokerUnavailable, KafkaPublisher, Publisher
from ingest.security import require_api_key
from ingest.settings import IngestSettings, get_settings
from ingest.validation import check_content_type, parse_items, too_large, validate_batch

log = logging.getLogger(__name__)
SERVICE = "ingest"


def get_publisher(request: Request) -> Publisher:
    return request.app.state.publisher


def get_app_settings(request: Request) -> IngestSettings:
    return request.app.state.settings


PublisherDep = Annotated[Publisher, Depends(get_publisher)]
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
    return validate_batch(parse_items(bytes(body), settings.max_batch_size))


Applications = Annotated[list[ApplicationReceived], Depends(read_applications)]


class Accepted(BaseModel):
    accepted: int
    application_ids: list[str]


_REFUSALS = {status: {"model": ErrorBody} for status in (400, 401, 413, 415, 422, 503)}
router = APIRouter(prefix="/v1", tags=["applications"], dependencies=[Depends(require_api_key)])


@router.post("/applications", status_code=202, response_model=Accepted, responses=_REFUSALS,
             openapi_extra=APPLICATIONS_BODY, summary="Submit one loan application or a batch")
async def submit_applications(events: Applications, publisher: PublisherDep, request: Request) -> Accepted:
    """Validates every application, then publishes them all to `loan-applications`; answers once the broker acknowledged."""
    ids = [event.application_id for event in events]
    meter: Meter = request.app.state.meter
    meter.count("received", len(ids))
    try:
        await run_in_threadpool(publisher.publish_all, events)
        meter.count("sent", len(ids))
    except BrokerUnavailable as error:
        raise ApiError(503, "broker_unavailable", f"{error}. The applications may not have been recorded: resubmit "
                       "them later with these application_ids so duplicates are recognised",
                       headers={"Retry-After": "5"}, application_ids=ids) from error
    log.info("accepted %d application(s): %s", len(ids), ", ".join(ids))
    return Accepted(accepted=len(ids), application_ids=ids)


health_router = APIRouter(tags=["operations"])


@health_router.get("/health", responses={503: {"description": "the broker is unreachable"}})
async def health(publisher: PublisherDep) -> JSONResponse:
    """Whether the Kafka broker is reachable (200) or not (503)."""
    if await run_in_threadpool(publisher.healthy):
        return JSONResponse({"status": "ok", "broker": "reachable"})
    return JSONResponse({"status": "unavailable", "broker": "unreachable"}, status_code=503)


async def count_requests(request: Request, call_next):
    """Every application request's time and outcome: accepted, refused (4xx) or unavailable (503)."""
    started = time.perf_counter()
    response = await call_next(request)
    if request.url.path.startswith("/v1/"):
        meter: Meter = request.app.state.meter
        meter.latency("request", time.perf_counter() - started)
        outcome = "unavailable" if response.status_code == 503 else "refused" if response.status_code >= 400 else "accepted"
        meter.count(f"requests_{outcome}")
    return response


async def report_metrics(app: FastAPI, publisher: Publisher) -> None:
    """Every interval, the meter's report to ops.metrics (lost, not retried, while the broker is down)."""
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
    reporting = asyncio.create_task(report_metrics(app, publisher))
    log.info("ingest started (%s); broker %s", app.state.settings.environment, app.state.settings.kafka_bootstrap)
    try:
        yield
    finally:
        reporting.cancel()
        with suppress(asyncio.CancelledError):
            await reporting
        await run_in_threadpool(publisher.close)


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    app = FastAPI(title="Prêt à dépenser — ingest", version="1", lifespan=lifespan,
                  description="Validates loan applications and publishes them to Kafka.")
    app.state.settings = settings or get_settings()
    app.state.meter = Meter(SERVICE, instance_name())
    app.middleware("http")(count_requests)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(health_router)
    install_openapi(app)
    return app
