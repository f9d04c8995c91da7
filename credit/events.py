"""Event schemas carried on the topics, as JSON bytes. Events are facts, named in the past tense.

The application schema is built from the Kaggle columns, with the limits a real application
respects (credit.limits), so a wrong type, a negative amount, a timestamp without a timezone or
an unknown category is refused with the field's name. Every timestamp carries its timezone.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from credit.limits import (
    APPLICATION_ID_PATTERN,  # noqa: F401 - re-exported: the documented form of an id
    ApplicationId,
    Band,
    ClientId,
    Milliseconds,
    Number32,
    Points,
    Share,
    Threshold,
    Timestamp,
    application_number,
)
from credit.schema import columns_of


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


@cache
def categories() -> dict[str, list[str]]:
    """Known Kaggle values of each category field (from the real sample, plus Kaggle's rarer
    codes)."""
    return json.loads(resources.files("credit").joinpath("kaggle_categories.json").read_text())


def _field(column: str, kind: str):
    if kind == "key":
        return (ClientId, ...)
    if kind == "category":
        return (Literal[tuple(categories()[column])] | None, None)
    if kind == "flag":
        return (Literal["Y", "N"] | None, None)
    return application_number(column)


def client_key(client_id: int) -> bytes:
    """The message key on every topic: the client's id as decimal bytes, so a client's events share
    a partition (and the compacted client-history topic keeps one record per client)."""
    return str(int(client_id)).encode()


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_bytes(self) -> bytes:
        # model_dump_json's bytes, without its decoding to str and encoding back (twice as fast)
        return self.__pydantic_serializer__.to_json(self)

    @classmethod
    def from_bytes(cls, data: bytes):
        return cls.model_validate_json(data)

    @property
    def key(self) -> bytes:
        return client_key(self.client_id)


class _Application(_Event):
    @property
    def key(self) -> bytes:
        return client_key(self.SK_ID_CURR)


class _Operations(_Event):
    @property
    def key(self) -> bytes:
        """Operations' events are keyed by the service that reports them."""
        return self.service.encode()


def _application_fields() -> dict:
    return {column: _field(column, kind) for column, kind in columns_of("application_test").items()}


# A loan application as submitted: the Kaggle application columns + application_id, submitted_at.
ApplicationReceived = create_model(
    "ApplicationReceived",
    __base__=_Application,
    application_id=(
        ApplicationId,
        Field(
            default_factory=new_id,
            description=(
                "The idempotency key. Optional: the ingest API gives a new uuid4; an application "
                "read from the topic without one gets <topic>-<partition>-<offset>."
            ),
        ),
    ),
    submitted_at=(
        Timestamp,
        Field(
            default_factory=now,
            description=(
                "When it was submitted, with its timezone. Optional: the time it was accepted."
            ),
        ),
    ),
    **_application_fields(),
)


class ApplicationScored(_Event):
    """The scorer's decision on one application. Its numbers are JSON numbers within their
    limits (credit.limits), so a decision the explainer could not explain faithfully is refused
    at decoding, naming the field."""

    application_id: ApplicationId
    client_id: ClientId
    probability_of_default: Share
    decision: Literal[
        "granted", "refused"
    ]  # when to_review: the decision the model proposes to the reviewer
    threshold: Threshold  # a PD at or above it is refused
    model_version: str
    decided_at: Timestamp
    submitted_at: Timestamp
    status: Literal["decided", "to_review"] = (
        "decided"  # to_review: a reviewer decides (credit.decision)
    )
    review_band: Band = 0.0  # PDs within this share of the threshold went to review
    timings_ms: dict[str, Milliseconds]  # per application, by stage
    features: list[
        Number32 | None
    ]  # the model input vector, in the bundle's feature order (None: missing)


Text = dict[Literal["fr", "en"], str]  # the same words in every language the dashboard offers


class GroupContribution(BaseModel):
    """One readable group's effect on the PD: the sum of its features' points
    (labels: credit.explain)."""

    group: str
    points: Points  # probability points: 0.01 is one percentage point of PD


class Reason(BaseModel):
    group: str
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")] | None = Field(
        None,
        description=(
            "The readable group's stable reason code (docs/reason_codes.md), for systems that "
            "store and show machine-readable reasons. Absent only from explanations made before "
            "reason codes existed."
        ),
    )
    direction: Literal["raises", "lowers"]
    points: Points
    text: Text


