"""A hot topic read and written in batches through aiokafka, inside the Faust worker.

Faust's per-event stream and per-message send pass about 900 events/s on this machine, a plain
aiokafka loop about 13,000 (benchmarks/event_path.py). So the high-volume topics are consumed
with `getmany` and their results produced without waiting for each acknowledgement, while
Faust keeps the worker's lifecycle, timers and web endpoint.

At least once, as with Faust: a batch's offsets are committed only after every result and dead
letter it produced has been acknowledged by the broker (the handler awaits them). A batch that
cannot be finished stops the worker before its offsets are committed (`stop_on_failure`), and a
rebalance waits for the batch in hand: a partition is given up only after its batch is
committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from contextlib import contextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, ProducerClosed

from adapters.settings import WorkerSettings
from credit.dead_letters import Message
from credit.monitoring import Meter, lag

log = logging.getLogger(__name__)
PRODUCER_LINGER_MS = 5  # a batch's results leave in a few produce requests, not one per event
# EX_SOFTWARE: the supervisor starts the worker again (deploy/supervise.py, compose's restart)
EXIT_UNPUBLISHED = 70


@contextmanager
def stop_on_failure(exit=os._exit):
    """Around one batch whose every message gets a result or a dead letter: an error that still
    escapes (the broker refused a dead letter, or did not acknowledge a result) ends the process
    at once, before the batch's offsets are committed, so the batch is read again."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - anything escaping: its results are not all out
        log.critical(
            "a batch could not be finished (%s: %s); stopping without committing its offsets",
            type(error).__name__,
            str(error)[:200],
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        exit(EXIT_UNPUBLISHED)
        raise  # os._exit does not return; an exit that does (tests) must not commit either


class KafkaSend:
    """send(topic, key, value): hands the record to one aiokafka producer (acks from every
    replica, idempotent) and returns the future of its acknowledgement. The producer starts on
    first use."""

    def __init__(self, settings: WorkerSettings, client_id: str):
        self.settings, self.client_id = settings, client_id
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()
        self.stopped = False

    async def __call__(self, topic: str, key: bytes | None, value: bytes) -> asyncio.Future:
        if self.stopped:  # for good: a send after the worker stopped must fail, not reconnect
            raise ProducerClosed()
        producer = self._producer or await self._start()
        return await producer.send(topic, value=value, key=key)

    async def _start(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.settings.bootstrap_servers,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=PRODUCER_LINGER_MS,
                    max_batch_size=self.settings.producer_batch_bytes,
                )
                await producer.start()
                self._producer = producer
        return self._producer

    async def stop(self) -> None:
        self.stopped = True
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


class _WaitForBatch(ConsumerRebalanceListener):
    """Partitions are revoked only between batches: the batch in hand finishes and commits
    first, so its new owner starts after it. Assigned partitions start from what the group
    committed (for the lag)."""

    def __init__(self, topic: BatchedTopic):
        self.topic = topic

    async def on_partitions_revoked(self, revoked) -> None:
        async with self.topic.busy:
            for tp in revoked:
                self.topic.committed.pop(tp, None)

    async def on_partitions_assigned(self, assigned) -> None:
        for tp in assigned:
            if (offset := await self.topic.consumer.committed(tp)) is not None:
                self.topic.committed[tp] = offset


class BatchedTopic:
    """One consumer-group member reading `topic` in batches of at most settings.batch_size,
    each handed to `handle` (after `before`, e.g. a cache ready) and metered, then committed.

    `consumer`: an AIOKafkaConsumer-like object (tests give a fake); by default one in the
    group `group`. `exit` ends the process when a batch cannot be finished (tests record it)."""

    def __init__(
        self,
        topic: str,
        group: str,
        settings: WorkerSettings,
        meter: Meter,
        handle: Callable[[Sequence[Message]], Awaitable],
        before: Callable[[], Awaitable] | None = None,
        consumer=None,
        exit=os._exit,
    ):
        self.topic, self.settings, self.meter = topic, settings, meter
        self.handle, self.before = handle, before
        self.busy = asyncio.Lock()
        self.committed: dict[TopicPartition, int] = {}
        self.group, self.consumer = group, consumer
        self.exit, self.stopping = exit, False

    async def run(self) -> None:
        """Consume until `close` (the worker stopping); anything else that stops the loop stops
        the worker too, rather than leave it running without consuming."""
        self.consumer = self.consumer or self._consumer()
        self.consumer.subscribe([self.topic], listener=_WaitForBatch(self))
        with stop_on_failure(self.exit):
            await self.consumer.start()
            while not self.stopping:
                await self.step()

    async def close(self) -> None:
        """After the batch in hand is finished and committed, and before the producer stops:
        no batch starts any more, and the member leaves its group (its partitions move at once,
        not after its session times out)."""
        async with self.busy:
            self.stopping = True
        if self.consumer is not None:
            await self.consumer.stop()

    def _consumer(self) -> AIOKafkaConsumer:
        """In the group, from the earliest offset it has not committed (made in the loop)."""
        settings = self.settings
        return AIOKafkaConsumer(
            bootstrap_servers=settings.bootstrap_servers,
            group_id=self.group,
            client_id=f"{self.group}-{self.topic}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=settings.fetch_bytes,
            fetch_max_bytes=settings.fetch_bytes * settings.partitions,
        )

    async def step(self) -> int:
        """Read one batch (waiting at most batch_wait_s when nothing has arrived), finish it and
        commit it; returns its size."""
        async with self.busy:
            if self.stopping:
                return 0
            records = await self.consumer.getmany(
                timeout_ms=int(self.settings.batch_wait_s * 1000),
                max_records=self.settings.batch_size,
            )
            messages = [
                Message(r.key, r.value, r.topic, r.partition, r.offset)
                for batch in records.values()
                for r in batch
            ]
            if not messages:
                return 0
            if self.before is not None:
                await self.before()
            with stop_on_failure(self.exit), self.meter.batch(len(messages)):
                await self.handle(messages)
            await self._commit({tp: batch[-1].offset + 1 for tp, batch in records.items() if batch})
            return len(messages)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        try:
            await self.consumer.commit(offsets)
            self.committed.update(offsets)
        except (CommitFailedError, IllegalStateError) as error:
            # the group moved on (a member timed out): the results are out, so the partition's
            # new owner reads the batch again and publishes them twice, never zero times
            log.warning("a batch's offsets were not committed (%s): it will be read again", error)

    def lag(self) -> int | None:
        """Messages of the topic not yet committed by this member, from the latest fetch."""
        if self.consumer is None:
            return None
        ends = {
            tp: end
            for tp in self.consumer.assignment()
            if (end := self.consumer.highwater(tp)) is not None
        }
        return lag(ends, self.committed, self.topic)
