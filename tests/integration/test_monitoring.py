"""Operations' view on a real broker: every service reports on ops.metrics what it really did."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from kafka import KafkaConsumer, KafkaProducer

from credit.events import AlertRaised, ApplicationScored, DeadLettered, ServiceReported, now
from credit.monitoring import DEAD_LETTERS_ALARM, DRIFT_INPUTS
from credit.topics import LOAN_APPLICATIONS, LOAN_DECISIONS, OPS_ALERTS, OPS_METRICS
from tests.integration.stack import post_in_batches, read_topic, topic_size
from tests.json_rows import json_rows
from tests.processes import wait_until

pytestmark = pytest.mark.integration


def application_id(raw: bytes) -> str | None:
    """A decision's application id; None for the poison other tests put on the topic."""
    try:
        return ApplicationScored.from_bytes(raw).application_id
    except ValueError:
        return None


def test_reports_account_for_every_message_and_watch_drift(stack, kafka_broker, real_data_dir):
    rows = json_rows(pd.read_csv(real_data_dir / "application_test.csv").iloc[1000:1400])
    ids = set(post_in_batches(stack.url, rows))
    read_topic(
        kafka_broker.bootstrap, LOAN_DECISIONS, lambda e: set(e) >= ids, 180, application_id
    )  # all decided
    latest: dict[str, ServiceReported] = {}
    reports: list[ServiceReported] = []
    consumer = KafkaConsumer(
        OPS_METRICS, bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest"
    )

    def accounted() -> bool:
        """The latest reports: each service's input topic all received, sent or dead-lettered, and
        committed."""
        for message in (
            m for batch in consumer.poll(timeout_ms=500).values() for m in batch
        ):  # reports never pause
            report = ServiceReported.from_bytes(message.value)
            latest[report.service] = report
            reports.append(report)
        inputs = {"scorer": LOAN_APPLICATIONS, "explainer": LOAN_DECISIONS}
        return (
            set(latest) >= set(inputs)
            and all(
                latest[s].totals.get("received")
                == topic_size(kafka_broker.bootstrap, topic)
                == latest[s].totals.get("sent", 0) + latest[s].totals.get("dead_letters", 0)
                and latest[s].lag == 0
                for s, topic in inputs.items()
            )
            and (  # and nothing left waiting
                "ingest" in latest and latest["ingest"].totals.get("sent", 0) >= len(ids)
            )
        )  # posted through the API

    try:
        wait_until(accounted, 120, "ops.metrics reports that account for every message", every=0)
    finally:
        consumer.close()
    ingest = latest[
        "ingest"
    ].totals  # the broker was up: all published, but for duplicates (fuzzing repeats ids)
    assert ingest["received"] == ingest["sent"] + ingest.get("duplicates", 0) and not ingest.get(
        "unavailable"
    )
    scorer = latest["scorer"]
    assert (
        scorer.totals["granted"] + scorer.totals["refused"] + scorer.totals["to_review"]
        == scorer.totals["sent"]
    )
    assert 0 < scorer.totals["to_review"] < scorer.totals["sent"]  # the review band is in use
    assert set(scorer.drift) == {"PD", *DRIFT_INPUTS}  # enough decisions for a drift window
    assert all(math.isfinite(v) and v >= 0 for v in scorer.drift.values())
    busy = [r for r in reports if r.counts.get("sent")]  # intervals that did something
    assert all(sum(r.pd_histogram) == r.counts["sent"] for r in busy if r.service == "scorer")
    assert all(
        r.latency["decided_to_explained"].n == r.counts["sent"]
        for r in busy
        if r.service == "explainer"
    )


def test_a_burst_of_dead_letters_raises_an_alert(stack, kafka_broker):
    # a quiet scorer first: a burst read in the same interval as a backlog's last thousand
    # applications would be a share of them (a warning), not the alarm this test asks for
    quiet_from = now()
    read_topic(
        kafka_broker.bootstrap,
        OPS_METRICS,
        lambda reports: any(
            r.service == "scorer"
            and r.at >= quiet_from
            and not r.counts.get("received")
            and r.lag == 0
            for r in reports
        ),
        120,
        ServiceReported.from_bytes,
    )
    started = now()
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    for i in range(60):
        producer.send(LOAN_APPLICATIONS, key=f"burst-{i}".encode(), value=b"not an application")
    producer.flush()
    producer.close()
    alerts = read_topic(
        kafka_broker.bootstrap,
        OPS_ALERTS,
        lambda e: any(a.at >= started and a.kind == "dead_letters" for a in e),
        60,
        AlertRaised.from_bytes,
    )
    (alert,) = [a for a in alerts if a.at >= started and a.kind == "dead_letters"]
    assert (alert.service, alert.level) == ("scorer", "alarm") and alert.value > DEAD_LETTERS_ALARM


def test_the_dashboard_feeds_store_every_event_and_report_it(stack, kafka_broker, tmp_path):
    from dashboard.feed import CLIENT_TOPICS, OPS_TOPICS, Feed
    from dashboard.store import Store

    store = Store(tmp_path / "store.db")
    feed = Feed(store, kafka_broker.bootstrap, "monitoring-test", metrics_interval_s=0.5).start()
    ops_feed = Feed(
        store,
        kafka_broker.bootstrap,
        "monitoring-test-ops",
        topics=OPS_TOPICS,
        service="dashboard-ops",
    ).start()
    consumer = KafkaConsumer(
        OPS_METRICS, bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest"
    )
    latest: list[ServiceReported] = []

    def accounted() -> bool:
        """Every message of the client topics received, stored, dead-lettered or left to the stage
        that dead-letters it, and nothing left waiting."""
        for message in (m for batch in consumer.poll(timeout_ms=500).values() for m in batch):
            report = ServiceReported.from_bytes(message.value)
            if report.service == "dashboard" and report.instance == feed.meter.instance:
                latest[:] = [report]
        total = sum(topic_size(kafka_broker.bootstrap, t) for t in CLIENT_TOPICS)
        return (
            bool(latest)
            and latest[0].lag == 0
            and latest[0].totals.get("received")
            == total
            == sum(
                latest[0].totals.get(k, 0) for k in ("stored", "dead_letters", "refused_upstream")
            )
        )

    letters = KafkaConsumer(
        *OPS_TOPICS[2:], bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest"
    )
    kept: set = set()

    def dead_letters_and_alerts_kept() -> bool:
        """The operations page's data: every dead letter (one per message and stage: every dashboard
        feed of the suite dead-letters the same poison) and every alert."""
        for message in (m for batch in letters.poll(timeout_ms=500).values() for m in batch):
            letter = DeadLettered.from_bytes(message.value)
            kept.add(
                (letter.source_topic, letter.source_partition, letter.source_offset, letter.service)
            )
        return (
            store.count("dead_letters") == len(kept) > 0
            and store.count("alerts") == topic_size(kafka_broker.bootstrap, OPS_ALERTS)
            and store.count("reports") > 0
        )

    try:
        wait_until(accounted, 120, "a dashboard report accounting for every message", every=0)
        wait_until(
            dead_letters_and_alerts_kept, 60, "the ops feed keeping every dead letter and alert"
        )
    finally:
        feed.stop()
        ops_feed.stop()
        consumer.close()
        letters.close()
    assert feed.status().events == latest[0].totals["stored"]
    assert (
        latest[0].latency["batch"].n > 0
    )  # the time to store a batch: the ops feed's latency on the page
