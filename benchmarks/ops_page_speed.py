"""Benchmark: the operations page's refresh with a day of reports, incremental vs re-reading the
window.

python benchmarks/ops_page_speed.py [--hours 24] [--repeat 10]

The store holds --hours of reports from 5 instances every 10 s (43,200 for a day: ingest, scorer
with its drift and PD histogram, explainer and both dashboard feeds). Each repetition adds the next
10 s of reports (one per instance) and refreshes an operations page (the page's own code, its Bokeh
models built) for the 15 min, 1 h and 24 h windows, in two ways measured in the same run:

- incremental: the server's shared OpsHistory reads only the reports stored since its last read;
- re-read: the whole window read and parsed again at each refresh, as the page did before.

Also: how long the store's lock is held for each read, and the history's memory.
Writes ops_page_speed.json and ops_page_speed.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from bokeh.document import Document

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "services" / "dashboard"))

from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.events import Percentiles, ServiceReported, now  # noqa: E402
from credit.monitoring import DRIFT_INPUTS, PD_BINS  # noqa: E402
from dashboard.ops_history import LATENCY, THROUGHPUT, OpsHistory  # noqa: E402
from dashboard.store import Store  # noqa: E402
from dashboard.views.operations import Operations  # noqa: E402

INTERVAL_S = 10
WINDOWS = {"15 min": 15, "1 h": 60, "24 h": 1440}


def reports(end, seconds: float, rng) -> list[ServiceReported]:
    """`seconds` of reports up to `end`, one per instance every INTERVAL_S, with realistic
    contents."""
    out = []
    for step in range(int(seconds // INTERVAL_S), 0, -1):
        at = end - timedelta(seconds=(step - 1) * INTERVAL_S)
        for pid, service in enumerate(THROUGHPUT, start=4000):
            n = int(rng.integers(1000, 2000))
            counts, extra = (
                {"received": n, THROUGHPUT[service]: n, "errors": int(rng.integers(0, 2))},
                {},
            )
            if service == "scorer":
                counts.update(
                    granted=int(n * 0.8),
                    to_review=int(n * 0.05),
                    refused=n - int(n * 0.8) - int(n * 0.05),
                )
                extra = {
                    "pd_histogram": rng.integers(0, 200, len(PD_BINS) - 1).tolist(),
                    "drift": {name: float(rng.uniform(0, 0.3)) for name in ("PD", *DRIFT_INPUTS)},
                }
            p50 = float(rng.uniform(5, 50))
            out.append(
                ServiceReported(
                    service=service,
                    instance=f"host-{pid}",
                    at=at,
                    interval_s=INTERVAL_S,
                    counts=counts,
                    totals=counts,
                    rates_per_s={k: v / INTERVAL_S for k, v in counts.items()},
                    latency={
                        LATENCY[service]: Percentiles(
                            n=n, p50_ms=p50, p95_ms=2 * p50, p99_ms=3 * p50
                        )
                    },
                    lag=int(rng.integers(0, 500)),
                    **extra,
                )
            )
    return out


class ReRead:
    """The page's former way of reading: the whole window read and parsed again at every refresh."""

    def __init__(self, store, minutes: int):
        self.store, self.kept = store, timedelta(minutes=minutes)

    def update(self):
        return OpsHistory(self.store, self.kept).update()


class TimedStore(Store):
    """A store that records how long each read of reports holds its lock."""

    def __init__(self):
        super().__init__()
        self.held = []

    def reports_after(self, row, since):
        started = time.perf_counter()
        rows = super().reports_after(row, since)
        self.held.append(time.perf_counter() - started)
        return rows


