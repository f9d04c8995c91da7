"""The operations page's data: the last day of the services' reports as a table of the few numbers
the page draws, kept once per server process and read from the store incrementally.

A day is about 43,000 reports (5 instances every 10 s). Each refresh of each ops session reads only
the reports stored since the previous read (by row id, so a report that arrives late is not missed),
holds the store's lock only for that query, and parses outside it. The charts get at most POINTS
points per line, whatever the window.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pandas as pd

from credit.decision import GRANTED, REFUSED, TO_REVIEW
from credit.events import ServiceReported, now

KEPT = timedelta(hours=24)  # the longest window the page offers
POINTS = 360  # per line and chart: about one per 3 pixels of a chart's width
OUTCOMES = (GRANTED, REFUSED, TO_REVIEW)
TEXT_COLUMNS = ["at", "service", "instance", "line"]
DRIFT, PD = (
    "drift ",
    "pd ",
)  # column prefixes: the PSI of each watched input, the PD histogram's bins
# Per service: the count that is its throughput, and the latency that matters most to a client.
THROUGHPUT = {
    "ingest": "sent",
    "scorer": "sent",
    "explainer": "sent",
    "dashboard": "stored",
    "dashboard-ops": "stored",
}
LATENCY = {
    "ingest": "request",
    "scorer": "submitted_to_decided",
    "explainer": "decided_to_explained",
    "dashboard": "explained_to_stored",
    "dashboard-ops": "batch",
}


def report_row(report: ServiceReported) -> dict:
    """What the page draws of one report."""
    latency = report.latency.get(LATENCY.get(report.service, "batch"))
    row = {
        "at": report.at,
        "service": report.service,
        "instance": report.instance,
        # host and process: in containers every process may be 1
        "line": f"{report.service} {report.instance}",
        "interval_s": report.interval_s,
        "throughput": report.rates_per_s.get(THROUGHPUT.get(report.service, "sent")),
        "p95_ms": latency.p95_ms if latency else None,
        "lag": report.lag,
        "errors": sum(report.counts.get(k, 0) for k in ("errors", "dead_letters", "unreadable")),
    }
    if report.service == "scorer":
        row.update({k: report.counts.get(k, 0) for k in ("sent", *OUTCOMES)})
    row.update({DRIFT + name: value for name, value in report.drift.items()})
    row.update({f"{PD}{i}": count for i, count in enumerate(report.pd_histogram or ())})
    return row


class OpsHistory:
    """The reports of the last KEPT, shared by the ops sessions of one server process
    (thread-safe)."""

    def __init__(self, store, kept: timedelta = KEPT):
        self.store, self.kept = store, kept
        self._lock, self._last_row, self._frame = threading.Lock(), 0, pd.DataFrame()

    def update(self) -> pd.DataFrame:
        """The reports of the last KEPT, oldest first, with those stored since the last call
        added."""
        with self._lock:
            since = now() - self.kept
            rows = self.store.reports_after(self._last_row, since)
            frame = self._frame
            if rows:
                self._last_row = rows[-1][0]
                new = pd.DataFrame(
                    [report_row(ServiceReported.model_validate_json(event)) for _, event in rows]
                )
                new["at"] = pd.to_datetime(new["at"], utc=True).dt.tz_localize(
                    None
                )  # UTC, as the charts' axis
                numbers = new.columns.difference(
                    TEXT_COLUMNS
                )  # floats even when a read holds only gaps (None)
                new[numbers] = new[numbers].astype(float)
                frame = pd.concat([frame, new], ignore_index=True) if len(frame) else new
                if not frame["at"].is_monotonic_increasing:  # a report that arrived late
                    frame = frame.sort_values("at", kind="stable", ignore_index=True)
            if len(frame):
                frame = frame[frame["at"] >= pd.Timestamp(since).tz_convert(None)].reset_index(
                    drop=True
                )
            self._frame = frame
            return frame


def window(frame: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The reports of the last `minutes`."""
    if frame.empty:
        return frame
    return frame[frame["at"] >= pd.Timestamp(now() - timedelta(minutes=minutes)).tz_convert(None)]


def bucket(minutes: int) -> str:
    """The time step of the charts for a window: at most POINTS points per line."""
    return f"{max(1, round(minutes * 60 / POINTS))}s"


def lines(frame: pd.DataFrame, column: str, how: str, step: str) -> dict[str, tuple]:
    """One line per service instance: `column` aggregated (`how`: mean, max...) per time step."""
    if column not in frame:
        return {}
    values = frame[["at", "line", column]].dropna().set_index("at")
    if values.empty:
        return {}
    steps = values.groupby("line")[column].resample(step).agg(how).dropna()
    return {
        name: (s.index.get_level_values("at").to_numpy(), s.to_numpy())
        for name, s in steps.groupby(level="line")
    }


def drift_lines(frame: pd.DataFrame, step: str) -> dict[str, tuple]:
    """One line per watched input: its PSI per time step."""
    columns = [c for c in frame.columns if c.startswith(DRIFT)]
    means = frame.set_index("at")[columns].resample(step).mean() if columns else pd.DataFrame()
    return {
        c[len(DRIFT) :]: (s.index.to_numpy(), s.to_numpy())
        for c in columns
        if not (s := means[c].dropna()).empty
    }


def outcome_lines(frame: pd.DataFrame, step: str, labels: dict) -> dict[str, tuple]:
    """The scorer's decisions per time step: the share granted, refused and left to review, under
    `labels`."""
    if "sent" not in frame:
        return {}
    sums = frame.set_index("at")[["sent", *OUTCOMES]].resample(step).sum()
    sums = sums[sums["sent"] > 0]
    return {
        label: (sums.index.to_numpy(), (sums[o] / sums["sent"]).to_numpy())
        for o, label in labels.items()
    }


def outcome_totals(frame: pd.DataFrame) -> dict[str, int]:
    """The scorer's decisions in the frame: how many in all ("sent") and per outcome."""
    return {k: int(frame[k].sum()) if k in frame else 0 for k in ("sent", *OUTCOMES)}


def pd_counts(frame: pd.DataFrame, bins: int) -> list[int]:
    """The scorer's PD histogram summed over the frame."""
    return [int(frame[f"{PD}{i}"].sum()) if f"{PD}{i}" in frame else 0 for i in range(bins)]


def latest_drift(frame: pd.DataFrame) -> dict[str, float]:
    """The PSI of each watched input in the latest report that has any."""
    columns = [c for c in frame.columns if c.startswith(DRIFT)]
    with_drift = frame[columns].dropna(how="all") if columns else frame.iloc[:0]
    if with_drift.empty:
        return {}
    return {c[len(DRIFT) :]: float(v) for c, v in with_drift.iloc[-1].items() if pd.notna(v)}
