"""Prometheus' view on a real broker: each service's endpoint shows the totals of its own
ops.metrics reports."""

from __future__ import annotations

from collections import defaultdict

import httpx
import pandas as pd
import pytest
from kafka import KafkaConsumer
from prometheus_client.parser import text_string_to_metric_families

from credit.events import ApplicationExplained, ServiceReported, now
from credit.topics import LOAN_EXPLANATIONS, OPS_METRICS
from tests.integration.stack import post_in_batches, read_topic
from tests.json_rows import json_rows
from tests.processes import free_port, wait_until

pytestmark = pytest.mark.integration


class Reports:
    """The reports on ops.metrics made since `since`, per service and instance."""

    def __init__(self, bootstrap: str, since):
        self.since, self.by = since, defaultdict(list)
        self._consumer = KafkaConsumer(
            OPS_METRICS, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )

    def of(self, service: str, process: str) -> list[ServiceReported]:
        for message in (m for batch in self._consumer.poll(timeout_ms=500).values() for m in batch):
            report = ServiceReported.from_bytes(message.value)
            if report.at >= self.since:
                self.by[report.service, report.instance].append(report)
        return self.by[service, process]

    def close(self) -> None:
        self._consumer.close()


def scrape(port: int, service: str) -> tuple[set[str], dict[str, float], float | None]:
    """The service's process labels, totals and lag, as Prometheus reads them from the endpoint."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    events = [s for s in families["pad_events"].samples if s.labels["service"] == service]
    lags = [s.value for s in families["pad_lag_messages"].samples if s.labels["service"] == service]
    return (
        {s.labels["process"] for s in events},
        {s.labels["kind"]: s.value for s in events},
        lags[0] if lags else None,
    )


def scraped_when_still(
    reports: Reports, port: int, service: str
) -> tuple[dict[str, float], ServiceReported]:
    """A scrape between reports showing nothing moving: two equal ones before it, the same once more
    after it."""
    (process,) = wait_until(
        lambda: scrape(port, service)[0], 60, f"{service}'s counts on its endpoint"
    )

    def still() -> bool:
        latest = reports.of(service, process)[-2:]
        return (
            len(latest) == 2
            and latest[0].totals == latest[1].totals != {}
            and latest[1].lag in (0, None)
        )

    wait_until(
        still, 120, f"two {service} reports with the same totals and nothing waiting", every=0
    )
    before = reports.of(service, process)[-1]
    _, totals, lag = scrape(port, service)
    wait_until(
        lambda: reports.of(service, process)[-1] is not before,
        30,
        f"the next {service} report",
        every=0,
    )
    after = reports.of(service, process)[-1]
    assert after.totals == before.totals, f"{service} counted more during the scrape"
    assert lag == after.lag, service
    return totals, after


def test_each_service_endpoint_shows_the_totals_of_its_last_report(
    stack, kafka_broker, real_data_dir
):
    rows = json_rows(pd.read_csv(real_data_dir / "application_test.csv").iloc[2000:2150])
    ids = set(post_in_batches(stack.url, rows, batch=50))
    read_topic(
        kafka_broker.bootstrap,
        LOAN_EXPLANATIONS,
        lambda e: {x.application_id for x in e} >= ids,
        180,
        ApplicationExplained.from_bytes,
    )  # all explained: the services go quiet
    reports = Reports(kafka_broker.bootstrap, now())
    try:
        for service in ("scorer", "explainer", "ingest"):
            totals, report = scraped_when_still(reports, stack.metrics_ports[service], service)
            assert totals == {kind: float(n) for kind, n in report.totals.items()}, service
            assert totals["sent"] >= len(ids), (
                service
            )  # real numbers, this test's applications among them
    finally:
        reports.close()


def test_the_dashboard_feed_endpoint_shows_the_totals_of_its_last_report(
    stack, kafka_broker, tmp_path
):
    from adapters.prometheus import serve_metrics
    from dashboard.feed import Feed
    from dashboard.store import Store

    reports = Reports(kafka_broker.bootstrap, now())
    feed = Feed(
        Store(tmp_path / "store.db"),
        kafka_broker.bootstrap,
        "prometheus-test",
        metrics_interval_s=0.5,
    ).start()
    port = free_port()
    endpoint = serve_metrics(feed.meter, port)
    try:
        totals, report = scraped_when_still(reports, port, "dashboard")
    finally:
        endpoint.close()
        feed.stop()
        reports.close()
    assert totals == {kind: float(n) for kind, n in report.totals.items()}
    assert totals["stored"] == feed.status().events > 0
