"""A service's Meter in Prometheus' text format: the same numbers as its ops.metrics reports.

One family per kind of number, with the Meter's names as labels, so one scrape job and one
dashboard fit every service:

    pad_events_total{service, process, kind}
        every count since start (the report's `totals`)
    pad_latency_seconds{service, process, kind, quantile}
        the last report's p50, p95 and p99
    pad_latency_observations{service, process, kind}
        latencies observed in that report's interval
    pad_lag_messages{service, process}
        the last report's lag (absent when it has none)
    pad_unaccounted_messages{service, process}
        messages received with no outcome, not in flight: 0

`process` is the report's `instance` (host and pid): Prometheus keeps the label `instance` for the
address it scrapes. The process's own CPU and memory come with them (`process_*`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, ProcessCollector, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from credit.monitoring import Meter

log = logging.getLogger(__name__)
QUANTILES = {"0.5": "p50_ms", "0.95": "p95_ms", "0.99": "p99_ms"}
WHO = ["service", "process"]


class MeterCollector(Collector):
    """Read at every scrape: the meters' totals now, their latencies and lag as last reported."""

    def __init__(self, meters: Iterable[Meter]):
        self.meters = list(meters)

    def collect(self):
        events = CounterMetricFamily(
            "pad_events",
            "Counted since the process started, as in ops.metrics totals",
            labels=[*WHO, "kind"],
        )
        latency = GaugeMetricFamily(
            "pad_latency_seconds",
            "Latency percentiles of the last ops.metrics report",
            labels=[*WHO, "kind", "quantile"],
        )
        observed = GaugeMetricFamily(
            "pad_latency_observations",
            "Latencies observed in the last report's interval",
            labels=[*WHO, "kind"],
        )
        lag = GaugeMetricFamily(
            "pad_lag_messages", "Messages waiting, as in the last ops.metrics report", labels=WHO
        )
        unaccounted = GaugeMetricFamily(
            "pad_unaccounted_messages",
            "Messages received with no outcome and not in flight (anything but 0 is a loss)",
            labels=WHO,
        )
        for meter in self.meters:
            who = [meter.service, meter.instance]
            for kind, count in sorted(meter.totals().items()):
                events.add_metric([*who, kind], count)
            report = meter.last_report
            for kind, percentiles in (report.latency if report else {}).items():
                for quantile, field in QUANTILES.items():
                    latency.add_metric([*who, kind, quantile], getattr(percentiles, field) / 1000)
                observed.add_metric([*who, kind], percentiles.n)
            if report and report.lag is not None:
                lag.add_metric(who, report.lag)
            unaccounted.add_metric(who, meter.unaccounted())
        return [events, latency, observed, lag, unaccounted]


def metrics_registry(meters: Meter | Iterable[Meter]) -> CollectorRegistry:
    """A registry of its own (not the process-wide default) holding the meters and the process's
    resources."""
    registry = CollectorRegistry()
    registry.register(MeterCollector([meters] if isinstance(meters, Meter) else meters))
    ProcessCollector(registry=registry)
    return registry


class MetricsEndpoint:
    """Where the metrics are served (`address` None: not served); close() stops serving."""

    def __init__(self, server=None):
        self._server = server
        self.address = server.server_address[:2] if server else None

    def close(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve_metrics(
    meters: Meter | Iterable[Meter], port: int | None, host: str = "127.0.0.1"
) -> MetricsEndpoint:
    """Serve the meters at http://host:port/metrics from a daemon thread; port 0 or None: not
    served.

    A port already taken is logged and the service runs on unobserved (its scrape target shows
    down).
    """
    if not port:
        return MetricsEndpoint()
    try:
        server, _ = start_http_server(port, host, registry=metrics_registry(meters))
    except OSError as error:
        log.warning("Prometheus metrics not served on %s:%s: %s", host, port, error)
        return MetricsEndpoint()
    log.info("Prometheus metrics on http://%s:%s/metrics", host, port)
    return MetricsEndpoint(server)


def serve_from_worker(
    app, meters: Meter | Iterable[Meter], port: int | None, host: str = "127.0.0.1"
) -> None:
    """Serve while a Faust worker runs: a task of the app, so building the app (as unit tests do)
    opens nothing."""

    @app.task
    async def serve_prometheus_metrics():
        endpoint = serve_metrics(meters, port, host)
        try:
            await asyncio.Event().wait()  # until the worker stops and cancels its tasks
        finally:
            endpoint.close()
