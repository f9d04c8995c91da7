"""Kafka for every service: one producer (acks from every replica, idempotent, replaced after a
failure) and one check that a broker answers.

A record is (key, value) bytes; an event is published under its own key (`event.key`,
credit.events).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

from adapters.settings import bootstrap_servers

log = logging.getLogger(__name__)
Record = tuple[bytes | None, bytes]
LINGER_MS = 5
# per partition: a request's records travel in a few batches (the default 16 KB holds five 3 KB
# applications); the broker takes up to 1 MB
BATCH_BYTES = 512 * 1024


def reachable(bootstrap: str, timeout_s: float = 1.0) -> bool:
    """Whether one of the brokers of a comma-separated bootstrap list accepts a connection."""
    return any(_answers(server, timeout_s) for server in bootstrap_servers(bootstrap))


def _answers(server: str, timeout_s: float) -> bool:
    host, _, port = server.rpartition(":")
    try:
        with socket.create_connection((host or server, int(port or 9092)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def kafka_producer(bootstrap: str, timeout_s: float, client_id: str):
    """kafka-python's producer: acks=all, idempotent, every step (connection, metadata, delivery)
    within timeout_s. A record not acknowledged by then fails in the producer too, so a failure
    told to the caller is not followed by a late delivery the caller does not know about."""
    from kafka import KafkaProducer

    timeout_ms = max(1_000, int(timeout_s * 1000))
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers(bootstrap),
        acks="all",
        enable_idempotence=True,
        client_id=client_id,
        linger_ms=LINGER_MS,
        batch_size=BATCH_BYTES,
        max_block_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        request_timeout_ms=timeout_ms - LINGER_MS,
        delivery_timeout_ms=timeout_ms,
    )


class Producer:
    """A producer opened on first use (a service starts while the broker is down) and dropped
    after any failure: an idempotent producer that failed (e.g. across a broker restart) can stay
    failed for good, so the next send opens a fresh one. `factory` makes the kafka-python
    producer (tests give a fake)."""

    def __init__(
        self,
        bootstrap: str,
        timeout_s: float = 10.0,
        client_id: str = "pret-a-depenser",
        factory: Callable[[], object] | None = None,
    ):
        self.bootstrap, self.timeout_s = bootstrap, timeout_s
        self._factory = factory or (lambda: kafka_producer(bootstrap, timeout_s, client_id))
        self._producer, self._lock = None, threading.Lock()

    def publish(self, topic: str, events: Iterable) -> None:
        """Every event acknowledged under its own key, or the error."""
        self.send_all(topic, [(event.key, event.to_bytes()) for event in events])

    def send_all(
        self,
        topic: str,
        records: Sequence[Record],
        acknowledged: Callable[[int], None] = lambda index: None,
    ) -> None:
        """Returns once the broker acknowledged every record within timeout_s (`acknowledged` is
        told each record's index as it is), or raises the producer's error."""
        deadline = time.monotonic() + self.timeout_s
        with self._dropped_on_failure() as producer:
            futures = [producer.send(topic, key=key, value=value) for key, value in records]
            producer.flush(timeout=max(0.0, deadline - time.monotonic()))
            for index, future in enumerate(futures):
                future.get(timeout=max(0.0, deadline - time.monotonic()))
                acknowledged(index)

    def send_soon(self, topic: str, records: Sequence[Record]) -> None:
        """Sends without waiting for the acknowledgements (for what may be lost: reports)."""
        with self._dropped_on_failure() as producer:
            for key, value in records:
                producer.send(topic, key=key, value=value)

    def open(self):
        """The producer, opened now if it is not (raises when the broker cannot be bootstrapped)."""
        with self._lock:
            if self._producer is None:
                self._producer = self._factory()
                log.info("Kafka producer connected to %s", self.bootstrap)
            return self._producer

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.flush(timeout=self.timeout_s)
            finally:
                producer.close(timeout=self.timeout_s)

    @contextmanager
    def _dropped_on_failure(self):
        producer = None
        try:
            producer = self.open()
            yield producer
        except Exception:
            self._drop(producer)
            raise

    def _drop(self, producer) -> None:
        with self._lock:
            if producer is None or self._producer is not producer:
                return
            self._producer = None
        try:
            producer.close(timeout=0)
        except Exception as error:  # noqa: BLE001 - it is being thrown away
            log.warning("closing a failed producer: %s", type(error).__name__)
