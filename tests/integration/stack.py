"""Helpers for tests against the running stack: post applications, read a topic until enough arrived."""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from kafka import KafkaConsumer, TopicPartition

from tests.processes import wait_until

API_KEY = "integration-test-key-0123456789"


@dataclass
class Stack:
    """The running stack: the ingest API's URL and the service processes (to kill and restart in fault tests)."""
    url: str
    services: dict  # name -> tests.processes.Service
    metrics_ports: dict = field(default_factory=dict)  # name -> its Prometheus port on 127.0.0.1


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_topic(bootstrap: str, topic: str, want, timeout: float, decode):
    """Events read from the start of `topic` until `want(events)` holds (bounded)."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    events = []
    try:
        def enough():
            events.extend(decode(message.value) for message in consumer)
            return want(events)
        wait_until(enough, timeout, f"events on {topic}", every=0)
        return events
    finally:
        consumer.close()


def post_in_batches(url: str, applications: list[dict], batch: int = 100) -> list[str]:
    """Post many applications, `batch` per request; their application ids, in order."""
    return [i for start in range(0, len(applications), batch) for i in post(url, applications[start:start + batch])]


def post(url: str, applications: list[dict]) -> list[str]:
    response = httpx.post(f"{url}/v1/applications", json=applications, headers={"X-API-Key": API_KEY}, timeout=30)
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
