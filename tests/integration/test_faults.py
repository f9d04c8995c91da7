"""Faults on a real broker: whatever the ingest API accepted ends decided and explained, once, in the store."""
from __future__ import annotations

import sqlite3
from contextlib import suppress

import pandas as pd
import pytest
from kafka import KafkaConsumer

from credit.events import ApplicationExplained
from credit.topics import LOAN_EXPLANATIONS
from tests.integration.stack import post_in_batches
from tests.json_rows import json_rows
from tests.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def stored(path, table: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute(f"SELECT application_id FROM {table}")]


def assert_each_once_in_a_dashboard_store(bootstrap: str, path, ids: set[str], group: str) -> None:
    """A fresh dashboard feed into `path` ends with exactly one application, decision and explanation per id."""
    from dashboard.feed import Feed
    from dashboard.store import Store

    feed = Feed(Store(path), bootstrap, group, metrics_interval_s=60).start()
    try:
        wait_until(lambda: set(stored(path, "explanations")) >= ids, 300,
                   "every accepted application explained in the dashboard's store", every=1)
    finally:
        feed.stop()
    for table in ("applications", "decisions", "explanations"):
        rows_for_ids = [i for i in stored(path, table) if i in ids]
        assert len(rows_for_ids) == len(ids), table  # exactly one each: duplicates on the topics collapse


def first_explained(bootstrap: str, ids: set[str], enough: int) -> int:
    """As soon as `enough` of `ids` are explained (polls, not a read to the end): how many are."""
    consumer = KafkaConsumer(LOAN_EXPLANATIONS, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
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


def test_kill_9_of_the_scorer_and_the_explainer_mid_replay_loses_nothing(stack, kafka_broker, real_data_dir,
                                                                           tmp_path):
    # several thousand real applications: the training table's, without the outcome
    rows = json_rows(pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").head(3000))
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
    assert_each_once_in_a_dashboard_store(kafka_broker.bootstrap, tmp_path / "store.db", ids, "fault-test")


def test_a_broker_restart_mid_replay_loses_nothing_and_the_api_says_503_meanwhile(stack, kafka_broker, real_data_dir,
                                                                                tmp_path):
    import httpx

    from tests.integration.stack import API_KEY

    rows = json_rows(pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").iloc[3000:5000])
    before = post_in_batches(stack.url, rows[:1500])
    first_explained(kafka_broker.bootstrap, set(before), 100)
    kafka_broker.stop()
    refused = httpx.post(f"{stack.url}/v1/applications", json=rows[1500:1600], headers={"X-API-Key": API_KEY},
                         timeout=60)
    assert refused.status_code == 503 and refused.json()["error"] == "broker_unavailable"
    kafka_broker.start()
    wait_until(lambda: httpx.get(f"{stack.url}/health", timeout=5).status_code == 200, 120, "the API healthy again")
    after = post_in_batches(stack.url, rows[1600:])

    ids = set(before + after)  # what the API acknowledged (the 503 batch was not)
    assert_each_once_in_a_dashboard_store(kafka_broker.bootstrap, tmp_path / "store.db", ids, "broker-fault-test")
