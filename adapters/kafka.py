"""Kafka for every service: one producer (acks from every replica, idempotent, replaced after a
failure) and one check that a broker answers.

A record is (key, value) bytes; an event is published under its own key (`event.key`,
credit.events).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager, suppress

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


def aiokafka_producer(bootstrap: str, timeout_s: float, client_id: str):
    """aiokafka's producer (made inside its event loop): acks=all, idempotent, requests within
    timeout_s."""
    from aiokafka import AIOKafkaProducer

    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(bootstrap),
        acks="all",
        enable_idempotence=True,
        client_id=client_id,
        linger_ms=LINGER_MS,
        max_batch_size=BATCH_BYTES,
        request_timeout_ms=max(1_000, int(timeout_s * 1000)),
    )


def partition_of(key: bytes, partitions: Sequence[int]) -> int:
    """Kafka's default partition of a key (murmur2, as kafka-python's and aiokafka's default
    partitioners choose it) among a topic's sorted partitions."""
    from kafka.partitioner.default import murmur2

    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


class BatchProducer:
    """Records sent as whole batches, one per partition, from any thread: an aiokafka producer
    (acks=all, idempotent) on an event loop of its own. Its record batches are built in C: about
    a third of kafka-python's time per record, which a request of 500 applications spent in
    `KafkaProducer.send`. Opened on first use and dropped after any failure, as `Producer`.
    `factory` makes the aiokafka producer inside that loop (tests give a fake)."""

    def __init__(
        self,
        bootstrap: str,
        timeout_s: float = 10.0,
        client_id: str = "pret-a-depenser",
        factory: Callable[[], object] | None = None,
    ):
        self.bootstrap, self.timeout_s = bootstrap, timeout_s
        self._factory = factory or (lambda: aiokafka_producer(bootstrap, timeout_s, client_id))
        self._producer = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._opening: asyncio.Lock | None = None

    def send_all(self, topic: str, records: Sequence[Record]) -> None:
        """Returns once the broker acknowledged every record (each with its key), within
        timeout_s, or raises the producer's error (TimeoutError when the time ran out)."""
        future = asyncio.run_coroutine_threadsafe(
            self._within_time(topic, records), self._running()
        )
        try:
            future.result(timeout=self.timeout_s + 5)  # the loop itself gives up at timeout_s
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"not acknowledged within {self.timeout_s:g} s") from None

    async def _within_time(self, topic: str, records: Sequence[Record]) -> None:
        try:
            # on time out, the send is cancelled and its producer dropped before this returns:
            # what it still holds is not sent later, and the next send opens a fresh one
            await asyncio.wait_for(self._send_all(topic, records), self.timeout_s)
        except TimeoutError:
            raise TimeoutError(f"not acknowledged within {self.timeout_s:g} s") from None

    async def _send_all(self, topic: str, records: Sequence[Record]) -> None:
        producer = await self._open()
        try:
            partitions = sorted(await producer.partitions_for(topic))
            batches, sent = {}, []
            for key, value in records:
                partition = partition_of(key, partitions)
                batch = batches.get(partition)
                if batch is None or batch.append(key=key, value=value, timestamp=None) is None:
                    if batch is not None:  # full: it goes now, the record starts the next one
                        sent.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = batches[partition] = producer.create_batch()
                    if batch.append(key=key, value=value, timestamp=None) is None:
                        raise ValueError(f"a record of {len(value)} bytes exceeds a batch")
            for partition, batch in batches.items():
                sent.append(await producer.send_batch(batch, topic, partition=partition))
            await asyncio.gather(*sent)
        except BaseException:
            self._drop(producer)
            raise

    async def _open(self):
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._producer is None:
                producer = self._factory()
                try:
                    await asyncio.wait_for(producer.start(), self.timeout_s)
                except BaseException:
                    await _abandoned(producer, self.timeout_s)
                    raise
                self._producer = producer
                log.info("Kafka batch producer connected to %s", self.bootstrap)
            return self._producer

    def _drop(self, producer) -> None:
        if self._producer is producer:
            self._producer = None
            asyncio.ensure_future(_abandoned(producer, self.timeout_s))

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="kafka-batches", daemon=True
                )
                self._thread.start()
            return self._loop

    def close(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
            self._opening = None  # bound to that loop; a later send opens a new loop and lock
        if loop is None:
            return
        try:
            stopping = asyncio.run_coroutine_threadsafe(self._close(), loop)
            with suppress(Exception):
                stopping.result(timeout=self.timeout_s + 1)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            if not thread.is_alive():
                loop.close()

    async def _close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _stopped(producer, self.timeout_s)


async def _stopped(producer, timeout_s: float) -> None:
    """The producer stopped, once what it holds is delivered (at most timeout_s)."""
    try:
        await asyncio.wait_for(producer.stop(), timeout_s)
    except Exception as error:  # noqa: BLE001 - it is being closed
        log.warning("stopping a Kafka batch producer: %s", type(error).__name__)


async def _abandoned(producer, timeout_s: float) -> None:
    """A failed producer stopped without sending what it still holds (as kafka-python's
    close(timeout=0)): those records failed for the caller, so they are not delivered later."""
    from aiokafka.errors import ProducerClosed

    accumulator = getattr(producer, "_message_accumulator", None)
    if accumulator is not None:
        accumulator.fail_all(ProducerClosed())
    await _stopped(producer, timeout_s)