def page(store, history, minutes: int) -> Operations:
    live = SimpleNamespace(status=lambda: SimpleNamespace(live=True))
    view = Operations(
        SimpleNamespace(store=store, ops_history=history, ops_feed=live), window=minutes
    )
    view.__panel__().get_root(Document())  # the Bokeh models a browser would get
    return view


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rng, end, store = np.random.default_rng(0), now(), TimedStore()
    print(f"writing {args.hours:g} h of reports into the store...", flush=True)
    day = reports(end, args.hours * 3600, rng)
    for start in range(0, len(day), 5000):
        store.upsert(day[start : start + 5000])
        print(f"  {min(start + 5000, len(day)):,}/{len(day):,}", flush=True)

    shared = OpsHistory(store)
    cold_ms, cold_held = timed(shared.update), store.held[-1] * 1000
    rows, memory = len(shared.update()), int(shared.update().memory_usage(deep=True).sum())
    pages = {
        (way, label): page(store, history, minutes)
        for label, minutes in WINDOWS.items()
        for way, history in (("incremental", shared), ("re-read", ReRead(store, minutes)))
    }
    times = {key: [] for key in pages}
    held = {"incremental": [], "re-read": []}
    for i in range(args.repeat):
        end += timedelta(seconds=INTERVAL_S)
        store.upsert(reports(end, INTERVAL_S, rng))  # the next 10 s of reports
        for (way, label), view in pages.items():
            before = len(store.held)
            times[(way, label)].append(timed(view.refresh))
            held[way].extend(store.held[before:])
        print(
            f"refresh {i + 1}/{args.repeat}: 24 h incremental "
            f"{times[('incremental', '24 h')][-1]:,.0f} ms, "
            f"re-read {times[('re-read', '24 h')][-1]:,.0f} ms",
            flush=True,
        )
    points = max(
        len(s.data["x"]) for s in pages[("incremental", "24 h")]._charts[0]._sources.values()
    )

    summary = {
        "reports": rows,
        "instances": len(THROUGHPUT),
        "interval_s": INTERVAL_S,
        "repeat": args.repeat,
        "cold_history_ms": round(cold_ms),
        "cold_lock_ms": round(cold_held, 1),
        "history_mb": round(memory / 1e6, 1),
        "points_per_line_24h": points,
        "refresh_ms": {
            f"{way}, {label}": {
                "median": round(float(np.median(t))),
                "max": round(float(np.max(t))),
            }
            for (way, label), t in times.items()
        },
        "lock_ms": {
            way: {
                "median": round(float(np.median(h)) * 1000, 1),
                "max": round(float(np.max(h)) * 1000, 1),
            }
            for way, h in held.items()
        },
        "machine": machine(),
    }
    write_results(args.out, "ops_page_speed", summary, markdown(summary))


def markdown(s: dict) -> str:
    ratio = {
        label: s["refresh_ms"][f"re-read, {label}"]["median"]
        / max(s["refresh_ms"][f"incremental, {label}"]["median"], 1)
        for label in WINDOWS
    }
    lines = [
        f"# Operations page refresh, {s['reports']:,} reports "
        f"({s['instances']} instances every {s['interval_s']} s)",
        "",
        f"Each of {s['repeat']} refreshes follows 10 s of new reports; "
        "the page's own code, its Bokeh models built.",
        "",
        "| window | incremental: median / max | re-read: median / max | re-read ÷ incremental |",
        "|---|---:|---:|---:|",
    ]
    for label in WINDOWS:
        inc, full = s["refresh_ms"][f"incremental, {label}"], s["refresh_ms"][f"re-read, {label}"]
        lines.append(
            f"| {label} | {inc['median']:,} / {inc['max']:,} ms | "
            f"{full['median']:,} / {full['max']:,} ms | {ratio[label]:.1f}× |"
        )
    lines += [
        "",
        "| | |",
        "|---|---|",
        "| store lock held per read, incremental (median / max) | "
        f"{s['lock_ms']['incremental']['median']} / {s['lock_ms']['incremental']['max']} ms |",
        "| store lock held per read, re-read (median / max) | "
        f"{s['lock_ms']['re-read']['median']} / {s['lock_ms']['re-read']['max']} ms |",
        "| first read of the day, once per server process (lock held) | "
        f"{s['cold_history_ms']:,} ms ({s['cold_lock_ms']} ms) |",
        f"| the history's memory | {s['history_mb']} MB |",
        f"| points per line in a 24 h chart | {s['points_per_line_24h']} "
        "(a report every 10 s: 8,640) |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
