"""Load test: 100,000 applications through the whole stack on this machine.

python benchmarks/load_test.py [--applications 100000] [--rate 300]

A fresh broker with the demo bundle's client history; the ingest API, the scorer, the explainer
and the dashboard (its feeds writing the store) as separate processes, as deployed. Applications
are posted to the API in batches of 500 at a steady rate. While they flow, every service's
resident memory is sampled with the number of applications explained so far; afterwards the
topics give end-to-end latency (submitted → explained), ops.metrics the consumer lag, the
dashboard store its count. Writes load_test.json, load_test.md and load_test.png.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from kafka import KafkaConsumer, TopicPartition

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.backbone_speed import wait_until_quiet  # noqa: E402
from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import open_bundle  # noqa: E402
from credit.events import ApplicationExplained, ApplicationScored, ServiceReported  # noqa: E402
from credit.topics import (  # noqa: E402
    APPLICATIONS_DLQ,
    DECISIONS_DLQ,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
    OPS_METRICS,
    PARTITIONS,
)
from dashboard import SERVED  # noqa: E402
from ingest.history_loader import load_history  # noqa: E402
from ingest.publisher import KafkaPublisher  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from tests.integration.stack import healthy, topic_size  # noqa: E402
from tests.kafka_broker import KafkaBroker  # noqa: E402
from tests.processes import Service, free_port, wait_until, worker  # noqa: E402
from training.data import demo_data  # noqa: E402

BATCH = 500
KEY = "load-test-key-0123456789abcdef"
APP = ROOT / "services" / "dashboard" / "dashboard"


def rows() -> list[dict]:
    raw = pd.read_csv(demo_data(clients=20_000) / "application_test.csv")
    return json.loads(raw.to_json(orient="records"))


def services(broker: KafkaBroker, bundle, work: Path) -> list[Service]:
    models, users = str(bundle.path.parent), work / "users.json"
    from dashboard.accounts import add_user

    add_user(users, "ops", secrets.token_urlsafe(16), "ops")
    port = free_port()
    return [
        Service(
            "ingest",
            ["-m", "ingest", "serve"],
            {
                "KAFKA_BOOTSTRAP": broker.bootstrap,
                "INGEST_API_KEYS": KEY,
                "INGEST_PORT": str(port),
                # the run's own idempotency keys: another run's ids are not duplicates here
                "INGEST_IDEMPOTENCY_DB": str(work / "ingest-applications.db"),
            },
            work,
        ),
        worker("scorer", broker.bootstrap, models, work),
        worker("explainer", broker.bootstrap, models, work),
        Service(
            "dashboard",
            [
                "-m",
                "panel",
                "serve",
                *SERVED,
                "--address",
                "127.0.0.1",
                "--port",
                str(free_port()),
            ],
            {
                "KAFKA_BOOTSTRAP": broker.bootstrap,
                "DASHBOARD_MODELS_DIR": models,
                "DASHBOARD_STORE_PATH": str(work / "store.db"),
                "DASHBOARD_USERS_FILE": str(users),
                "PANEL_COOKIE_SECRET": secrets.token_urlsafe(32),
            },
            work,
        ),
    ], f"http://127.0.0.1:{port}"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemorySampler(threading.Thread):
    """Every 2 s: each service's resident memory, with how many applications are explained by
    then."""

    def __init__(self, running: list[Service], bootstrap: str):
        super().__init__(daemon=True)
        self.running, self.bootstrap, self.samples, self.stop = (
            running,
            bootstrap,
            [],
            threading.Event(),
        )

    def run(self) -> None:
        while not self.stop.wait(2):
            explained = topic_size(self.bootstrap, LOAN_EXPLANATIONS)
            self.samples.append(
                {
                    "t": time.time(),
                    "explained": explained,
                    **{s.name: rss_mb(s.process.pid) for s in self.running},
                }
            )


def post_at_rate(url: str, templates: list[dict], n: int, rate: float) -> dict:
    """n applications in batches of BATCH, one batch every BATCH / rate seconds; prints progress."""
    client, started, accepted = (
        httpx.Client(headers={"X-API-Key": KEY}, timeout=120),
        time.monotonic(),
        0,
    )
    try:
        for b, first in enumerate(range(0, n, BATCH)):
            time.sleep(max(0.0, started + b * BATCH / rate - time.monotonic()))
            body = [templates[i % len(templates)] for i in range(first, min(first + BATCH, n))]
            response = client.post(f"{url}/v1/applications", json=body)
            response.raise_for_status()
            accepted += len(response.json()["application_ids"])
            if b % 20 == 0:
                print(
                    f"  posted {accepted:,} / {n:,} ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
    finally:
        client.close()
    return {"accepted": accepted, "seconds": round(time.monotonic() - started, 1)}


def read_all(bootstrap: str, topic: str, decode, field: str = "value") -> list:
    """Every event on the topic up to its end now (ops.metrics never goes quiet while services
    report): decode(the record's `field`)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_partition_fetch_bytes=8 << 20
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends, events = consumer.end_offsets(partitions), []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for records in consumer.poll(timeout_ms=1000).values():
                events += [
                    decode(getattr(r, field))
                    for r in records
                    if r.offset < ends[TopicPartition(r.topic, r.partition)]
                ]
        return events
    finally:
        consumer.close()


def measure(bootstrap: str, store: Path, n: int, posted: dict) -> dict:
    decisions = {
        d.application_id: d
        for d in read_all(bootstrap, LOAN_DECISIONS, ApplicationScored.from_bytes)
    }
    explanations = {
        e.application_id: e
        for e in read_all(bootstrap, LOAN_EXPLANATIONS, ApplicationExplained.from_bytes)
    }
    e2e = np.array(
        [
            (e.explained_at - decisions[i].submitted_at).total_seconds() * 1000
            for i, e in explanations.items()
            if i in decisions
        ]
    )
    first = min(d.submitted_at for d in decisions.values()).timestamp()
    last = max(e.explained_at for e in explanations.values()).timestamp()
    reports = read_all(bootstrap, OPS_METRICS, ServiceReported.from_bytes)
    lag = {}
    for r in reports:
        lag[r.service] = max(lag.get(r.service, 0), r.lag or 0)
    with sqlite3.connect(store) as db:
        stored = {
            t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("decisions", "explanations")
        }
    return {
        "applications": n,
        "posted": posted,
        "decided": len(decisions),
        "explained": len(explanations),
        "dead_letters": topic_size(bootstrap, APPLICATIONS_DLQ)
        + topic_size(bootstrap, DECISIONS_DLQ),
        "dashboard_store": stored,
        "explanations_per_s": round(len(explanations) / (last - first), 1),
        "end_to_end_ms": {f"p{q}": round(float(np.percentile(e2e, q))) for q in (50, 95, 99)}
        | {"max": round(float(e2e.max()))},
        "max_lag": lag,
    }


def memory(samples: list[dict], names: list[str], n: int) -> dict:
    """Peak resident memory per service, and its growth from a fifth of the run to the end."""
    frame = pd.DataFrame(samples)
    out = {}
    for name in names:
        early = frame[frame["explained"] >= n * 0.2][name]
        late = frame[frame["explained"] >= n * 0.95][name]
        out[name] = {
            "peak_mb": round(float(frame[name].max()), 1),
            "at_20pct_mb": round(float(early.iloc[0]), 1) if len(early) else None,
            "at_end_mb": round(float(late.iloc[-1]), 1) if len(late) else None,
        }
    return out


def picture(samples: list[dict], names: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = pd.DataFrame(samples)
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, colour, style in zip(
        names, ("#0072B2", "#E69F00", "#009E73", "#D55E00"), ("-", "--", "-.", ":")
    ):
        ax.plot(frame["explained"], frame[name], style, color=colour, label=name, linewidth=2)
    ax.set_xlabel("applications explained so far")
    ax.set_ylabel("resident memory (MB)")
    ax.set_title("Memory of each service during the load test")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def markdown(result: dict) -> str:
    r, e = result["run"], result["run"]["end_to_end_ms"]
    lines = [
        "# Load test: the whole stack",
        "",
        f"{r['applications']:,} applications posted at {result['settings']['rate_per_s']}/s "
        f"in batches of {BATCH} ({r['posted']['seconds']} s); "
        f"{r['explained']:,} explained, {r['decided']:,} decided, "
        f"{r['dead_letters']} dead letters; "
        f"the dashboard store holds {r['dashboard_store']['explanations']:,} explanations.",
        "",
        f"Sustained: {r['explanations_per_s']} explanations/s "
        "from first submission to last explanation.",
        "",
        f"End to end (submitted → explained): p50 {e['p50']} ms, p95 {e['p95']} ms, "
        f"p99 {e['p99']} ms, max {e['max']} ms.",
        "",
        "| service | peak memory (MB) | at 20 % of the run | at the end | max consumer lag |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, m in result["memory"].items():
        lines.append(
            f"| {name} | {m['peak_mb']} | {m['at_20pct_mb']} | {m['at_end_mb']} "
            f"| {r['max_lag'].get(name, '—')} |"
        )
    return "\n".join(lines + ["", "![memory](load_test.png)", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    bundle, templates = open_bundle(ROOT / "models"), rows()
    work = Path(tempfile.mkdtemp(prefix="load-test-"))
    print(f"logs in {work}", flush=True)
    with KafkaBroker() as broker:
        publisher = KafkaPublisher(IngestSettings(kafka_bootstrap=broker.bootstrap, api_keys=KEY))
        load_history(bundle, publisher)
        publisher.close()
        running, url = services(broker, bundle, work)
        for service in running:
            service.start()
        try:
            wait_until(lambda: healthy(url), 120, "the ingest API")
            sampler = MemorySampler(running, broker.bootstrap)
            sampler.start()
            posted = post_at_rate(url, templates, args.applications, args.rate)
            wait_until_quiet(broker.bootstrap, LOAN_EXPLANATIONS, args.applications, stall_s=120)
            wait_until(
                lambda: stored(work / "store.db") >= args.applications,
                300,
                "the dashboard store",
                every=2,
            )
            sampler.stop.set()
            run = measure(broker.bootstrap, work / "store.db", args.applications, posted)
        finally:
            for service in reversed(running):
                service.stop()
    names = [s.name for s in running]
    result = {
        "run": run,
        "memory": memory(sampler.samples, names, args.applications),
        "settings": {
            "rate_per_s": args.rate,
            "batch": BATCH,
            "partitions": PARTITIONS,
            "model": bundle.model_version,
        },
        "machine": machine(),
    }
    write_results(args.out, "load_test", result, markdown(result))
    picture(sampler.samples, names, args.out / "load_test.png")


def stored(path: Path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM explanations").fetchone()[0]
    except sqlite3.Error:
        return 0


if __name__ == "__main__":
    main()
