"""What the Faust workers share: the app and its topics, the batch agent, the metrics timer, and
the failures that are not one message's.

A worker publishes through one `send(topic, key, value)`: its topics' sends, or a fake in tests.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import contextmanager

import faust

from adapters.prometheus import serve_from_worker
from adapters.settings import WorkerSettings
from credit.dead_letters import Message
from credit.events import DeadLettered
from credit.monitoring import Alerts, DriftWindow, Meter, lag, report_to
from credit.topics import OPS_ALERTS, OPS_METRICS

log = logging.getLogger(__name__)
# EX_SOFTWARE: the supervisor starts the worker again (deploy/supervise.py, compose's restart)
EXIT_UNPUBLISHED = 70
Send = Callable[[str, bytes | None, bytes], Awaitable]


@contextmanager
def stop_on_failure(exit=os._exit):
    """Around one batch whose every message gets a result or a dead letter: an error that still
    escapes (the broker refused a dead letter) ends the process at once. Faust acknowledges a
    batch's offsets even when its agent raises; exiting before it commits them means the batch is
    read again."""
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


class Worker:
    """One Faust app (acks from every replica, raw bytes, in-memory tables), its topics declared
    once, and its meter. `send` replaces the topics' sends (tests); the metrics are served while
    the worker runs."""

    def __init__(
        self,
        service: str,
        settings: WorkerSettings,
        topics: Iterable[str],
        meter: Meter,
        send: Send | None = None,
        **options,
    ):
        self.service, self.settings, self.meter = service, settings, meter
        self.app = faust.App(
            service,
            broker=f"kafka://{settings.kafka_bootstrap}",
            store="memory://",
            datadir=str(settings.data_dir),
            key_serializer="raw",
            value_serializer="raw",
            topic_partitions=settings.partitions,
            producer_acks=-1,
            web_port=settings.web_port,
            web_host="127.0.0.1",
            **options,
        )
        self.topics = {
            name: self.app.topic(
                name, key_type=bytes, value_type=bytes, partitions=settings.partitions
            )
            for name in {*topics, OPS_METRICS, OPS_ALERTS}
        }
        self.send = send or self._send_to_topic
        serve_from_worker(self.app, meter, settings.metrics_port, settings.metrics_host)

    async def _send_to_topic(self, topic: str, key: bytes | None, value: bytes):
        return await self.topics[topic].send(key=key, value=value)

    def results_to(
        self,
        topic: str,
        waited: Callable[[object], float],
        counted: Callable[[object, float], None],
    ) -> Callable[[object], Awaitable]:
        """Publishes a result event under its key and counts it sent, then calls
        `counted(result, waited(result))`. Everything that can fail comes before the send: a
        result is either published or dead-lettered."""

        async def publish(result) -> None:
            key, value, seconds = result.key, result.to_bytes(), waited(result)
            await self.send(topic, key, value)
            self.meter.count("sent")
            counted(result, seconds)

        return publish

    def dead_letters_to(self, topic: str) -> Callable[[DeadLettered, bytes | None], Awaitable]:
        """Publishes a dead letter under its original message's key, and counts it."""

        async def publish_dead(letter: DeadLettered, key: bytes | None) -> None:
            await self.send(topic, key, letter.to_bytes())
            self.meter.count("dead_letters")

        return publish_dead

    def batch_agent(
        self,
        topic: str,
        name: str,
        handle: Callable[[Sequence[Message]], Awaitable],
        before: Callable[[], Awaitable] | None = None,
    ) -> None:
        """An agent taking micro-batches of `topic` to `handle` (after `before`, e.g. a cache
        ready), each one metered, and the worker stopped when one cannot be finished."""
        settings, meter = self.settings, self.meter

        @self.app.agent(self.topics[topic], name=name)
        async def batches(stream):
            async for events in stream.take_events(
                settings.batch_size, within=settings.batch_wait_s
            ):
                if before is not None:
                    await before()
                messages = [
                    Message(e.key, e.value, e.message.topic, e.message.partition, e.message.offset)
                    for e in events
                ]
                with stop_on_failure(), meter.batch(len(messages)):
                    await handle(messages)

    def report_metrics(self, lag_of: str, drift: DriftWindow | None = None) -> None:
        """Every metrics_interval_s, the meter's report to ops.metrics and its alerts to
        ops.alerts, with the lag of the input topic `lag_of`."""
        alerts, app, send = Alerts(self.service), self.app, self.send

        @app.timer(interval=self.settings.metrics_interval_s)
        async def report_metrics():
            await report_to(
                self.meter,
                alerts,
                lambda r: send(OPS_METRICS, r.key, r.to_bytes()),
                lambda a: send(OPS_ALERTS, a.key, a.to_bytes()),
                drift,
                lag(app.monitor.tp_end_offsets, app.monitor.tp_committed_offsets, lag_of),
            )
