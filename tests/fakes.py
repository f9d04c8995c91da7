"""The fakes the unit tests wire through the same doors as the real things (constructor arguments,
FastAPI's dependency overrides): small in-memory classes, written once."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from unittest.mock import AsyncMock

import pandas as pd

from credit.decision import decide, statuses
from credit.events import ApplicationExplained, ApplicationReceived, ApplicationScored, now
from credit.features import client_histories
from credit.simulation import Simulator
from credit.topics import LOAN_APPLICATIONS


class FakeFuture:
    """What kafka-python's send returns: get() raises the error the broker would have given."""

    def __init__(self, error: Exception | None = None):
        self.error = error

    def get(self, timeout=None):
        if self.error:
            raise self.error


class FakeKafkaProducer:
    """kafka-python's producer in memory: `sent` holds (topic, key, value). `refuse` is raised by
    send (no broker), `unacknowledged` by the future's get (no acknowledgement); wait_s: a broker
    slow to acknowledge."""

    def __init__(
        self,
        refuse: Exception | None = None,
        unacknowledged: Exception | None = None,
        wait_s: float = 0,
    ):
        self.refuse, self.unacknowledged, self.wait_s = refuse, unacknowledged, wait_s
        self.sent, self.closed = [], False

    def send(self, topic, key=None, value=None):
        if self.refuse:
            raise self.refuse
        time.sleep(self.wait_s)
        self.sent.append((topic, key, value))
        return FakeFuture(self.unacknowledged)

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        self.closed = True


class FakeProducers:
    """The factory an adapters.kafka.Producer opens its producers with: the given ones first, then
    good ones."""

    def __init__(self, *first: FakeKafkaProducer):
        self.waiting, self.made = list(first), []

    def __call__(self) -> FakeKafkaProducer:
        self.made.append(self.waiting.pop(0) if self.waiting else FakeKafkaProducer())
        return self.made[-1]


def producer_over(fake: FakeKafkaProducer | None = None, timeout_s: float = 5.0):
    """The shared producer, opening `fake` (then good fakes) instead of connecting to a broker."""
    from adapters.kafka import Producer

    return Producer("127.0.0.1:1", timeout_s, factory=FakeProducers(*([fake] if fake else [])))


class FakeSends:
    """A worker's send(topic, key, value): an AsyncMock per topic, awaited with key, value; the
    acknowledgement it returns fails with `unacknowledged[topic]` when one is set."""

    def __init__(self, unacknowledged: dict[str, Exception] | None = None):
        self.topics = defaultdict(AsyncMock)
        self.unacknowledged = unacknowledged or {}

    async def __call__(self, topic, key, value):
        await self.topics[topic](key=key, value=value)
        return acknowledgement(self.unacknowledged.get(topic))

    def __getitem__(self, topic) -> AsyncMock:
        return self.topics[topic]


async def acknowledgement(error: Exception | None = None) -> None:
    """The broker's answer to one record: nothing, or `error`."""
    if error is not None:
        raise error


@dataclass
class FakeRecord:
    """What aiokafka's getmany gives per message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class FakePartition:
    topic: str
    partition: int


class FakeBatchConsumer:
    """aiokafka's consumer of one topic's batches, each of (key, value) records on partition 0:
    `commits` are the offsets committed, in order."""

    def __init__(self, topic: str, *batches: list[tuple[bytes | None, bytes | None]]):
        self.topic, self.commits, self.batches, offset = topic, [], [], 0
        for batch in batches:
            self.batches.append(
                [FakeRecord(topic, 0, offset + i, k, v) for i, (k, v) in enumerate(batch)]
            )
            offset += len(batch)
        self.end, self.group_committed, self.stopped = offset, None, False

    async def getmany(self, timeout_ms: int, max_records: int) -> dict:
        batch = self.batches.pop(0) if self.batches else []
        return {FakePartition(self.topic, 0): batch} if batch else {}

    async def commit(self, offsets: dict) -> None:
        self.commits.append({(tp.topic, tp.partition): o for tp, o in offsets.items()})

    def assignment(self) -> set:
        return {FakePartition(self.topic, 0)}

    async def committed(self, partition) -> int | None:
        return self.group_committed

    async def stop(self) -> None:
        self.stopped = True

    def highwater(self, partition) -> int:
        return self.end


class FakeHistory:
    """The scorer's client-history lookup, already read to its end, empty (or holding `records`)."""

    def __init__(self, records: dict[bytes, bytes] | None = None):
        self.records, self.ready = dict(records or {}), asyncio.Event()
        self.ready.set()

    def get(self, key: bytes) -> bytes | None:
        return self.records.get(key)

    async def follow(self) -> None:
        pass


