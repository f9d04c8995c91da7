"""Faults on a real broker: whatever the ingest API accepted ends decided and explained, once, in
the store."""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress

import pandas as pd
import pytest
from kafka import KafkaConsumer, KafkaProducer

from credit.events import ApplicationExplained, DeadLettered, now
from credit.topics import (
    APPLICATIONS_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)
from tests.integration.stack import post_in_batches
from tests.json_rows import json_rows
from tests.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def stored(path, table: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute(f"SELECT application_id FROM {table}")]


def assert_each_once_in_a_dashboard_store(bootstrap: str, path, ids: set[str], group: str) -> None:
    """A fresh dashboard feed into `path` ends with exactly one application, decision and
    explanation per id."""
    from dashboard.feed import Feed
    from dashboard.store import Store

    feed = Feed(Store(path), bootstrap, group, metrics_interval_s=60).start()
    try:
        wait_until(
            lambda: set(stored(path, "explanations")) >= ids,
            300,
            "every accepted application explained in the dashboard's store",
            every=1,
        )
    finally:
        feed.stop()
    for table in ("applications", "decisions", "explanations"):
        rows_for_ids = [i for i in stored(path, table) if i in ids]
        assert len(rows_for_ids) == len(ids), (
            table
        )  # exactly one each: duplicates on the topics collapse


