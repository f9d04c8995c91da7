"""The operations page's data: read incrementally from the store, drawn at a bounded resolution,
charts updated in place; old operations records forgotten."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pandas as pd
import pytest

from credit.dead_letters import dead_letter
from credit.events import AlertRaised, Percentiles, ServiceReported, now
from dashboard.charts import SHORTEST_TIME_AXIS
from dashboard.ops_history import POINTS, OpsHistory, bucket, lines, window
from dashboard.store import OPERATIONS_KEPT, REPORTS_KEPT, Store
from dashboard.views.operations import (
    TEXT,
    LineChart,
    Operations,
    decisions_words,
    drift_table,
    services_table,
)

pytestmark = pytest.mark.unit


def report(
    service: str = "scorer",
    seconds_ago: float = 0,
    instance: str = "host-1",
    lag: int = 0,
    sent: int = 100,
    to_review: int = 5,
) -> ServiceReported:
    counts = {
        "received": sent,
        "sent": sent,
        "granted": sent - 20 - to_review,
        "refused": 20,
        "to_review": to_review,
    }
    return ServiceReported(
        service=service,
        instance=instance,
        at=now() - timedelta(seconds=seconds_ago),
        interval_s=10,
        counts=counts,
        totals=counts,
        rates_per_s={"sent": sent / 10},
        latency={"submitted_to_decided": Percentiles(n=sent, p50_ms=5, p95_ms=9, p99_ms=12)},
        lag=lag,
        pd_histogram=[sent // 11] * 11 if service == "scorer" else None,
        drift={"PD": 0.05, "EXT_SOURCE_3": 0.3} if service == "scorer" else {},
    )


class CountingStore(Store):
    """A store that remembers how many reports each incremental read returned."""

    def __init__(self):
        super().__init__()
        self.reads = []

    def reports_after(self, row, since):
        rows = super().reports_after(row, since)
        self.reads.append(len(rows))
        return rows


def test_each_update_reads_only_the_reports_stored_since_the_last_one_even_late_ones():
    store = CountingStore()
    store.upsert([report(seconds_ago=s) for s in (60, 50, 40)])
    history = OpsHistory(store)
    assert len(history.update()) == 3
    assert len(history.update()) == 3 and store.reads == [
        3,
        0,
    ]  # nothing new: nothing read or parsed again
    store.upsert(
        [report(seconds_ago=30), report(seconds_ago=55, instance="box-1")]
    )  # the second arrives late
    frame = history.update()
    assert store.reads[-1] == 2 and len(frame) == 5 and frame["at"].is_monotonic_increasing
    # two containers whose processes are both 1 are two lines
    assert list(frame["line"]) == [
        "scorer host-1",
        "scorer box-1",
        "scorer host-1",
        "scorer host-1",
        "scorer host-1",
    ]


def test_reports_older_than_the_longest_window_leave_the_history():
    store = Store()
    store.upsert([report(seconds_ago=3 * 3600), report(seconds_ago=60)])
    assert len(OpsHistory(store, kept=timedelta(hours=1)).update()) == 1
    history = OpsHistory(store, kept=timedelta(hours=4))
    assert len(history.update()) == 2
    history.kept = timedelta(hours=1)  # time has passed: the oldest report is now out
    assert len(history.update()) == 1


def test_a_day_is_drawn_with_at_most_POINTS_points_per_line_and_the_worst_lag_of_each_step():
    store = Store()
    store.upsert([report(seconds_ago=s, lag=s % 3600) for s in range(0, 24 * 3600, 10)])
    frame = window(OpsHistory(store).update(), 24 * 60)
    [(x, y)] = lines(frame, "lag", "max", bucket(24 * 60)).values()
    assert len(frame) == 8640 and len(x) <= POINTS + 1
    assert max(y) == 3590  # the worst lag is kept, not averaged away
    [(x, y)] = lines(window(frame, 15), "lag", "max", bucket(15)).values()
    assert len(x) == 90  # 15 min: every report


def ops_page(store: Store) -> Operations:
    live = SimpleNamespace(status=lambda: SimpleNamespace(live=True))
    return Operations(
        SimpleNamespace(store=store, ops_history=OpsHistory(store), ops_feed=live), window=15
    )


def test_a_refresh_with_the_same_lines_updates_the_charts_data_in_place():
    store = Store()
    store.upsert([report(seconds_ago=s) for s in (120, 60)])
    page = ops_page(store)
    throughput = page._charts[0]
    figure, [source] = throughput.pane.object, throughput._sources.values()
    assert len(source.data["y"]) == 2
    store.upsert([report(seconds_ago=0, sent=300)])
    page.refresh()
    assert throughput.pane.object is figure and list(throughput._sources.values()) == [
        source
    ]  # the same figure
    assert len(source.data["y"]) == 3 and source.data["y"][-1] == 30.0  # with the new point
    store.upsert(
        [report(seconds_ago=0, instance="host-2")]
    )  # a new instance: a new line, so a new figure
    page.refresh()
    assert throughput.pane.object is not figure and sorted(throughput._sources) == [
        "scorer host-1",
        "scorer host-2",
    ]


def test_the_page_shows_the_latest_report_of_each_instance_its_drift_and_the_periods_decisions():
    store = Store()
    store.upsert(
        [
            report(seconds_ago=120, lag=7),
            report(seconds_ago=0, lag=3, to_review=15),
            report("ingest", seconds_ago=100, instance="host-9"),
        ]
    )
    page = ops_page(store)
    services = page._services.value
    assert list(services["service"]) == ["ingest", "scorer"] and list(
        services["retard (messages)"]
    ) == ["0", "3"]
    assert list(services["état"]) == [
        "⚠ silencieux",
        "✔ rend compte",
    ]  # 100 s > 3 intervals of 10 s
    assert list(page._drift.value["entrée"]) == ["EXT_SOURCE_3", "PD"]
    # the scorer's two reports (the ingest API decides nothing): 200 decisions, 5 + 15 of them left
    # to reviewers
    assert (
        "200 décisions" in page._decisions.object
        and "à examiner 10,0\xa0%" in page._decisions.object
    )
    assert page._pd.pane.object.renderers[0].data_source.data["top"] == [2 * (100 // 11)] * 11


def test_old_alerts_and_dead_letters_are_forgotten_and_the_newest_report_always_stays():
    store = Store()
    old, recent = now() - OPERATIONS_KEPT - timedelta(hours=1), now() - timedelta(hours=1)
    alerts = [
        AlertRaised(
            service="scorer",
            kind="lag",
            subject="messages",
            level="warn",
            value=2000,
            threshold=1000,
            at=at,
        )
        for at in (old, recent)
    ]
    dead = [
        dead_letter(b"{", "message: Invalid JSON", "loan-applications", 0, n, "scorer")
        for n in range(2)
    ]
    dead[0] = dead[0].model_copy(update={"failed_at": old})
    stale = REPORTS_KEPT.total_seconds() + 60
    store.upsert([*alerts, *dead, report(seconds_ago=stale + 10), report(seconds_ago=stale)])
    history = OpsHistory(
        store, kept=REPORTS_KEPT * 2
    )  # so the page has read up to the newest stale report
    assert len(history.update()) == 2
    assert (
        store.forget_old_operations() == 3
    )  # an alert, a dead letter, the older of two stale reports
    assert [a.at for a in store.latest_alerts()] == [recent] and store.count("dead_letters") == 1
    assert (
        store.count("reports") == 1
    )  # the newest stays, so the next report's row id is still greater
    store.upsert([report(seconds_ago=0)])
    assert (
        len(history.update()) == 3
    )  # and the page still sees it (a reused row id would be skipped)


def test_the_history_keeps_its_numbers_as_numbers_when_a_read_brings_only_gaps():
    store = Store()
    history = OpsHistory(store)
    store.upsert(
        [report("ingest", seconds_ago=20).model_copy(update={"lag": None})]
    )  # the ingest API has no lag
    history.update()
    store.upsert([report(seconds_ago=10, lag=7)])
    frame = history.update()
    assert frame["lag"].dtype == float and frame["lag"].isna().tolist() == [True, False]
    assert lines(frame, "lag", "max", bucket(15))["scorer host-1"][1].tolist() == [7.0]


def test_the_services_and_drift_tables_write_numbers_the_french_or_english_way():
    store = Store()
    busy = report(sent=16780, lag=12345).model_copy(
        update={"drift": {"PD": 16.492, "EXT_SOURCE_3": 0.05}}
    )
    store.upsert([busy])
    frame = OpsHistory(store).update()
    french, english = services_table(frame, "fr"), services_table(frame, "en")
    assert french.iloc[0, 4:].tolist() == [
        "1\u00a0678,0",
        "0",
        "9",
        "12\u00a0345",
    ]  # débit, erreurs, p95, retard
    assert english.iloc[0, 4:].tolist() == ["1,678.0", "0", "9", "12,345"]
    assert drift_table(frame, "fr")["PSI"].tolist() == ["16,492", "0,050"]
    assert drift_table(frame, "en")["PSI"].tolist() == ["16.492", "0.050"]


def test_one_decision_is_said_in_the_singular_and_two_in_the_plural():
    one = pd.DataFrame({"sent": [1.0], "granted": [1.0], "refused": [0.0], "to_review": [0.0]})
    assert decisions_words(one, "fr").startswith(
        "Sur la période, 1 décision : accordées 100,0\u00a0%"
    )
    assert decisions_words(one, "en").startswith("In the period, 1 decision: granted 100.0%")
    assert "2 décisions :" in decisions_words(one * 2, "fr") and "2 decisions:" in decisions_words(
        one * 2, "en"
    )


def test_a_chart_of_one_report_shows_a_dot_on_an_axis_of_minutes_and_numbers_in_the_page_language():
    chart = LineChart()
    at = pd.Timestamp(now()).tz_convert(None)
    chart.show(TEXT["fr"]["lag"], {"scorer host-1": ([at.to_datetime64()], [1234.5])})
    fig, [dots] = chart.pane.object, chart._dots.values()
    assert dots.visible and fig.x_range.min_interval == SHORTEST_TIME_AXIS
    assert (
        fig.yaxis[0].formatter.args["locale"] == "fr-FR"
        and "%b" not in fig.xaxis[0].formatter.minutes
    )
    chart.show(
        TEXT["fr"]["lag"], {"scorer host-1": ([at.to_datetime64()] * 2, [1.0, 2.0])}
    )  # a line now
    assert chart.pane.object is fig and not dots.visible
    chart.show(TEXT["en"]["lag"], {"scorer host-1": ([at.to_datetime64()] * 2, [1.0, 2.0])})
    assert chart.pane.object.yaxis[0].formatter.args["locale"] == "en-GB"
