"""Publishing events to Kafka: a small `Publisher` protocol and its kafka-python implementation.

`publish_all` returns only once the broker has acknowledged every event (acks=all, idempotent
producer); any timeout or connection failure surfaces as `BrokerUnavailable`.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from credit.events import AlertRaised, ServiceReported
from credit.topics import LOAN_APPLICATIONS
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    """The Kafka broker could not be reached or did not acknowledge in time."""


class Publisher(Protocol):
    def publish_all(self, events: Sequence[BaseModel], topic: str = LOAN_APPLICATIONS) -> None: ...

    def healthy(self) -> bool: ...

    def close(self) -> None: ...


def message_key(event: BaseModel) -> bytes:
    """The partitioning key of every topic: the client's SK_ID_CURR, as decimal bytes (operations': the service)."""
    if isinstance(event, (ServiceReported, AlertRaised)):
        return event.service.encode()
    client_id = getattr(event, "SK_ID_CURR", None)
    if client_id is None:
        client_id = getattr(event, "client_id")
    return str(int(client_id)).encode()


class KafkaPublisher:
    """kafka-python producer opened lazily, so the service starts (and reports 503) while the broker is down."""

    def __init__(self, settings: IngestSettings):
        self._settings = settings
        self._producer = None
        self._lock = threading.Lock()

    def publish_all(self, events: Sequence[BaseModel], topic: str = LOAN_APPLICATIONS) -> None:
        from kafka.errors import KafkaError

        deadline, producer = time.monotonic() + self._settings.acks_timeout_s, None
        try:
            producer = self._open()
            futures = [producer.send(topic, key=message_key(e), value=e.to_bytes()) for e in events]
            producer.flush(timeout=max(0.0, deadline - time.monotonic()))
            for future in futures:
                future.get(timeout=max(0.0, deadline - time.monotonic()))
        except (KafkaError, OSError) as error:
            # An idempotent producer that failed (e.g. across a broker restart) can stay failed for
            # good: drop it, so the next call opens a fresh one instead of answering 503 forever.
            self._discard(producer)
            raise BrokerUnavailable(_reason(error, self._settings)) from error

    def healthy(self) -> bool:
        """The broker answers on its port and the producer has bootstrapped its metadata."""
        if not any(_reachable(server) for server in self._settings.bootstrap_servers):
            return False
        try:
            self._open()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            log.warning("broker health check failed: %s", type(error).__name__)
            return False
        return True

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.flush(timeout=self._settings.acks_timeout_s)
            finally:
                producer.close(timeout=self._settings.acks_timeout_s)

    def _discard(self, producer) -> None:
        with self._lock:
            if producer is None or self._producer is not producer:
                return
            self._producer = None
        try:
            producer.close(timeout=0)
        except Exception as error:  # noqa: BLE001 - it is being thrown away
            log.warning("closing a failed producer: %s", type(error).__name__)

    def _open(self):
        with self._lock:
            if self._producer is None:
                self._producer = _new_producer(self._settings)
                log.info("Kafka producer connected to %s", self._settings.kafka_bootstrap)
            return self._producer


def _new_producer(settings: IngestSettings):
    from kafka import KafkaProducer

    timeout_ms = max(1_000, int(settings.acks_timeout_s * 1000))
    linger_ms = 5
    # A record not acknowledged within the timeout fails in the producer too, so a 503 is not
    # followed by a late delivery the caller does not know about.
    return KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", enable_idempotence=True,
        client_id="ingest", linger_ms=linger_ms, max_block_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms,
        request_timeout_ms=timeout_ms - linger_ms, delivery_timeout_ms=timeout_ms)


def _reachable(server: str, timeout_s: float = 1.0) -> bool:
    host, _, port = server.rpartition(":")
    try:
        with socket.create_connection((host or server, int(port or 9092)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def _reason(error: Exception, settings: IngestSettings) -> str:
    return (f"the Kafka broker at {settings.kafka_bootstrap} did not acknowledge within "
            f"{settings.acks_timeout_s:g} s ({type(error).__name__})")
