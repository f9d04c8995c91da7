"""The Meter's counts, rates and percentiles, the PD histogram, and the PSI behind drift alerts."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit.events import ServiceReported, now
from credit.monitoring import LATENCY_SAMPLES, PD_BINS, DriftWindow, Meter, level, psi
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit


def test_counts_and_rates_are_per_interval_and_totals_since_start():
    clock = FakeClock(100.0)
    meter = Meter("scorer", "a", clock=clock)
    meter.count("received", 10)
    meter.count("dead_letters")
    clock.now += 5
    first = meter.report()
    assert first.counts == {"received": 10, "dead_letters": 1}
    assert first.rates_per_s == {"received": 2.0, "dead_letters": 0.2}
    assert first.interval_s == 5
    meter.count("received", 3)
    clock.now += 2
    second = meter.report()
    assert second.counts == {"received": 3}
    assert second.totals == {"received": 13, "dead_letters": 1}
    assert ServiceReported.from_bytes(second.to_bytes()) == second


def test_latency_percentiles_and_bounded_samples_when_busy():
    meter = Meter("explainer", "a")
    values = (
        np.random.default_rng(0).permutation(np.arange(1, 3 * LATENCY_SAMPLES + 1)) / 1000
    )  # 1 ms .. 30 s
    for v in values:
        meter.latency("decided_to_explained", float(v))
    assert len(meter._latency["decided_to_explained"]) == LATENCY_SAMPLES
    p = meter.report().latency["decided_to_explained"]
    assert p.n == 3 * LATENCY_SAMPLES
    true = np.percentile(values * 1000, [50, 95, 99])
    assert p.p50_ms == pytest.approx(true[0], rel=0.03)
    assert p.p95_ms == pytest.approx(true[1], rel=0.01)
    assert p.p99_ms == pytest.approx(true[2], rel=0.01)
    assert meter.report().latency == {}  # a new interval starts empty


def test_pd_histogram_puts_each_decision_in_its_bin():
    meter = Meter("scorer", "a")
    meter.pd([0.01, 0.03, 0.03, 0.11, 0.95, 1.0])
    histogram = meter.report().pd_histogram
    assert len(histogram) == len(PD_BINS) - 1 and sum(histogram) == 6
    assert histogram[0] == 1 and histogram[1] == 2 and histogram[5] == 1 and histogram[-1] == 2
    assert meter.report().pd_histogram is None


@given(st.lists(st.floats(-0.5, 1.5) | st.sampled_from(PD_BINS), max_size=50))
def test_pd_histogram_bins_as_numpy_does(probabilities):
    meter = Meter("scorer", "a")
    for p in probabilities:  # one decision at a time, as the scorer counts them
        meter.pd([p])
    expected = np.histogram(np.clip(probabilities, 0, 1), bins=PD_BINS)[0].tolist()
    assert (meter.report().pd_histogram or [0] * len(expected)) == expected


def test_psi_is_near_zero_for_the_same_population_and_large_for_a_shifted_one():
    rng = np.random.default_rng(1)
    reference = rng.normal(0, 1, 50_000)
    assert psi(reference, rng.normal(0, 1, 5_000)) < 0.02
    moved = psi(reference, rng.normal(0.5, 1, 5_000))
    shifted = psi(reference, rng.normal(1.0, 1, 5_000))
    assert 0.1 < moved < shifted and shifted > 0.25
    assert level(moved) in ("warn", "alarm") and level(shifted) == "alarm" and level(0.01) is None


def test_psi_matches_the_formula_on_a_hand_made_case():
    reference = np.arange(1000, dtype=float)  # deciles: 10 bins of 100 values
    recent = np.concatenate(
        [np.full(50, 5.0), np.full(50, 995.0)]
    )  # half in the first bin, half in the last
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (0.5 / 100 - 0.1) * math.log(
        (0.5 / 100) / 0.1
    )
    expected += (0.5 / 100 - 0.5 / 1000) * math.log(
        (0.5 / 100) / (0.5 / 1000)
    )  # the missing-value bin, empty in both
    assert psi(reference, recent) == pytest.approx(expected, rel=1e-9)


def test_values_that_stop_arriving_are_drift():
    rng = np.random.default_rng(2)
    reference = rng.normal(0, 1, 10_000)
    recent = rng.normal(0, 1, 2_000)
    recent[:600] = np.nan
    assert level(psi(reference, recent)) == "alarm"


def test_psi_refuses_empty_samples():
    with pytest.raises(ValueError, match="psi needs"):
        psi(np.array([np.nan]), np.array([1.0]))


def test_the_drift_window_waits_for_enough_applications_and_keeps_only_the_last():
    rng = np.random.default_rng(3)
    window = DriftWindow({"AMT_CREDIT": rng.normal(5e5, 1e5, 10_000)}, size=1_000, minimum=200)
    for v in rng.normal(5e5, 1e5, 199):
        window.add({"AMT_CREDIT": float(v)})
    assert window.psi() == {}
    for v in rng.normal(9e5, 1e5, 1_000):  # the population moves; the old values leave the window
        window.add({"AMT_CREDIT": float(v)})
    assert level(window.psi()["AMT_CREDIT"]) == "alarm"
    window.add({})  # a missing value is kept as missing
    assert len(window._recent["AMT_CREDIT"]) == 1_000 and np.isnan(window._recent["AMT_CREDIT"][-1])


def report_with(drift=None, received=0, dead=0):
    meter = Meter("scorer", "a")
    meter.count("received", received)
    meter.count("sent", received - dead)
    meter.count("dead_letters", dead)
    return meter.report(drift=drift)


def test_messages_in_flight_balance_and_messages_without_outcome_do_not():
    from credit.monitoring import Alerts

    meter, alerts = Meter("scorer", "a"), Alerts("scorer")
    with meter.batch(4):
        meter.count("sent", 1)
        assert meter.report().unaccounted == 0  # three still in the batch
    assert meter.unaccounted() == 3  # the batch ended with only one outcome
    meter.count("sent")
    meter.count("dead_letters")
    report = meter.report()
    assert report.unaccounted == 1
    [alert] = alerts.check(report)
    assert (alert.kind, alert.level, alert.value) == ("unbalanced", "alarm", 1)
    assert alert.detail == "dead_letters=1, received=4, sent=2"


def test_more_outcomes_than_messages_is_unbalanced_too():
    meter = Meter("ingest", "a", outcomes=("sent", "duplicates"))
    meter.count("received", 2)
    meter.count("sent", 2)
    meter.count("duplicates", 1)
    assert meter.report().unaccounted == -1


def test_a_batch_that_raises_leaves_its_messages_unaccounted():
    meter = Meter("scorer", "a")
    with pytest.raises(RuntimeError), meter.batch(3):
        raise RuntimeError("agent crashed")
    report = meter.report()
    assert (report.unaccounted, report.totals["errors"]) == (3, 1)


def test_an_alert_is_raised_once_per_level_and_again_after_recovery():
    from credit.monitoring import Alerts

    alerts = Alerts("scorer")
    assert alerts.check(report_with({"PD": 0.05})) == []
    first = alerts.check(report_with({"PD": 0.12}))
    assert [(a.kind, a.subject, a.level, a.threshold) for a in first] == [
        ("drift", "PD", "warn", 0.1)
    ]
    assert alerts.check(report_with({"PD": 0.15})) == []  # still warn: said already
    assert [a.level for a in alerts.check(report_with({"PD": 0.3}))] == ["alarm"]
    assert alerts.check(report_with({"PD": 0.2})) == []  # going down is not news
    [resolved] = alerts.check(report_with({"PD": 0.02}))  # back to normal: said once
    assert (resolved.kind, resolved.subject, resolved.level, resolved.value) == (
        "drift",
        "PD",
        "resolved",
        0.02,
    )
    assert alerts.check(report_with({"PD": 0.03})) == []
    assert [a.level for a in alerts.check(report_with({"PD": 0.12}))] == [
        "warn"
    ]  # back up after recovery


def test_an_alarm_is_said_again_when_its_value_doubles():
    from credit.monitoring import Alerts, Measure

    alerts = Alerts("dashboard-ops")
    measure = lambda n: [Measure("reconciliation", "not decided", n, "alarm" if n else None, 0, 0)]  # noqa: E731
    assert [a.value for a in alerts.levels(measure(3), at=now())] == [3]
    assert alerts.levels(measure(5), at=now()) == []  # growing, not yet twice as many
    assert [a.value for a in alerts.levels(measure(6), at=now())] == [6]
    assert [a.level for a in alerts.levels(measure(0), at=now())] == ["resolved"]


def test_a_dead_letter_spike_is_an_alert():
    from credit.monitoring import Alerts

    alerts = Alerts("explainer")
    assert alerts.check(report_with(received=1000, dead=5)) == []
    raised = alerts.check(report_with(received=1000, dead=80))
    assert [(a.kind, a.level, a.value) for a in raised] == [("dead_letters", "alarm", 0.08)]


def test_lag_counts_what_is_not_yet_committed_on_the_input_topic_only():
    from collections import namedtuple

    from credit.monitoring import lag

    TP = namedtuple("TP", "topic partition")
    ends = {TP("in", 0): 100, TP("in", 1): 50, TP("in", 2): 7, TP("other", 0): 999}
    committed = {TP("in", 0): 90, TP("in", 1): 50}  # partition 2 never committed: all of it waits
    assert lag(ends, committed, "in") == 10 + 0 + 7
    assert lag({}, {}, "in") is None


def test_a_lag_spike_is_an_alert():
    from credit.monitoring import Alerts

    alerts = Alerts("scorer")
    assert alerts.check(Meter("scorer", "a").report(lag=10)) == []
    assert [(a.kind, a.level) for a in alerts.check(Meter("scorer", "a").report(lag=20_000))] == [
        ("lag", "alarm")
    ]