class Outlets:
    """What a batch step publishes through: `publish` (results) and `publish_dead` (a dead letter
    and its original key).

    `refused`: client id -> the error publishing that client's result raises."""

    def __init__(self, refused: dict[int, Exception] | None = None):
        self.refused, self.published, self.dead = refused or {}, [], []

    async def publish(self, result):
        if result.client_id in self.refused:
            raise self.refused[result.client_id]
        self.published.append(result)
        return acknowledgement()

    async def publish_dead(self, letter, key) -> None:
        self.dead.append((letter, key))

    @property
    def letters(self) -> list:
        return [letter for letter, _ in self.dead]


class FakePublisher:
    """The ingest's Publisher in memory: records what it publishes; unavailable when `down`."""

    def __init__(self, down: bool = False, delay_s: float = 0.0):
        self.down, self.published, self.delay_s = down, [], delay_s
        self.values = []  # the bytes each published event went out as

    def publish_all(self, events, topic=LOAN_APPLICATIONS, values=None):
        from ingest.publisher import BrokerUnavailable

        time.sleep(self.delay_s)
        if self.down:
            raise BrokerUnavailable(
                "the Kafka broker at fake:9092 did not acknowledge within 1 s (test)"
            )
        self.published += [(topic, event) for event in events]
        self.values += values if values is not None else [event.to_bytes() for event in events]

    def healthy(self):
        return not self.down

    def close(self):
        pass


class FakeClock:
    """Time that advances only when slept, or when a test moves `now`."""

    def __init__(self, now: float = 0.0):
        self.now, self.slept = now, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class FakeConsumer:
    """kafka-python's consumer as the dashboard feed polls it: the given polls, then nothing."""

    def __init__(self, polls):
        self.polls, self.commits, self.seeks = list(polls), 0, []

    def poll(self, timeout_ms, max_records):
        return self.polls.pop(0) if self.polls else {}

    def commit(self):
        self.commits += 1

    def seek(self, tp, offset):
        self.seeks.append((tp, offset))


class FakeScorer:
    """Decides from AMT_CREDIT alone and remembers the histories it was given; `bad_client`'s
    applications cannot be featured, `broken_client`'s fail otherwise (a bug, a model error...)."""

    def __init__(self, bad_client: int | None = None, broken_client: int | None = None):
        self.bad_client, self.broken_client, self.seen_histories = bad_client, broken_client, {}

    def score(self, applications, histories):
        from credit.schema import DataError

        clients = {a["SK_ID_CURR"] for a in applications}
        if self.bad_client in clients:
            raise DataError("application event", "cannot be featured", "AMT_CREDIT")
        if self.broken_client in clients:
            raise ZeroDivisionError("float division by zero")
        self.seen_histories.update(histories)
        return [
            ApplicationScored(
                application_id=a["application_id"],
                client_id=a["SK_ID_CURR"],
                probability_of_default=0.9 if a["AMT_CREDIT"] > 1e6 else 0.01,
                decision="refused" if a["AMT_CREDIT"] > 1e6 else "granted",
                threshold=0.1,
                model_version="fake",
                decided_at=now(),
                submitted_at=a["submitted_at"],
                timings_ms={},
                features=[],
            )
            for a in applications
        ]


class FakeExplainer:
    """Puts the whole PD gap on one group; for client 666 it gets the sum wrong on purpose, and
    `crashing_client`'s decisions cannot be explained."""

    features = ["A", "B"]

    def __init__(self, crashing_client: int | None = None):
        self.crashing_client = crashing_client

    def explain(self, decisions):
        if any(d.client_id == self.crashing_client for d in decisions):
            raise FloatingPointError("overflow encountered in exp")
        return [
            self._one(d, d.probability_of_default - 0.05 + (0.01 if d.client_id == 666 else 0))
            for d in decisions
        ]

    def _one(self, d, points):
        return ApplicationExplained(
            application_id=d.application_id,
            client_id=d.client_id,
            model_version=d.model_version,
            probability_of_default=d.probability_of_default,
            decision=d.decision,
            threshold=d.threshold,
            base_value=0.05,
            contributions=[{"group": "age", "points": points}],
            feature_points=[points, 0.0],
            reasons=[],
            summary={"fr": "r", "en": "s"},
            decided_at=d.decided_at,
            explained_at=now(),
        )


