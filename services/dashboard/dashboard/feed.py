"""The live feeds: Kafka consumers of the dashboard server process, writing the topics into the store:
one for the client topics (applications, decisions, explanations, reviews), one for operations
(ops.metrics, ops.alerts and the dead-letter topics), so a busy monitoring topic never delays a file.

It commits its offsets only after the store has the events, so a restart resumes where the
store stopped, and replays are harmless (upserts). While the broker is unreachable the store
keeps serving the last known data and `status()` says the feed is interrupted; the consumer
reconnects by itself and catches up. Every `metrics_interval_s` it reports to ops.metrics like
the services (messages received, events stored, unreadable messages, lag).
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

from pydantic import ValidationError

from credit.events import (AlertRaised, ApplicationExplained, ApplicationReceived, ApplicationReviewed,
                           ApplicationScored, DeadLettered, ServiceReported)
from credit.monitoring import Alerts, Meter, instance_name
from credit.topics import (APPLICATIONS_DLQ, DECISIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS,
                          LOAN_REVIEWS, OPS_ALERTS, OPS_METRICS)

log = logging.getLogger(__name__)
SERVICE = "dashboard"
SCHEMAS = {LOAN_APPLICATIONS: ApplicationReceived, LOAN_DECISIONS: ApplicationScored,
           LOAN_EXPLANATIONS: ApplicationExplained, LOAN_REVIEWS: ApplicationReviewed,
           OPS_METRICS: ServiceReported, OPS_ALERTS: AlertRaised, APPLICATIONS_DLQ: DeadLettered,
           DECISIONS_DLQ: DeadLettered}
CLIENT_TOPICS = (LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS, LOAN_REVIEWS)
OPS_TOPICS = (OPS_METRICS, OPS_ALERTS, APPLICATIONS_DLQ, DECISIONS_DLQ)


@dataclass(frozen=True)
class FeedStatus:
    live: bool  # the broker answers and the consumer thread runs
    events: int  # events written to the store since start
    unreadable: int  # messages that are not valid events (the producing service dead-letters its own)
    last_event_at: float | None  # time.time() of the last event written


def decode(topic: str, value: bytes | None):
    """The event in a message, or None when it is not a valid one."""
    try:
        return SCHEMAS[topic].model_validate_json(value or b"")
    except (ValidationError, UnicodeDecodeError):
        return None


class Feed:
    def __init__(self, store, bootstrap: str, group_id: str = "dashboard", poll_ms: int = 500,
                 metrics_interval_s: float = 10.0, topics: tuple[str, ...] = CLIENT_TOPICS, service: str = SERVICE):
        self.store, self.bootstrap, self.group_id, self.poll_ms = store, bootstrap, group_id, poll_ms
        self.topics, self.service = topics, service
        self.meter, self._alerts, self.metrics_interval_s = Meter(service, instance_name()), Alerts(service), metrics_interval_s
        self._reported, self._producer = time.monotonic(), None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events = self._unreadable = 0
        self._last_event_at: float | None = None

    def start(self) -> "Feed":
        self._thread = threading.Thread(target=self._run, name=f"{self.service}-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def status(self) -> FeedStatus:
        alive = bool(self._thread and self._thread.is_alive())
        return FeedStatus(alive and _reachable(self.bootstrap), self._events, self._unreadable, self._last_event_at)

    def _run(self) -> None:
        consumer = self._connect()
        if consumer is None:
            return
        try:
            while not self._stop.is_set():
                self._poll_once(consumer)
                if time.monotonic() - self._reported >= self.metrics_interval_s:
                    self._report(consumer)
        finally:
            consumer.close()
            if self._producer:
                self._producer.close(timeout=5)

    def _connect(self):
        """A consumer once the broker answers (retried: the dashboard may start while Kafka is down)."""
        from kafka import KafkaConsumer

        while not self._stop.is_set():
            try:
                return KafkaConsumer(*self.topics, bootstrap_servers=self.bootstrap, group_id=self.group_id,
                                     enable_auto_commit=False, auto_offset_reset="earliest",
                                     reconnect_backoff_max_ms=2000)
            except Exception as error:  # noqa: BLE001 - keep trying; status() reports the interruption
                log.warning("%s feed: cannot reach %s (%s); retrying", self.service, self.bootstrap, type(error).__name__)
                self._stop.wait(2)
        return None

    def _poll_once(self, consumer) -> None:
        try:
            batches = consumer.poll(timeout_ms=self.poll_ms, max_records=1000)
            events = [e for tp, records in batches.items() for r in records if (e := self._decoded(tp.topic, r.value))]
            if batches:
                started = time.monotonic()
                self.store.upsert(events)
                self._events += len(events)
                self._last_event_at = time.time() if events else self._last_event_at
                consumer.commit()  # after the store has them: a failure here only means a harmless replay
                self.meter.latency("batch", time.monotonic() - started)  # what the ops feed reports as its latency
                self._count(sum(len(records) for records in batches.values()), events)
        except Exception as error:  # noqa: BLE001 - the feed must outlive broker trouble; it retries
            log.warning("%s feed: %s; retrying", self.service, type(error).__name__)
            time.sleep(1)

    def _count(self, received: int, events: list) -> None:
        self.meter.count("received", received)
        self.meter.count("stored", len(events))
        self.meter.count("unreadable", received - len(events))
        for event in events:
            if isinstance(event, ApplicationExplained):
                self.meter.latency("explained_to_stored", time.time() - event.explained_at.timestamp())

    def _report(self, consumer) -> None:
        """The interval's report and its alerts (lost, not retried, when the broker is down)."""
        from kafka import KafkaProducer

        self._reported = time.monotonic()
        try:
            assigned = list(consumer.assignment())
            ends = consumer.end_offsets(assigned) if assigned else {}
            report = self.meter.report(lag=sum(max(end - consumer.position(tp), 0) for tp, end in ends.items())
                                       if ends else None)
            self._producer = self._producer or KafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
            for topic, event in [(OPS_METRICS, report), *((OPS_ALERTS, a) for a in self._alerts.check(report))]:
                self._producer.send(topic, key=self.service.encode(), value=event.to_bytes())
            self.store.forget_old_operations()
        except Exception as error:  # noqa: BLE001 - reporting must never stop the feed
            log.warning("%s feed: report not sent (%s)", self.service, type(error).__name__)

    def _decoded(self, topic: str, value: bytes | None):
        event = decode(topic, value)
        self._unreadable += event is None
        return event


def _reachable(bootstrap: str) -> bool:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False
