"""What a service tells operations on ops.metrics: counts, rates, latency percentiles, the PD
distribution, and how far recent applications drift from the training population (PSI).

No Kafka here: services count with a Meter and publish its reports.
"""

from __future__ import annotations

import os
import random
import socket
import time
from bisect import bisect_right
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.events import AlertRaised, Percentiles, ServiceReported, now
from credit.features.application import application_features

PD_BINS = [
    0.0,
    0.02,
    0.04,
    0.06,
    0.08,
    0.10,
    0.12,
    0.15,
    0.2,
    0.3,
    0.5,
    1.0,
]  # finer where decisions are made
LATENCY_SAMPLES = 10_000  # per interval and kind: bounded memory however busy the service is
PSI_WARN, PSI_ALARM = 0.1, 0.25  # the usual reading: < 0.1 stable, 0.1-0.25 moving, > 0.25 shifted
DEAD_LETTERS_WARN, DEAD_LETTERS_ALARM = 0.01, 0.05  # share of an interval's messages dead-lettered
LAG_WARN, LAG_ALARM = 1_000, 10_000  # messages waiting: about 1 s and 10 s of one scorer's work
# The model inputs a credit officer would name first, watched for drift with the PD.
DRIFT_INPUTS = (
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_INCOME_TOTAL",
    "AMT_GOODS_PRICE",
    "DAYS_EMPLOYED",
)  # model inputs only: age is not one (input policy)


