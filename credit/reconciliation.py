"""End-to-end reconciliation: every application accepted is decided, every decision explained and
every explanation stored, or dead-lettered with its reason, within a set time. What is not,
operations are told.

Pure bookkeeping, no Kafka: the operations feed tells it what it reads from the topics and the
store. A message waits in a stage from when it was seen until its result (same application_id on the
next topic, or in the store) or its dead letter (same topic, partition and offset) is seen, in
either order.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass

from credit.monitoring import Measure
from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)

RECONCILE_AFTER_S = 60.0  # a message still waiting this long after it was seen is reported


@dataclass(frozen=True)
class Overdue:
    subject: str  # "not decided", "not explained", "not stored"
    messages: int
    oldest: str  # the application_id (or topic-partition-offset) that waits longest
    waited_s: float


class Stage:
    """The messages of one topic still waiting for their result or dead letter."""

    def __init__(self, subject: str, topic: str):
        self.subject, self.topic = subject, topic
        self.waiting: dict[
            tuple[int, int], tuple[float, str | None]
        ] = {}  # (partition, offset) -> (seen, id)
        self._by_id: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self._done: dict[object, float] = {}  # ids and positions whose outcome came first
        self._done_order: deque = deque()

    def seen(self, partition: int, offset: int, application_id: str | None, at: float) -> None:
        position = (partition, offset)
        if position in self._done or application_id in self._done:
            return
        self.waiting[position] = (at, application_id)
        if application_id is not None:
            self._by_id[application_id].add(position)

    def passed(self, application_id: str, at: float) -> None:
        """The result of application_id arrived (all its messages in this stage are done)."""
        for position in self._by_id.pop(application_id, ()):
            self.waiting.pop(position, None)
        self._remember(application_id, at)

    def dead_lettered(self, partition: int, offset: int, at: float) -> None:
        position = (partition, offset)
        _, application_id = self.waiting.pop(position, (None, None))
        if application_id is not None:
            self._by_id[application_id].discard(position)
            if not self._by_id[application_id]:
                del self._by_id[application_id]  # nothing of it waits any more
        self._remember(position, at)

    def overdue(self, now: float, after_s: float) -> Overdue | None:
        late = [
            (seen, application_id or f"{self.topic}-{p}-{o}")
            for (p, o), (seen, application_id) in self.waiting.items()
            if now - seen >= after_s
        ]
        if not late:
            return None
        seen, oldest = min(late)
        return Overdue(self.subject, len(late), oldest, round(now - seen, 1))

    def forget_done(self, before: float) -> None:
        """Outcomes seen before `before` can no longer precede their message: let them go (bounded
        memory)."""
        while self._done_order and self._done_order[0][0] < before:
            _, key = self._done_order.popleft()
            self._done.pop(key, None)

    def _remember(self, key, at: float) -> None:
        self._done[key] = at
        self._done_order.append((at, key))


class Reconciliation:
    """The three stages of an application's way, fed with what the topics and the store say."""

    def __init__(self, after_s: float = RECONCILE_AFTER_S, clock=time.monotonic):
        self.after_s, self._clock = after_s, clock
        self.decided = Stage("not decided", LOAN_APPLICATIONS)
        self.explained = Stage("not explained", LOAN_DECISIONS)
        self.stored = Stage("not stored", LOAN_EXPLANATIONS)
        self._results = {LOAN_DECISIONS: self.decided, LOAN_EXPLANATIONS: self.explained}
        self._letters = {
            (APPLICATIONS_DLQ, LOAN_APPLICATIONS): self.decided,
            (DECISIONS_DLQ, LOAN_DECISIONS): self.explained,
            (DASHBOARD_DLQ, LOAN_EXPLANATIONS): self.stored,
        }
        self._inputs = {stage.topic: stage for stage in (self.decided, self.explained, self.stored)}

    def message(self, topic: str, partition: int, offset: int, application_id: str | None) -> None:
        """A message of loan-applications, loan-decisions or loan-explanations (its id, when
        readable)."""
        at = self._clock()
        if topic in self._results and application_id is not None:
            self._results[topic].passed(application_id, at)
        self._inputs[topic].seen(partition, offset, application_id, at)

    def dead_letter(
        self, dead_letter_topic: str, source_topic: str, partition: int, offset: int
    ) -> None:
        stage = self._letters.get((dead_letter_topic, source_topic))
        if stage is not None:
            stage.dead_lettered(partition, offset, self._clock())

    def in_store(self, application_ids) -> None:
        at = self._clock()
        for application_id in application_ids:
            self.stored.passed(application_id, at)

    def waiting_to_be_stored(self) -> list[str]:
        """The explanations still waiting after the set time, whose presence in the store is to be
        checked."""
        now = self._clock()
        return [
            i
            for seen, i in self.stored.waiting.values()
            if i is not None and now - seen >= self.after_s
        ]

    def overdue(self) -> list[Overdue]:
        """What waits longer than the set time, per stage; also forgets outcomes too old to
        matter."""
        now = self._clock()
        stages = (self.decided, self.explained, self.stored)
        for stage in stages:
            stage.forget_done(now - 2 * max(self.after_s, 60.0))
        return [o for stage in stages if (o := stage.overdue(now, self.after_s))]

    def measures(self) -> list[Measure]:
        """One measure per stage for credit.monitoring.Alerts: an alarm while anything is overdue,
        naming the oldest application waiting."""
        overdue = {o.subject: o for o in self.overdue()}
        return [
            Measure("reconciliation", stage.subject, o.messages, "alarm", 0, 0, o.oldest)
            if (o := overdue.get(stage.subject))
            else Measure("reconciliation", stage.subject, 0, None, 0, 0)
            for stage in (self.decided, self.explained, self.stored)
        ]
