"""The local Kafka broker works with every client the project uses, and holds the project's
topics."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from credit.topics import CLIENT_HISTORY, LOAN_DECISIONS, TOPIC_CONFIGS

pytestmark = pytest.mark.integration

DAY_MS = 24 * 3600 * 1000
WAIT_S = 60
ECHO_APP = Path(__file__).with_name("echo_app.py")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def admin(kafka_broker):
    from kafka.admin import KafkaAdminClient

    client = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap)
    yield client
    client.close()


def topic_configs(admin, names) -> dict[str, dict[str, str]]:
    from kafka.admin import ConfigResource, ConfigResourceType

    found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
    return {
        name: {key: entry["value"] for key, entry in configs.items()}
        for name, configs in found["topic"].items()
    }


def consume(bootstrap: str, topic: str, count: int, timeout_s: float = WAIT_S) -> list:
    """Read `count` committed records of `topic` from the beginning, within a bounded time."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique("test"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    records, deadline = [], time.monotonic() + timeout_s
    try:
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def produce(bootstrap: str, topic: str, items: list[tuple[bytes, bytes]]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        for key, value in items:
            producer.send(topic, key=key, value=value).get(timeout=WAIT_S)
    finally:
        producer.close()


def test_every_topic_exists_with_its_configuration(kafka_broker, admin):
    described = {t["name"]: t for t in admin.describe_topics(list(TOPIC_CONFIGS))}
    assert {name: len(described[name]["partitions"]) for name in TOPIC_CONFIGS} == {
        name: 3 for name in TOPIC_CONFIGS
    }
    configs = topic_configs(admin, TOPIC_CONFIGS)
    for name, expected in TOPIC_CONFIGS.items():
        assert {key: configs[name][key] for key in expected} == expected, name
    assert configs[CLIENT_HISTORY]["cleanup.policy"] == "compact"
    assert int(configs[LOAN_DECISIONS]["retention.ms"]) >= 180 * DAY_MS


def test_topic_creation_is_idempotent(kafka_broker):
    from deploy.topics import create_topics

    assert create_topics(kafka_broker.bootstrap, partitions=3) == []


def test_idempotent_kafka_python_producer_message_is_consumed_back(kafka_broker):
    topic, key, value = kafka_broker.new_topic(), b"100002", unique("payload").encode()
    produce(kafka_broker.bootstrap, topic, [(key, value)])
    records = consume(kafka_broker.bootstrap, topic, 1)
    assert [(r.key, r.value) for r in records] == [(key, value)]


def test_aiokafka_produces_and_consumes(kafka_broker):
    topic, value = kafka_broker.new_topic(), unique("payload").encode()
    assert asyncio.run(aiokafka_round_trip(kafka_broker.bootstrap, topic, value)) == value


async def aiokafka_round_trip(bootstrap: str, topic: str, value: bytes) -> bytes:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"100003")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=unique("test"), auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=WAIT_S)
    finally:
        await consumer.stop()
    return record.value


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_faust_worker_creates_its_internal_topics_and_echoes(
    kafka_broker, admin, tmp_path, guarantee
):
    app_id = unique("echo")
    source, sink = kafka_broker.new_topic("echo-in"), kafka_broker.new_topic("echo-out")
    log = tmp_path / "worker.log"
    with faust_worker(
        kafka_broker.bootstrap, app_id, source, sink, tmp_path, log, guarantee
    ) as worker:
        wait_for_line(worker, log, "Worker ready")
        produce(kafka_broker.bootstrap, source, [(b"100004", b"hello")])
        echoed = consume(kafka_broker.bootstrap, sink, 1)
    assert [(r.key, r.value) for r in echoed] == [(b"100004", b"hello")], log.read_text()[-3000:]
    assert {f"{app_id}-seen-changelog", f"{app_id}-__assignor-__leader"} <= set(admin.list_topics())


class faust_worker:
    """`python echo_app.py worker` in a subprocess, stopped with SIGTERM (then killed) on exit."""

    def __init__(
        self, bootstrap, app_id, source, sink, datadir: Path, log: Path, guarantee
    ) -> None:
        self.args = dict(
            ECHO_BOOTSTRAP=bootstrap,
            ECHO_APP_ID=app_id,
            ECHO_IN=source,
            ECHO_OUT=sink,
            ECHO_DATADIR=str(datadir / "faust"),
            ECHO_GUARANTEE=guarantee,
        )
        self.log = log

    def __enter__(self) -> subprocess.Popen:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(ECHO_APP), "worker", "--without-web", "--loglevel", "info"],
                env={**os.environ, **self.args},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ECHO_APP.parent,
            )
        return self.proc

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_for_line(proc: subprocess.Popen, log: Path, text: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        assert proc.poll() is None, f"the faust worker exited:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
    pytest.fail(
        f"no '{text}' from the faust worker within {timeout_s}s:\n{log.read_text()[-3000:]}"
    )


def test_broker_restart_keeps_topics_and_messages(kafka_broker):
    topic, value = kafka_broker.new_topic(), unique("durable").encode()
    produce(kafka_broker.bootstrap, topic, [(b"100005", value)])
    kafka_broker.stop()
    kafka_broker.start()
    assert [r.value for r in consume(kafka_broker.bootstrap, topic, 1)] == [value]
