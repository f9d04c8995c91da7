"""Benchmark: the dashboard's two feeds, each alone on a backlog: CPU per event and events per
second.

    python benchmarks/feed_speed.py [--events 5000] [--against REV] [--profile] [--repeat 1]

One fresh broker holds a backlog of `--events` applications (the demo data's 3 KB events), as
many decisions (with a feature vector the size of the model's) and as many explanations (~5 KB,
like the explainer's: contributions, feature points, reasons in two languages). The client feed
stores them; the ops feed (built as the dashboard's context builds it) reads them for the
reconciliation only. Each tree's feed (REV's first with --against, then this tree's) runs alone in
its own process, with its own consumer group and a fresh SQLite store, timed and its CPU taken
(the process's own clock) from its start until every event is stored (client) or reconciled (ops).
--profile writes a cProfile of each run into the temporary directory
(/tmp/feed_speed-FEED-REV.prof)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = {
    "loan-applications": "applications",
    "loan-decisions": "decisions",
    "loan-explanations": "explanations",
}
FEATURES = 240  # about the model's input vector
GROUPS = 14  # readable groups
FEEDS = ("client", "ops")


def backlog(n: int) -> dict[str, list[tuple[bytes, bytes]]]:
    """(key, value) of n applications, their decisions and their explanations."""
    import pandas as pd

    from credit.events import ApplicationExplained, ApplicationReceived, ApplicationScored, now
    from training.data import demo_data

    raw = pd.read_csv(demo_data(clients=2_000) / "application_test.csv")
    templates = [
        ApplicationReceived.model_validate(r) for r in json.loads(raw.to_json(orient="records"))
    ]
    out = {topic: [] for topic in TABLES}
    for i in range(n):
        template, at = templates[i % len(templates)], now()
        application = template.model_copy(
            update={"application_id": f"feed-{i}", "submitted_at": at}
        )
        pd_ = (i % 97) / 100
        decision = ApplicationScored(
            application_id=application.application_id,
            client_id=application.SK_ID_CURR,
            probability_of_default=pd_,
            decision="refused" if pd_ >= 0.5 else "granted",
            threshold=0.5,
            model_version="bench",
            decided_at=at + timedelta(milliseconds=3),
            submitted_at=at,
            timings_ms={"features": 0.4, "score": 0.2},
            features=[None if j % 11 == 0 else j * 1.25 + i for j in range(FEATURES)],
        )
        explanation = ApplicationExplained(
            application_id=decision.application_id,
            client_id=decision.client_id,
            model_version="bench",
            probability_of_default=pd_,
            decision=decision.decision,
            threshold=0.5,
            base_value=0.08,
            contributions=[
                {"group": f"group_{g}", "points": (g - 7) / 1000} for g in range(GROUPS)
            ],
            feature_points=[((j * 7919 + i) % 1000 - 500) / 1e5 for j in range(FEATURES)],
            reasons=[
                {
                    "group": f"group_{g}",
                    "code": f"REASON_{g}",
                    "direction": "raises" if g < 4 else "lowers",
                    "points": 0.01,
                    "text": {
                        "fr": f"Votre annuité de {1000 + i} € pèse sur le risque (raison {g}).",
                        "en": f"Your annuity of {1000 + i} € weighs on the risk (reason {g}).",
                    },
                }
                for g in range(8)
            ],
            summary={
                "fr": "Accordé : le risque est sous le seuil.",
                "en": "Granted: below the threshold.",
            },
            decided_at=decision.decided_at,
            explained_at=at + timedelta(milliseconds=9),
        )
        for topic, event in zip(TABLES, (application, decision, explanation)):
            out[topic].append((event.key, event.to_bytes()))
    return out


def publish(bootstrap: str, events: dict) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=1 << 20
    )
    for topic, pairs in events.items():
        for key, value in pairs:
            producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()


def run_feed(bootstrap: str, n: int, group: str, kind: str, profile: str | None) -> dict:
    """In the child process (the tree's packages first on PYTHONPATH): one feed on a fresh store
    until all 3n events are stored (the client feed) or reconciled (the ops feed, as setup.py's
    context builds it). CPU and time from the feed's start (the first poll's parsing included)."""
    import cProfile

    import kafka  # noqa: F401 - imported before the clock starts, as in a running server

    from adapters.heap import settle
    from credit.reconciliation import Reconciliation
    from dashboard.feed import OPS_TOPICS, Feed
    from dashboard.store import Store

    class Counted(Reconciliation):
        """The reconciliation, counting the messages it is told of (the ops feed's progress)."""

        seen = 0

        def message(self, *args) -> None:
            self.seen += 1
            super().message(*args)

    store = Store(Path(tempfile.mkdtemp(prefix="feed-speed-")) / "store.db")
    reconciliation = Counted()
    if kind == "ops":
        feed = Feed(
            store,
            bootstrap,
            group,
            metrics_interval_s=3600,
            topics=OPS_TOPICS,
            service="dashboard-ops",
            reconciliation=reconciliation,
        )
    else:
        feed = Feed(store, bootstrap, group_id=group, metrics_interval_s=3600)
    profiler = cProfile.Profile() if profile else None
    if profiler:  # the feed's thread, not this one
        original = feed._run

        def profiled():
            profiler.enable()
            try:
                original()
            finally:
                profiler.disable()

        feed._run = profiled

    def read() -> int:
        if kind == "ops":
            return reconciliation.seen
        return feed._events  # counted once a poll is committed (no query racing the feed's writes)

    settle()  # the collector's settings of the dashboard's server (setup.py), which the feeds share
    started, cpu_started = time.monotonic(), time.process_time()
    feed.start()
    while read() < len(TABLES) * n and time.monotonic() - started < 600:
        time.sleep(0.01)
    span, cpu = time.monotonic() - started, time.process_time() - cpu_started
    feed.stop()
    if profiler:
        profiler.dump_stats(profile)
    return {
        "feed": kind,
        "events": read(),
        "all_events_per_s": round(len(TABLES) * n / span, 1),
        "cpu_us_per_event": round(cpu / (len(TABLES) * n) * 1e6, 1),
        "cpu_share": round(cpu / span, 2),
        "stored": {t: store.count(TABLES[t]) for t in TABLES},
    }


def measure(tree: Path, bootstrap: str, n: int, group: str, kind: str, profile: str | None) -> dict:
    parts = [tree / "services" / s for s in ("ingest", "scorer", "explainer", "dashboard")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(p) for p in [*parts, tree]),
        "PYTHONSAFEPATH": "1",
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        bootstrap,
        group,
        str(n),
        kind,
    ]
    out = subprocess.run(
        command + ([profile] if profile else []),
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        bootstrap, group, n, kind = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        profile = sys.argv[6] if len(sys.argv) > 6 else None
        print(json.dumps(run_feed(bootstrap, n, group, kind, profile)))
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.results import RESULTS, machine, write_results
    from tests.kafka_broker import KafkaBroker

    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000, help="per topic")
    parser.add_argument("--against", help="a git revision whose feed is measured first")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="alternate runs of each tree")
    args = parser.parse_args()
    trees = {"now": ROOT}
    if args.against:
        path = Path(tempfile.mkdtemp(prefix="feed-speed-tree-"))
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), args.against],
            check=True,
        )
        trees = {args.against: path, **trees}
    events = backlog(args.events)
    sizes = {t: round(sum(len(v) for _, v in pairs) / len(pairs)) for t, pairs in events.items()}
    broker = KafkaBroker().start()
    results = {"machine": machine(), "events_per_topic": args.events, "bytes": sizes, "runs": []}
    try:
        publish(broker.bootstrap, events)
        for round_ in range(args.repeat):
            for kind in FEEDS:
                for name, tree in trees.items():
                    profile = (
                        str(Path(tempfile.gettempdir()) / f"feed_speed-{kind}-{name}.prof")
                        if args.profile
                        else None
                    )
                    group = f"bench-{kind}-{name}-{round_}"
                    run = measure(tree, broker.bootstrap, args.events, group, kind, profile)
                    results["runs"].append({"tree": name, **run})
                    print(name, run, flush=True)
    finally:
        broker.stop()
        if args.against:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees[args.against])]
            )
    lines = [
        "# The dashboard's feeds alone on a backlog",
        "",
        f"{args.events} applications, decisions and explanations (mean sizes {sizes}), "
        f"load {os.getloadavg()[0]:.1f}. The client feed stores them; the ops feed reads them "
        "for the reconciliation only. Rates and CPU from the feed's start to its last event.",
        "",
        "| tree | feed | events | all events/s | CPU µs/event | CPU share |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        lines.append(
            f"| {run['tree']} | {run['feed']} | {run['events']:,} | {run['all_events_per_s']:,} | "
            f"{run['cpu_us_per_event']} | {run['cpu_share']} |"
        )
    per_application = {}
    for run in results["runs"]:
        per_application.setdefault(run["tree"], {}).setdefault(run["feed"], []).append(
            run["cpu_us_per_event"] * len(TABLES)
        )
    lines += ["", "CPU µs per application (3 events), both feeds, mean of the runs:", ""]
    for tree, feeds in per_application.items():
        spent = {kind: sum(v) / len(v) for kind, v in feeds.items()}
        parts = ", ".join(f"{kind} {us:,.0f}" for kind, us in spent.items())
        lines.append(f"- {tree}: {parts}; together {sum(spent.values()):,.0f}")
    write_results(RESULTS, "feed_speed", results, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