class FakeExplainers:
    """The explainer's models: version v1 only (explained by `explainer`), any other is unknown."""

    def __init__(self, explainer: FakeExplainer | None = None):
        self.explainer, self.asked = explainer or FakeExplainer(), []

    def get(self, version):
        from explainer.models import UnknownModel

        self.asked.append(version)
        if version != "v1":
            raise UnknownModel(f"model version {version!r} is not in models (known: v1)")
        return self.explainer


# Simulations: a scorer whose PD follows a known rule, so the right answer is known.
SIMULATION_THRESHOLD = 0.1
SIMULATED_CLIENT = 100_001
SIMULATED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def by_annuity(app: dict) -> float:
    """Risk grows with the annuity: refused from an annuity of 10 000."""
    return app["AMT_ANNUITY"] / 100_000


@dataclass
class RuleScorer:
    """Scores with `pd_of(application)` against a threshold of 10 %, remembering each call."""

    pd_of: callable = by_annuity
    calls: list = field(default_factory=list)

    def score(self, applications, histories, review_band):
        self.calls.append((list(applications), dict(histories)))
        pds = [self.pd_of(app) for app in applications]
        return [
            ApplicationScored(
                application_id=app["application_id"],
                client_id=app["SK_ID_CURR"],
                probability_of_default=p,
                decision=str(d),
                threshold=SIMULATION_THRESHOLD,
                model_version="fake",
                decided_at=SIMULATED_AT,
                submitted_at=app["submitted_at"],
                timings_ms={},
                features=[app["AMT_CREDIT"], app["AMT_ANNUITY"]],
                status=str(status),
                review_band=review_band,
            )
            for app, p, d, status in zip(
                applications,
                pds,
                decide(pds, SIMULATION_THRESHOLD),
                statuses(pds, SIMULATION_THRESHOLD, review_band),
            )
        ]


class ReasonExplainer:
    """One reason, which quotes the annuity."""

    def explain(self, decisions):
        return [
            ApplicationExplained(
                application_id=d.application_id,
                client_id=d.client_id,
                model_version="fake",
                probability_of_default=d.probability_of_default,
                decision=d.decision,
                threshold=d.threshold,
                base_value=0.08,
                contributions=[],
                feature_points=[],
                reasons=[
                    {
                        "group": "loan",
                        "direction": "raises",
                        "points": d.probability_of_default - 0.08,
                        "text": {
                            "fr": f"annuité {d.features[1]:.0f}",
                            "en": f"annuity {d.features[1]:.0f}",
                        },
                    }
                ],
                summary={"fr": "", "en": ""},
                decided_at=d.decided_at,
                explained_at=SIMULATED_AT,
            )
            for d in decisions
        ]


SIMULATED_HISTORY = pd.DataFrame(
    {"BUREAU_LOAN_COUNT": [3.0]}, index=pd.Index([SIMULATED_CLIENT], name="SK_ID_CURR")
)


def simulator(
    scorer: RuleScorer | None = None, history: pd.DataFrame = SIMULATED_HISTORY
) -> Simulator:
    return Simulator(
        scorer or RuleScorer(),
        ReasonExplainer(),
        lambda clients: client_histories(history, clients),
    )


@dataclass
class SimulationContext:
    """What the simulation page and the letter need of the dashboard's Context."""

    simulator: Simulator = field(default_factory=simulator)
    store: object = None


def loan_application(credit=240_000.0, annuity=12_000.0, **more) -> ApplicationReceived:
    return ApplicationReceived(
        SK_ID_CURR=SIMULATED_CLIENT,
        AMT_CREDIT=credit,
        AMT_ANNUITY=annuity,
        AMT_GOODS_PRICE=250_000.0,
        AMT_INCOME_TOTAL=90_000.0,
        NAME_CONTRACT_TYPE="Cash loans",
        **more,
    )