def instance_name() -> str:
    """Which worker a report comes from: host and process."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Meter:
    """Counts and latencies of one service instance, reported (and restarted) every interval."""

    def __init__(
        self,
        service: str,
        instance: str,
        clock=time.monotonic,
        seed: int = 0,
        outcomes: tuple[str, ...] = ("sent", "dead_letters"),
    ):
        self.service, self.instance, self._clock = service, instance, clock
        self.outcomes = (
            outcomes  # what can become of a message received: each one ends as exactly one of them
        )
        self._in_flight = 0
        self._random = random.Random(seed)
        self._totals: Counter = Counter()
        self.last_report: ServiceReported | None = (
            None  # what the metrics endpoint shows of latency and lag
        )
        self._start_interval()

    def _start_interval(self) -> None:
        self._since = self._clock()
        self._counts: Counter = Counter()
        self._latency: dict[str, list[float]] = {}
        self._seen: Counter = Counter()  # latencies observed per kind, sampled or not
        self._pd = np.zeros(len(PD_BINS) - 1, dtype=int)

    def count(self, what: str, n: int = 1) -> None:
        self._counts[what] += n
        self._totals[what] += n

    def totals(self) -> dict[str, int]:
        """Every count since start (a copy: safe to read from another thread)."""
        return dict(self._totals)

    @contextmanager
    def handling(self, size: int):
        """Around the handling of `size` messages received: they are in flight until it ends."""
        self.count("received", size)
        self._in_flight += size
        try:
            yield
        finally:
            self._in_flight -= size

    @contextmanager
    def batch(self, size: int):
        """Around one micro-batch: its messages received, its time, or an error."""
        started = self._clock()
        with self.handling(size):
            try:
                yield
            except Exception:
                self.count("errors")
                raise
        self.latency("batch", self._clock() - started)

    def unaccounted(self) -> int:
        """Messages received that have no outcome and are not in flight (negative: more outcomes
        than messages). Anything but 0 means messages were lost or doubled."""
        pending = self._totals["received"] - sum(self._totals[o] for o in self.outcomes)
        return pending - self._in_flight if pending > self._in_flight else min(pending, 0)

    def latency(self, what: str, seconds: float) -> None:
        """Reservoir sampling: percentiles from a uniform sample of at most LATENCY_SAMPLES per
        interval."""
        self._seen[what] += 1
        kept = self._latency.setdefault(what, [])
        if len(kept) < LATENCY_SAMPLES:
            kept.append(seconds)
        elif (slot := self._random.randrange(self._seen[what])) < LATENCY_SAMPLES:
            kept[slot] = seconds

    def pd(self, probabilities) -> None:
        """Each PD counted in its bin of PD_BINS, as np.histogram bins them (the last bin holds
        1.0); one bisection per PD, where np.histogram cost 20 µs per call of one decision."""
        last = len(PD_BINS) - 2
        for p in probabilities:
            self._pd[min(bisect_right(PD_BINS, min(max(p, 0.0), 1.0)) - 1, last)] += 1

    def report(
        self, drift: dict[str, float] | None = None, lag: int | None = None
    ) -> ServiceReported:
        interval = max(self._clock() - self._since, 1e-9)
        report = ServiceReported(
            service=self.service,
            instance=self.instance,
            at=now(),
            interval_s=round(interval, 3),
            counts=dict(self._counts),
            totals=dict(self._totals),
            rates_per_s={k: round(v / interval, 3) for k, v in self._counts.items()},
            latency={k: _percentiles(v, self._seen[k]) for k, v in self._latency.items() if v},
            lag=lag,
            pd_histogram=self._pd.tolist() if self._pd.any() else None,
            drift=drift or {},
            unaccounted=self.unaccounted(),
        )
        self._start_interval()
        self.last_report = report
        return report


def lag(end_offsets: dict, committed_offsets: dict, topic: str) -> int | None:
    """Messages of `topic` not yet committed, from partition -> offset maps (next to produce, next
    to read).

    Partitions are any objects with a `topic` (Faust's monitor keeps both maps); None until an end
    is known.
    """
    ends = {tp: end for tp, end in end_offsets.items() if tp.topic == topic}
    return (
        sum(max(end - committed_offsets.get(tp, 0), 0) for tp, end in ends.items())
        if ends
        else None
    )


def _percentiles(seconds: list[float], seen: int) -> Percentiles:
    p50, p95, p99 = np.percentile(np.array(seconds) * 1000, [50, 95, 99])
    return Percentiles(
        n=seen,
        p50_ms=round(float(p50), 2),
        p95_ms=round(float(p95), 2),
        p99_ms=round(float(p99), 2),
    )


class ReferenceBins:
    """A reference distribution's deciles and shares, computed once; the PSI of recent samples
    against them.

    Missing values form a bin of their own (a source that stops sending a field is drift too);
    empty bins count as half an observation so one empty bin does not make the index infinite.
    """

    def __init__(self, reference: np.ndarray, bins: int = 10):
        reference = np.asarray(reference, dtype=float)
        known = reference[~np.isnan(reference)]
        if not len(known):
            raise ValueError("psi needs a reference and a recent sample with values")
        self.edges = np.unique(np.quantile(known, np.linspace(0, 1, bins + 1))[1:-1])
        self.expected = self._shares(reference)

    def _shares(self, values: np.ndarray) -> np.ndarray:
        missing = np.isnan(values)
        counts = np.append(
            np.bincount(
                np.searchsorted(self.edges, values[~missing], side="right"),
                minlength=len(self.edges) + 1,
            ),
            missing.sum(),
        )
        return np.maximum(counts, 0.5) / max(len(values), 1)

    def psi(self, recent) -> float:
        recent = np.asarray(recent, dtype=float)
        if not len(recent):
            raise ValueError("psi needs a reference and a recent sample with values")
        actual = self._shares(recent)
        return float(np.sum((actual - self.expected) * np.log(actual / self.expected)))


def psi(reference: np.ndarray, recent: np.ndarray, bins: int = 10) -> float:
    """Population stability index of `recent` against `reference` over the reference's deciles."""
    return ReferenceBins(reference, bins).psi(recent)


class DriftWindow:
    """The last `size` decisions' watched inputs and PD, against the reference."""

    def __init__(
        self,
        reference: dict[str, np.ndarray],
        positions: dict[str, int] | None = None,
        size: int = 5_000,
        minimum: int = 500,
    ):
        self.positions, self.minimum = positions or {}, minimum
        self._bins = {
            name: ReferenceBins(values) for name, values in reference.items()
        }  # once: reports reuse them
        self._recent = {name: deque(maxlen=size) for name in reference}

    def add(self, values: dict[str, float | None]) -> None:
        for name, window in self._recent.items():
            value = values.get(name)
            window.append(np.nan if value is None else value)

    def add_decision(self, decision) -> None:
        """A decision's PD and its watched model inputs (at `positions` of its feature vector)."""
        self.add(
            {
                "PD": decision.probability_of_default,
                **{name: decision.features[i] for name, i in self.positions.items()},
            }
        )

    def psi(self) -> dict[str, float]:
        """PSI per watched input, once the window holds `minimum` decisions (fewer says nothing)."""
        return {
            name: round(self._bins[name].psi(np.array(window)), 4)
            for name, window in self._recent.items()
            if len(window) >= self.minimum
        }


def drift_window(bundle, size: int = 5_000, minimum: int = 500) -> DriftWindow:
    return DriftWindow(
        drift_reference(bundle),
        {name: bundle.features.index(name) for name in DRIFT_INPUTS},
        size,
        minimum,
    )


def drift_reference(bundle) -> dict[str, np.ndarray]:
    """The training population's model inputs (computed by the scoring code itself) and PDs."""
    features = application_features(pd.read_parquet(bundle.file("reference")), bundle.vocabularies)
    reference = {name: features[name] for name in DRIFT_INPUTS}
    reference["PD"] = pd.read_parquet(bundle.file("contributions"), columns=["PD"])["PD"].to_numpy()
    return reference


def level(value: float, warn: float = PSI_WARN, alarm: float = PSI_ALARM) -> str | None:
    """ "alarm", "warn" or None for one value (a PSI by default)."""
    return "alarm" if value >= alarm else "warn" if value >= warn else None


@dataclass(frozen=True)
class Measure:
    """One watched value and the level it reaches (None: fine)."""

    kind: str
    subject: str
    value: float
    level: str | None
    warn: float
    alarm: float
    detail: str | None = None


class Alerts:
    """Alerts from reports: once when a level is reached or raised, again when an alarm's value
    doubles, and once "resolved" when it is back to normal."""

    def __init__(self, service: str):
        self.service = service
        self._levels: dict[tuple[str, str], str | None] = {}
        self._raised: dict[
            tuple[str, str], float
        ] = {}  # the value last alerted, per kind and subject

    def check(self, report: ServiceReported) -> list[AlertRaised]:
        found = [
            Measure("drift", name, value, level(value), PSI_WARN, PSI_ALARM)
            for name, value in report.drift.items()
        ]
        received = report.counts.get("received", 0)
        if received:
            share = report.counts.get("dead_letters", 0) / received
            found.append(
                Measure(
                    "dead_letters",
                    "share",
                    share,
                    level(share, DEAD_LETTERS_WARN, DEAD_LETTERS_ALARM),
                    DEAD_LETTERS_WARN,
                    DEAD_LETTERS_ALARM,
                )
            )
        if report.lag is not None:
            found.append(
                Measure(
                    "lag",
                    "messages",
                    report.lag,
                    level(report.lag, LAG_WARN, LAG_ALARM),
                    LAG_WARN,
                    LAG_ALARM,
                )
            )
        # received = the outcomes + in flight, always: any difference is a loss (or a double) to
        # look at now
        found.append(
            Measure(
                "unbalanced",
                "messages",
                report.unaccounted,
                "alarm" if report.unaccounted else None,
                0,
                0,
                ", ".join(f"{k}={v}" for k, v in sorted(report.totals.items())),
            )
        )
        return self.levels(found, report.at)

    def levels(self, found: list[Measure], at) -> list[AlertRaised]:
        """The alerts the measures raise now: a level newly reached, warn raised to alarm, an alarm
        whose value doubled since it was last said (a loss growing), or a level back to normal
        (resolved)."""
        alerts = []
        for measure in found:
            key = (measure.kind, measure.subject)
            before, raised = self._levels.get(key), self._raised.get(key)
            self._levels[key] = measure.level
            grown = (
                measure.level == "alarm" and bool(raised) and abs(measure.value) >= 2 * abs(raised)
            )
            if measure.level and (
                before is None or (before, measure.level) == ("warn", "alarm") or grown
            ):
                self._raised[key] = measure.value
                alerts.append(self._alert(measure, measure.level, at))
            elif before and not measure.level:
                self._raised.pop(key, None)
                alerts.append(self._alert(measure, "resolved", at))
        return alerts

    def _alert(self, measure: Measure, level_: str, at) -> AlertRaised:
        return AlertRaised(
            service=self.service,
            kind=measure.kind,
            subject=measure.subject,
            level=level_,
            value=round(measure.value, 4),
            threshold=measure.alarm if level_ == "alarm" else measure.warn,
            at=at,
            detail=measure.detail,
        )


async def report_to(
    meter: Meter,
    alerts: Alerts,
    send_report,
    send_alert,
    drift: DriftWindow | None = None,
    lag: int | None = None,
):
    """One interval's report published, and the alerts it raises (the services' timers call
    this)."""
    report = meter.report(drift.psi() if drift else None, lag)
    await send_report(report)
    for alert in alerts.check(report):
        await send_alert(alert)
    return report
