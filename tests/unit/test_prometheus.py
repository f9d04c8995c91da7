"""The Prometheus adapter: a Meter's totals, last percentiles and lag, in the text format, read
back."""

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.prometheus import metrics_registry, serve_metrics
from credit.monitoring import Meter
from tests.processes import free_port

pytestmark = pytest.mark.unit


def samples(text: str) -> dict:
    """(metric name, labels without service and process) -> value, for the project's own
    families."""
    return {
        (
            s.name,
            tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("service", "process"))),
        ): s.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith("pad_")
        for s in family.samples
    }


def busy_meter(service: str = "scorer") -> Meter:
    meter = Meter(service, "host-1")
    meter.count("received", 5)
    meter.count("sent", 4)
    meter.count("dead_letters")
    for milliseconds in range(1, 101):
        meter.latency("batch", milliseconds / 1000)
    return meter


def test_totals_are_counters_and_the_last_reports_latency_and_lag_are_gauges_in_seconds():
    meter = busy_meter()
    report = meter.report(lag=7)
    meter.count("received", 2)  # totals are read at the scrape; latency and lag as last reported
    found = samples(generate_latest(metrics_registry(meter)).decode())
    assert (
        {
            name: value
            for (metric, labels), value in found.items()
            if metric == "pad_events_total"
            for _, name in labels
        }
        == {"received": 7, "sent": 4, "dead_letters": 1}
        == meter.totals()
    )
    percentiles = report.latency["batch"]
    assert (
        found["pad_latency_seconds", (("kind", "batch"), ("quantile", "0.5"))]
        == percentiles.p50_ms / 1000
    )
    assert (
        found["pad_latency_seconds", (("kind", "batch"), ("quantile", "0.99"))]
        == percentiles.p99_ms / 1000
    )
    assert found["pad_latency_observations", (("kind", "batch"),)] == 100
    assert found["pad_lag_messages", ()] == 7
    assert (
        found["pad_unaccounted_messages", ()] == 2
    )  # the two received after the report have no outcome


def test_each_sample_names_its_service_and_process_and_no_lag_is_shown_before_one_is_reported():
    meters = [busy_meter("dashboard"), busy_meter("dashboard-ops")]
    meters[1].report(lag=None)
    families = {
        f.name: f
        for f in text_string_to_metric_families(generate_latest(metrics_registry(meters)).decode())
    }
    assert {(s.labels["service"], s.labels["process"]) for s in families["pad_events"].samples} == {
        ("dashboard", "host-1"),
        ("dashboard-ops", "host-1"),
    }
    assert not families["pad_lag_messages"].samples
    assert {s.labels["service"] for s in families["pad_latency_seconds"].samples} == {
        "dashboard-ops"
    }


def test_the_endpoint_serves_on_loopback_until_closed_and_port_zero_serves_nothing():
    meter, port = busy_meter(), free_port()
    endpoint = serve_metrics(meter, port)
    try:
        assert endpoint.address == ("127.0.0.1", port)
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert samples(response.text)["pad_events_total", (("kind", "sent"),)] == 4
    finally:
        endpoint.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert serve_metrics(meter, 0).address is None


def test_a_port_already_taken_leaves_the_service_running_unobserved():
    meter, port = busy_meter(), free_port()
    first = serve_metrics(meter, port)
    try:
        assert serve_metrics(meter, port).address is None
    finally:
        first.close()
