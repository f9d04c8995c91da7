"""The live feeds: Kafka consumers of the dashboard server process, writing the topics into the
store: one for the client topics (applications, decisions, explanations, reviews), one for
operations (ops.metrics, ops.alerts and the dead-letter topics, and the reconciliation of every
application's way through the stages), so a busy monitoring topic never delays a file.

A failure is per message: one that is not a valid event, or that the store refuses, goes to
dashboard.dlq with the reason, and the others are stored. Offsets are committed only once every
message polled is stored or its dead letter acknowledged, so a restart resumes where the store
stopped, and replays are harmless (upserts). A store that is down (not a bad message) or a broker
that does not take a dead letter stops the poll without committing: it is read again. While the
broker is unreachable the store keeps serving the last known data and `status()` says the feed is
interrupted; the consumer reconnects by itself and catches up. Every `metrics_interval_s` it
reports to ops.metrics like the services (messages received, events stored, dead letters, lag).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from adapters.kafka import Producer, reachable
from credit.dead_letters import Message, cause, dead_letter_of
from credit.events import AlertRaised, ApplicationExplained
from credit.monitoring import Alerts, Measure, Meter, instance_name
from credit.reconciliation import Reconciliation
from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
    LOAN_REVIEWS,
    OPS_ALERTS,
    OPS_METRICS,
)
from dashboard.intake import Intake

log = logging.getLogger(__name__)
SERVICE = "dashboard"
CLIENT_TOPICS = (LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS, LOAN_REVIEWS)
OPS_TOPICS = (OPS_METRICS, OPS_ALERTS, APPLICATIONS_DLQ, DECISIONS_DLQ, DASHBOARD_DLQ)
RECONCILED = (
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)  # what the reconciliation follows
ACKS_TIMEOUT_S = (
    10.0  # a dead letter the broker has not acknowledged by then: the poll is read again
)


# One poll: up to MAX_POLL_RECORDS messages stored in one transaction (one commit, one disk sync);
# a partition's fetch up to FETCH_BYTES (about 1,000 explanations).
MAX_POLL_RECORDS, FETCH_BYTES = 5000, 8 << 20


@dataclass(frozen=True)
class FeedStatus:
    live: bool  # the broker answers and the consumer thread runs
    events: int  # events written to the store since start
    dead_letters: int  # messages sent to dashboard.dlq (not valid events, or refused by the store)
    last_event_at: float | None  # time.time() of the last event written


class Feed:
    """`producer`: the shared producer of its dead letters and reports (tests give one over a
    fake)."""

    def __init__(
        self,
        store,
        bootstrap: str,
        group_id: str = "dashboard",
        poll_ms: int = 500,
        metrics_interval_s: float = 10.0,
        topics: tuple[str, ...] = CLIENT_TOPICS,
        service: str = SERVICE,
        reconciliation: Reconciliation | None = None,
        producer: Producer | None = None,
    ):
        self.store, self.bootstrap, self.group_id, self.poll_ms = (
            store,
            bootstrap,
            group_id,
            poll_ms,
        )
        self.producer = producer or Producer(bootstrap, ACKS_TIMEOUT_S, service)
        self.topics, self.service, self.reconciliation = topics, service, reconciliation
        self._intake = Intake(store, topics, reconciliation)
        self.meter = Meter(
            service,
            instance_name(),
            outcomes=("stored", "dead_letters", "refused_upstream", "reconciled"),
        )
        self._alerts, self.metrics_interval_s = Alerts(service), metrics_interval_s
        self._reported = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events = self._dead_letters = 0
        self._dead_lettered: set[tuple[str, int, int]] = (
            set()
        )  # acknowledged, in polls not committed yet
        self._failed_polls = self._committed = (
            0  # since the last report: a feed that cannot commit is stalled
        )
        self._failure = ""
        self._last_event_at: float | None = None

    def start(self) -> Feed:
        self._thread = threading.Thread(target=self._run, name=f"{self.service}-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def status(self) -> FeedStatus:
        alive = bool(self._thread and self._thread.is_alive())
        return FeedStatus(
            alive and reachable(self.bootstrap),
            self._events,
            self._dead_letters,
            self._last_event_at,
        )

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
            self.producer.close()

    def _connect(self):
        """A consumer of every partition of the feed's topics once the broker answers (retried: the
        dashboard may start while Kafka is down). Assigned, not subscribed: each dashboard's store
        needs every partition, and a group rebalance cannot leave a partition unread (a group's
        assignment computed before the broker's metadata arrived did so); `group_id` keeps the
        committed offsets, one group per store."""
        from kafka import KafkaConsumer

        while not self._stop.is_set():
            try:
                consumer = KafkaConsumer(
                    bootstrap_servers=self.bootstrap,
                    group_id=self.group_id,
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    reconnect_backoff_max_ms=2000,
                    # a backlog read in few large fetches: each round trip was a wait of the feed
                    max_partition_fetch_bytes=FETCH_BYTES,
                    fetch_max_bytes=4 * FETCH_BYTES,
                )
                if self._assign(consumer):
                    return consumer
                consumer.close()
                log.warning(
                    "%s feed: topics not all created yet on %s; retrying",
                    self.service,
                    self.bootstrap,
                )
            except Exception as error:  # noqa: BLE001 - keep trying; status() reports the interruption
                log.warning(
                    "%s feed: cannot reach %s (%s); retrying",
                    self.service,
                    self.bootstrap,
                    type(error).__name__,
                )
            self._stop.wait(2)
        return None

    def _assign(self, consumer) -> bool:
        """Assigns every partition of the topics read (again when partitions were added); False
        while a topic has none yet."""
        from kafka import TopicPartition

        topics = self.topics + tuple(
            t for t in RECONCILED if self.reconciliation and t not in self.topics
        )
        known = {topic: consumer.partitions_for_topic(topic) for topic in topics}
        if not all(known.values()):
            return False
        partitions = {TopicPartition(topic, p) for topic, ps in known.items() for p in ps}
        if partitions != consumer.assignment():
            consumer.assign(sorted(partitions))
        return True

    def _poll_once(self, consumer) -> None:
        try:
            polled = consumer.poll(timeout_ms=self.poll_ms, max_records=MAX_POLL_RECORDS)
        except Exception as error:  # noqa: BLE001 - the feed must outlive broker trouble; it retries
            log.warning("%s feed: %s; retrying", self.service, type(error).__name__)
            self._stop.wait(1)
            return
        if not polled:
            return
        messages = [
            Message(r.key, r.value, tp.topic, tp.partition, r.offset)
            for tp, rs in polled.items()
            for r in rs
        ]
        started = time.monotonic()
        try:
            outcome = self._intake.handle(messages, self._publish_dead)
            # every message polled is stored, dead-lettered (acknowledged) or reconciled
            consumer.commit()
        except Exception as error:  # noqa: BLE001 - the store or the broker is down, not a message
            log.warning(
                "%s feed: %s; the poll will be read again", self.service, cause(error)[:200]
            )
            self._failed_polls, self._failure = self._failed_polls + 1, cause(error)[:200]
            self._rewind(consumer, polled)
            self._stop.wait(1)
            return
        self._dead_lettered.clear()  # committed: those positions will not be read again
        self._committed += 1
        self.meter.latency(
            "batch", time.monotonic() - started
        )  # what the ops feed reports as its latency
        self._count(len(messages), outcome)

    def _publish_dead(self, letters: list[tuple[Message, str]]) -> None:
        """Each (message, reason)'s dead letter acknowledged by the broker, or an exception (nothing
        is committed)."""
        # a poll read again after a failure does not send again the dead letters the broker already
        # took
        letters = [
            (m, dead_letter_of(m, reason, self.service))
            for m, reason in letters
            if (m.topic, m.partition, m.offset) not in self._dead_lettered
        ]
        if not letters:
            return

        def acknowledged(index: int) -> None:
            m = letters[index][0]
            self._dead_lettered.add((m.topic, m.partition, m.offset))

        # a failed producer may stay failed: the shared one is dropped, the next poll opens a fresh
        # one
        self.producer.send_all(
            DASHBOARD_DLQ, [(m.key, letter.to_bytes()) for m, letter in letters], acknowledged
        )

    def _rewind(self, consumer, polled: dict) -> None:
        for tp, records in polled.items():
            try:
                consumer.seek(tp, records[0].offset)
            except Exception as error:  # noqa: BLE001 - a partition revoked meanwhile: its new owner reads it
                log.warning(
                    "%s feed: cannot rewind %s (%s)", self.service, tp, type(error).__name__
                )

    def _count(self, received: int, outcome) -> None:
        self.meter.count("received", received)
        for kind in ("dead_letters", "refused_upstream", "reconciled"):
            self.meter.count(kind, getattr(outcome, kind))
        self.meter.count("stored", len(outcome.stored))
        self._events += len(outcome.stored)
        self._dead_letters += outcome.dead_letters
        self._last_event_at = time.time() if outcome.stored else self._last_event_at
        for event in outcome.stored:
            if isinstance(event, ApplicationExplained):
                self.meter.latency(
                    "explained_to_stored", time.time() - event.explained_at.timestamp()
                )

    def _report(self, consumer) -> None:
        """The interval's report and its alerts (lost, not retried, when the broker is down)."""
        self._reported = time.monotonic()
        try:
            assigned = list(consumer.assignment())
            ends = consumer.end_offsets(assigned) if assigned else {}
            self._assign(consumer)  # partitions added to a topic meanwhile
            report = self.meter.report(
                lag=sum(max(end - consumer.position(tp), 0) for tp, end in ends.items())
                if ends
                else None
            )
            alerts = (
                self._alerts.check(report)
                + self._alerts.levels([self._stalled()], report.at)
                + self._reconcile(report.at)
            )
            self.producer.send_soon(OPS_METRICS, [(report.key, report.to_bytes())])
            self.producer.send_soon(OPS_ALERTS, [(a.key, a.to_bytes()) for a in alerts])
            self.store.forget_old_operations()
        except Exception as error:  # noqa: BLE001 - reporting must never stop the feed
            log.warning("%s feed: report not sent (%s)", self.service, type(error).__name__)

    def _stalled(self) -> Measure:
        """An alarm while polls fail and none is committed (a store down, dead letters the broker
        refuses)."""
        failed, committed, cause_ = self._failed_polls, self._committed, self._failure
        self._failed_polls = self._committed = 0
        return Measure(
            "stalled",
            "polls",
            failed,
            "alarm" if failed and not committed else None,
            0,
            0,
            cause_ if failed and not committed else None,
        )

    def _reconcile(self, at) -> list[AlertRaised]:
        """Alerts for applications that did not reach the next stage in time (the ops feed only)."""
        if self.reconciliation is None:
            return []
        self.reconciliation.in_store(
            self.store.explained(self.reconciliation.waiting_to_be_stored())
        )
        return self._alerts.levels(self.reconciliation.measures(), at)