def first_explained(bootstrap: str, ids: set[str], enough: int) -> int:
    """As soon as `enough` of `ids` are explained (polls, not a read to the end): how many are."""
    consumer = KafkaConsumer(
        LOAN_EXPLANATIONS, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    seen: set[str] = set()

    def count() -> bool:
        for message in (m for batch in consumer.poll(timeout_ms=200).values() for m in batch):
            with suppress(ValueError):  # other tests' poison
                seen.add(ApplicationExplained.from_bytes(message.value).application_id)
        return len(seen & ids) >= enough

    try:
        wait_until(count, 120, f"{enough} explanations", every=0)
        return len(seen & ids)
    finally:
        consumer.close()


def test_kill_9_of_the_scorer_and_the_explainer_mid_replay_loses_nothing(
    stack, kafka_broker, real_data_dir, tmp_path
):
    # several thousand real applications: the training table's, without the outcome
    rows = json_rows(
        pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").head(3000)
    )
    before = post_in_batches(stack.url, rows[:2000])
    # mid-replay: some explained, most not yet
    explained = first_explained(kafka_broker.bootstrap, set(before), 200)
    for name in ("scorer", "explainer"):
        stack.services[name].kill()
    assert explained < len(before)  # the explainer killed with work in flight
    during = post_in_batches(stack.url, rows[2000:])  # accepted
    for name in ("scorer", "explainer"):
        stack.services[name].start()

    ids = set(before + during)
    assert len(ids) == 3000
    assert_each_once_in_a_dashboard_store(
        kafka_broker.bootstrap, tmp_path / "store.db", ids, "fault-test"
    )


def test_a_broker_restart_mid_replay_loses_nothing_and_the_api_says_503_meanwhile(
    stack, kafka_broker, real_data_dir, tmp_path
):
    import httpx

    from tests.integration.stack import API_KEY

    rows = json_rows(
        pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").iloc[3000:5000]
    )
    before = post_in_batches(stack.url, rows[:1500])
    first_explained(kafka_broker.bootstrap, set(before), 100)
    kafka_broker.stop()
    refused = httpx.post(
        f"{stack.url}/v1/applications",
        json=rows[1500:1600],
        headers={"X-API-Key": API_KEY},
        timeout=60,
    )
    assert refused.status_code == 503 and refused.json()["error"] == "broker_unavailable"
    kafka_broker.start()

    def healthy() -> bool:
        # the first check after the restart opens a new producer, which can take longer than a
        # probe's 5 s while the broker's metadata comes back: not healthy yet, asked again
        try:
            return httpx.get(f"{stack.url}/health", timeout=5).status_code == 200
        except httpx.TimeoutException:
            return False

    wait_until(healthy, 120, "the API healthy again")
    after = post_in_batches(stack.url, rows[1600:])

    ids = set(before + after)  # what the API acknowledged (the 503 batch was not)
    assert_each_once_in_a_dashboard_store(
        kafka_broker.bootstrap, tmp_path / "store.db", ids, "broker-fault-test"
    )


# What a misbehaving upstream could put on the topics, and a word the dead letter's reason must
# give.
POISON = {
    LOAN_APPLICATIONS: [
        (b"", "empty"),
        (b"not json", "JSON"),
        (b"[]", "message"),
        (b'{"SK_ID_CURR": "abc"}', "SK_ID_CURR"),
        (b'{"AMT_CREDIT": 1000}', "SK_ID_CURR"),
        (b'{"SK_ID_CURR": 7, "AMT_CREDIT": -1}', "AMT_CREDIT"),
        (b'{"SK_ID_CURR": 7, "EXT_SOURCE_2": 3.5}', "EXT_SOURCE_2"),
        (b'{"SK_ID_CURR": 7, "NAME_CONTRACT_TYPE": "Leasing"}', "NAME_CONTRACT_TYPE"),
        (b'{"SK_ID_CURR": 7, "unknown_field": 1}', "unknown_field"),
    ],
    LOAN_DECISIONS: [
        (b"not json", "JSON"),
        (json.dumps({"application_id": "half"}).encode(), "client_id"),
    ],
}
POISON_PER_BATCH = 20


def test_poison_mixed_into_a_load_is_all_dead_lettered_with_its_reason_while_good_work_goes_on(
    stack, kafka_broker, real_data_dir, tmp_path
):
    rows = json_rows(
        pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").head(2000)
    )
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    kinds = [(topic, value, word) for topic, poison in POISON.items() for value, word in poison]
    sent, good = {}, []  # (topic, partition, offset) -> the word its reason must give
    for start in range(
        0, len(rows), 100
    ):  # good batches through the API, poison straight onto the topics
        good += post_in_batches(stack.url, rows[start : start + 100])
        for i in range(POISON_PER_BATCH):
            topic, value, word = kinds[(start // 100 * POISON_PER_BATCH + i) % len(kinds)]
            position = producer.send(topic, key=None if i % 2 else b"7", value=value).get(
                timeout=30
            )
            sent[(topic, position.partition, position.offset)] = word
    poison_ended = now().isoformat()
    producer.close()

    consumer = KafkaConsumer(
        APPLICATIONS_DLQ,
        DECISIONS_DLQ,
        bootstrap_servers=kafka_broker.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    letters: list[DeadLettered] = []

    def every_poison_dead_lettered() -> bool:
        letters.extend(
            DeadLettered.from_bytes(m.value)
            for batch in consumer.poll(timeout_ms=500).values()
            for m in batch
        )
        return {(x.source_topic, x.source_partition, x.source_offset) for x in letters} >= set(sent)

    try:
        wait_until(
            every_poison_dead_lettered, 180, "every poison message in a dead-letter topic", every=0
        )
    finally:
        consumer.close()
    reasons = {(x.source_topic, x.source_partition, x.source_offset): x.reason for x in letters}
    missing_words = {
        position: (word, reasons[position])
        for position, word in sent.items()
        if word not in reasons[position]
    }
    assert len(sent) == len(rows) // 100 * POISON_PER_BATCH and not missing_words

    path = tmp_path / "store.db"
    assert_each_once_in_a_dashboard_store(kafka_broker.bootstrap, path, set(good), "poison-test")
    with sqlite3.connect(
        path
    ) as db:  # good work went on while poison kept arriving, not only after it
        decided_meanwhile = db.execute(
            "SELECT COUNT(*) FROM decisions WHERE decided_at < ? AND application_id IN "
            f"({', '.join('?' * len(good))})",
            (poison_ended, *good),
        ).fetchone()[0]
    assert decided_meanwhile >= len(good) // 2