class ApplicationExplained(_Event):
    """Why a decision came out as it did:
    base_value + sum of contributions = probability_of_default."""

    application_id: ApplicationId
    client_id: ClientId
    model_version: str
    probability_of_default: Share
    decision: Literal["granted", "refused"]
    threshold: Threshold
    base_value: Share  # the PD of a typical client, where the contributions start
    contributions: list[GroupContribution]  # every readable group, largest effect first
    feature_points: list[
        Points
    ]  # each model input's points, in the bundle's feature order (as the decision's)
    reasons: list[Reason]  # at most 4 raising the risk, then at most 4 lowering it
    summary: Text
    decided_at: Timestamp
    explained_at: Timestamp
    status: Literal["decided", "to_review"] = "decided"  # the decision's


JUSTIFICATION_MIN = 20  # characters: a sentence another reviewer can check, not "ok"


class ApplicationReviewed(_Event):
    """A person's decision on an application (loan-reviews): a review of a case the scorer left to a
    reviewer, or a client's contestation of a decision. The latest one is the decision in force."""

    review_id: str = Field(default_factory=new_id)
    application_id: ApplicationId
    client_id: ClientId
    kind: Literal["review", "contestation"]
    reviewer: str = Field(min_length=1)  # the account name of the reviewer who decided
    before: Literal["granted", "refused"]  # the decision in force (or proposed) before
    after: Literal["granted", "refused"]
    justification: str = Field(
        min_length=JUSTIFICATION_MIN, max_length=2000
    )  # mandatory: why, in words another reviewer can check
    reviewed_at: Timestamp = Field(default_factory=now)

    @property
    def outcome(self) -> str:
        return "confirmed" if self.before == self.after else "overridden"


class HistoryRecorded(_Event):
    """A client's history aggregates (compacted topic: the latest one per client counts)."""

    client_id: ClientId
    aggregates: dict[str, Number32 | None]  # model inputs (None: missing)
    computed_from: str  # data fingerprint of the tables they were computed from


class DeadLettered(_Event):
    """A message that could not be processed, kept with the reason."""

    reason: str
    source_topic: str
    source_partition: int
    source_offset: int
    original: str = Field(
        json_schema_extra={"contentEncoding": "base64"}
    )  # the original bytes, base64
    original_size: int | None = (
        None  # the original's size in bytes when `original` keeps only its start
    )
    service: str
    failed_at: Timestamp = Field(default_factory=now)


class Percentiles(BaseModel):
    n: int  # samples behind the percentiles (a uniform sample of the interval when it was busier)
    p50_ms: float
    p95_ms: float
    p99_ms: float


class ServiceReported(_Operations):
    """One service instance's report to operations (ops.metrics), every interval_s."""

    service: str
    instance: str
    at: Timestamp
    interval_s: float  # since the previous report
    counts: dict[
        str, int
    ]  # this interval: received, sent, errors, dead_letters, granted, refused...
    totals: dict[str, int]  # since the instance started
    rates_per_s: dict[str, float]  # counts / interval_s
    latency: dict[str, Percentiles]  # e.g. submitted_to_decided, batch
    lag: int | None = (
        None  # messages on the input topic not yet processed and committed (None: not known yet)
    )
    pd_histogram: list[int] | None = (
        None  # the scorer: decisions per PD bin of credit.monitoring.PD_BINS
    )
    drift: dict[
        str, float
    ] = {}  # PSI of the PD and main inputs over the recent window vs the training reference
    unaccounted: int = (
        0  # messages received with no outcome (result, dead letter...) and not in flight: a loss
    )


class AlertRaised(_Operations):
    """Something operations should look at (ops.alerts): a drift, a dead-letter share or a lag
    past its threshold, a service whose counts do not balance, messages that did not reach the
    next stage in time, a feed that cannot commit; and when one of them is resolved."""

    service: str
    kind: Literal["drift", "dead_letters", "lag", "unbalanced", "reconciliation", "stalled"]
    subject: str  # the input (or "PD") that drifted; "share" for dead letters; "messages" for lag
    level: Literal[
        "warn", "alarm", "resolved"
    ]  # resolved: back to normal after a warning or an alarm
    value: float
    threshold: float
    at: Timestamp
    detail: str | None = (
        None  # reconciliation: the oldest application waiting; unbalanced: the totals
    )
