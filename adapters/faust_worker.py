"""What the Faust workers share: the app, its batched hot topic, the metrics timer, and the
failures that are not one message's.

A worker publishes through one `send(topic, key, value)`, which returns the acknowledgement to
await: one aiokafka producer's, or a fake in tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import faust

from adapters.batched_topic import BatchedTopic, KafkaSend
from adapters.heap import settle
from adapters.prometheus import serve_from_worker
from adapters.settings import WorkerSettings
from credit.dead_letters import Message, cause
from credit.events import DeadLettered
from credit.monitoring import Alerts, DriftWindow, Meter, report_to
from credit.topics import OPS_ALERTS, OPS_METRICS

log = logging.getLogger(__name__)
Send = Callable[[str, bytes | None, bytes], Awaitable[Awaitable]]


class Worker:
    """One Faust app (its lifecycle, timers and web endpoint), the batched topics it consumes
    (`batches`, by name) and its meter. `send` replaces the producer (tests); `consumer` the
    hot topics' consumer (tests); the metrics are served while the worker runs.

    The Faust app's id is `<service>-worker`: the consumer group `<service>` is the hot topic's,
    whose offsets a deployment already holds."""

    def __init__(
        self,
        service: str,
        settings: WorkerSettings,
        meter: Meter,
        send: Send | None = None,
        consumer=None,
    ):
        self.service, self.settings, self.meter = service, settings, meter
        self.app = faust.App(
            f"{service}-worker",
            broker=f"kafka://{settings.kafka_bootstrap}",
            store="memory://",
            datadir=str(settings.data_dir),
            key_serializer="raw",
            value_serializer="raw",
            topic_partitions=settings.partitions,
            web_port=settings.web_port,
            web_host="127.0.0.1",
        )
        self.producer = None if send else KafkaSend(settings, service)
        self.send = send or self.producer
        self.consumer = consumer
        self.batches: dict[str, BatchedTopic] = {}
        self.alerts = Alerts(service)
        serve_from_worker(self.app, meter, settings.metrics_port, settings.metrics_host)

        @self.app.task
        async def started() -> None:
            settle()
            quiet_root_logger()

        @self.app.on_before_shutdown.connect
        async def stop(app, **kwargs) -> None:
            """The batches first (the one in hand is finished and committed), then the producer
            their results need."""
            for batches in self.batches.values():
                await batches.close()
            if self.producer is not None:
                await self.producer.stop()

    def results_to(
        self,
        topic: str,
        waited: Callable[[object], float],
        counted: Callable[[object, float], None],
    ) -> Callable[[object], Awaitable]:
        """Hands a result event to the producer under its key and returns what to await: its
        acknowledgement, after which it is counted sent and `counted(result, waited(result))`.
        Everything that can fail comes before the send: a result is either published or
        dead-lettered."""

        async def publish(result) -> Awaitable:
            key, value, seconds = result.key, result.to_bytes(), waited(result)
            ack = await self.send(topic, key, value)

            async def acknowledged() -> None:
                await ack
                self.meter.count("sent")
                counted(result, seconds)

            return acknowledged()

        return publish

    def dead_letters_to(self, topic: str) -> Callable[[DeadLettered, bytes | None], Awaitable]:
        """Publishes a dead letter under its original message's key, waits for its
        acknowledgement, and counts it."""

        async def publish_dead(letter: DeadLettered, key: bytes | None) -> None:
            await (await self.send(topic, key, letter.to_bytes()))
            self.meter.count("dead_letters")

        return publish_dead

    def batched(
        self,
        topic: str,
        name: str,
        handle: Callable[[Sequence[Message]], Awaitable],
        before: Callable[[], Awaitable] | None = None,
    ) -> BatchedTopic:
        """`topic` consumed in batches by the group `<service>`, each handed to `handle` (after
        `before`, e.g. a cache ready) while the worker runs; `batches[name]`."""
        batches = BatchedTopic(
            topic, self.service, self.settings, self.meter, handle, before, self.consumer
        )
        self.batches[name] = batches
        self.app.task(batches.run)
        return batches

    def report_metrics(self, lag_of: BatchedTopic, drift: DriftWindow | None = None) -> None:
        """Every metrics_interval_s, `report`."""

        @self.app.timer(interval=self.settings.metrics_interval_s)
        async def report_metrics():
            await self.report(lag_of, drift)

    async def report(self, lag_of: BatchedTopic, drift: DriftWindow | None = None) -> None:
        """The meter's report to ops.metrics and its alerts to ops.alerts, with the consumer lag of
        the input topic `lag_of`. A broker that is away is logged, never raised: a timer that
        raises would stop the worker."""
        try:
            await report_to(
                self.meter,
                self.alerts,
                lambda r: _handed_over(self.send(OPS_METRICS, r.key, r.to_bytes())),
                lambda a: _handed_over(self.send(OPS_ALERTS, a.key, a.to_bytes())),
                drift,
                lag_of.lag(),
            )
        except Exception as error:  # noqa: BLE001 - the broker is away: the work goes on
            log.warning("%s: a report was not published: %s", self.service, cause(error))


def quiet_root_logger() -> None:
    """Faust's start-up spinner leaves the root logger at DEBUG (faust/worker.py,
    `_setup_spinner_handler`): every debug call of every library, one per record aiokafka sends,
    then builds a log record nobody prints (3 % of a busy explainer). Once started, the root
    logger is back at the level its handlers print, and the finished spinner's handler goes."""
    from faust.utils.terminal.spinners import SpinnerHandler

    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, SpinnerHandler)]
    if root.handlers:
        root.setLevel(max(min(h.level for h in root.handlers), logging.DEBUG))


async def _handed_over(sent: Awaitable[Awaitable]) -> None:
    """A report handed to the producer, which retries it; not waited for, so a broker that is away
    delays no timer. One that is lost in the end is logged."""
    acknowledgement = asyncio.ensure_future(await sent)
    acknowledgement.add_done_callback(_log_if_lost)


def _log_if_lost(acknowledgement: asyncio.Future) -> None:
    if not acknowledgement.cancelled() and acknowledgement.exception() is not None:
        log.warning("a report was not published: %s", cause(acknowledgement.exception()))
