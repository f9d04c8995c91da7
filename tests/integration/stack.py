"""Helpers for tests against the running stack: post applications, read a topic until enough
arrived, follow what became of messages (decided, explained, dead-lettered)."""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field

import httpx
from kafka import KafkaConsumer, TopicPartition

from credit.events import ApplicationExplained, ApplicationScored, DeadLettered
from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)
from tests.processes import wait_until

API_KEY = "integration-test-key-0123456789"


@dataclass
class Stack:
    """The running stack: the ingest API's URL and the service processes (to kill and restart in
    fault tests)."""

    url: str
    services: dict  # name -> tests.processes.Service
    metrics_ports: dict = field(default_factory=dict)  # name -> its Prometheus port on 127.0.0.1


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_topic(bootstrap: str, topic: str, want, timeout: float, decode):
    """Events read from the start of `topic` until `want(events)` holds (bounded); `want` is asked
    once all that the topic held at the time is read, even on a topic that never pauses."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    events = []
    try:

        def enough():
            if not consumer.assignment():
                partitions = consumer.partitions_for_topic(topic) or ()  # none until it exists
                consumer.assign([TopicPartition(topic, p) for p in partitions])
                consumer.seek_to_beginning()
            ends = consumer.end_offsets(list(consumer.assignment()))
            until = time.monotonic() + 5
            while time.monotonic() < until and any(
                consumer.position(tp) < end for tp, end in ends.items()
            ):
                batches = consumer.poll(timeout_ms=300)
                events.extend(decode(m.value) for batch in batches.values() for m in batch)
            return want(events)

        wait_until(enough, timeout, f"events on {topic}", every=0)
        return events
    finally:
        consumer.close()


def post_in_batches(url: str, applications: list[dict], batch: int = 100) -> list[str]:
    """Post many applications, `batch` per request; their application ids, in order."""
    return [
        i
        for start in range(0, len(applications), batch)
        for i in post(url, applications[start : start + batch])
    ]


def post(url: str, applications: list[dict]) -> list[str]:
    response = httpx.post(
        f"{url}/v1/applications", json=applications, headers={"X-API-Key": API_KEY}, timeout=30
    )
    assert response.status_code == 202, response.text
    return response.json()["application_ids"]


def topic_size(bootstrap: str, topic: str) -> int:
    """Messages ever written to `topic` (the sum of its partitions' end offsets)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """Each partition of `topic` -> its end offset (the offset its next message will get)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


class Tail:
    """The messages of some topics from their start, a little more on each `read()`, for bounded
    polls."""

    def __init__(self, bootstrap: str, *topics: str):
        self.consumer = KafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )

    def read(self) -> list:
        """The messages (kafka-python ConsumerRecords) arrived since the last read."""
        return [
            m
            for batch in self.consumer.poll(timeout_ms=500, max_records=5000).values()
            for m in batch
        ]

    def caught_up(self) -> bool:
        """Whether every message written so far was read."""
        assigned = self.consumer.assignment()
        ends = self.consumer.end_offsets(list(assigned)) if assigned else {}
        return bool(assigned) and all(self.consumer.position(tp) >= end for tp, end in ends.items())

    def close(self) -> None:
        self.consumer.close()


class Outcomes:
    """What became of messages, read from the start of the topics a little more on each `read()`:
    decisions and explanations by application_id (their positions), and each stage's dead letters by
    source position (the scorer's of loan-applications, the explainer's of loan-decisions, the
    dashboard's of loan-explanations)."""

    STAGES = {
        APPLICATIONS_DLQ: LOAN_APPLICATIONS,
        DECISIONS_DLQ: LOAN_DECISIONS,
        DASHBOARD_DLQ: LOAN_EXPLANATIONS,
    }

    def __init__(self, bootstrap: str):
        self.tail = Tail(bootstrap, LOAN_DECISIONS, LOAN_EXPLANATIONS, *self.STAGES)
        self.decided: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.explained: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.dead: dict[tuple[str, int, int], list[DeadLettered]] = defaultdict(list)

    def read(self) -> Outcomes:
        for message in self.tail.read():
            with suppress(ValueError):  # another test's poison on a topic: not an outcome
                position = (message.partition, message.offset)
                if message.topic == LOAN_DECISIONS:
                    self.decided[ApplicationScored.from_bytes(message.value).application_id].append(
                        position
                    )
                elif message.topic == LOAN_EXPLANATIONS:
                    self.explained[
                        ApplicationExplained.from_bytes(message.value).application_id
                    ].append(position)
                elif (letter := DeadLettered.from_bytes(message.value)).source_topic == self.STAGES[
                    message.topic
                ]:
                    self.dead[
                        (letter.source_topic, letter.source_partition, letter.source_offset)
                    ].append(letter)
        return self

    def read_to_end(self, timeout: float = 60) -> Outcomes:
        wait_until(
            lambda: self.read().tail.caught_up(), timeout, "the end of the outcome topics", every=0
        )
        return self

    def close(self) -> None:
        self.tail.close()
