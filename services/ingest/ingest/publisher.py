"""Publishing events to Kafka: a small `Publisher` protocol and its implementation on the shared
producer (adapters.kafka).

`publish_all` returns only once the broker has acknowledged every event (acks=all, idempotent
producer); any timeout or connection failure surfaces as `BrokerUnavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from adapters.kafka import BatchProducer, Producer, reachable
from credit.topics import LOAN_APPLICATIONS
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    """The Kafka broker could not be reached or did not acknowledge in time."""


class Publisher(Protocol):
    def publish_all(
        self,
        events: Sequence[BaseModel],
        topic: str = LOAN_APPLICATIONS,
        values: Sequence[bytes] | None = None,
    ) -> None:
        """Every event acknowledged under its key; `values`: the events' own bytes
        (`event.to_bytes()`), when already serialised."""

    def healthy(self) -> bool: ...

    def close(self) -> None: ...


class KafkaPublisher:
    """The shared producer, opened lazily, so the service starts (and reports 503) while the
    broker is down. Events already serialised (`values`, the API's applications) go in whole
    batches through aiokafka (`BatchProducer`); the others (reports, the command line's) through
    kafka-python. `producers` and `batch_producers` make those producers (tests give fakes)."""

    def __init__(self, settings: IngestSettings, producers=None, batch_producers=None):
        self._settings = settings
        self._producer = Producer(
            settings.kafka_bootstrap, settings.acks_timeout_s, "ingest", producers
        )
        self._batches = BatchProducer(
            settings.kafka_bootstrap, settings.acks_timeout_s, "ingest-batches", batch_producers
        )

    def publish_all(
        self,
        events: Sequence[BaseModel],
        topic: str = LOAN_APPLICATIONS,
        values: Sequence[bytes] | None = None,
    ) -> None:
        from aiokafka.errors import KafkaError as AIOKafkaError
        from kafka.errors import KafkaError

        try:
            if values is None:
                self._producer.publish(topic, events)
            else:
                records = [(e.key, v) for e, v in zip(events, values, strict=True)]
                self._batches.send_all(topic, records)
        # dropped: the next call opens a fresh producer (OSError: TimeoutError too)
        except (KafkaError, AIOKafkaError, OSError) as error:
            raise BrokerUnavailable(_reason(error, self._settings)) from error

    def healthy(self) -> bool:
        """The broker answers on its port and the producer has bootstrapped its metadata."""
        if not reachable(self._settings.kafka_bootstrap):
            return False
        try:
            self._producer.open()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            log.warning("broker health check failed: %s", type(error).__name__)
            return False
        return True

    def close(self) -> None:
        try:
            self._batches.close()
        finally:
            self._producer.close()


def _reason(error: Exception, settings: IngestSettings) -> str:
    return (
        f"the Kafka broker at {settings.kafka_bootstrap} did not acknowledge within "
        f"{settings.acks_timeout_s:g} s ({type(error).__name__})"
    )
