"""Benchmark: what one poison message costs each stage now that every stage fails per message
(issue 14).

python benchmarks/failure_cost.py [--batches 150] [--polls 15] [--applications 300000]
                                  [--waiting 100000]

In process, no broker; a bundle trained on the real sample (fast capacity; or the newest under
--models, trained on it), real application rows (application_test.csv) and the real scorer's
decisions. In one run:

1. scorer: scorer.batch.process_batch on batches of 64 good applications vs 63 good + 1 whose
   client makes the scorer raise (after the batch's work is done: the whole batch call is lost,
   then halves are tried again until the bad one is alone);
2. explainer: explainer.batch.process_batch the same way, decisions of 64 vs 63 + 1 whose
   explanation raises;
3. dashboard: Intake.handle on polls of 1,000 decisions into a Store on a file vs polls where the
   store refuses one event (OverflowError from _upsert, at a random place in the poll: rolled back,
   then each event in a savepoint of one transaction);
4. reconciliation: messages/s through Reconciliation.message for --applications applications,
   decisions and explanations interleaved as a live stream (application i, decision i-50,
   explanation i-100); the peak memory of the bookkeeping with --waiting applications waiting; the
   time of one overdue() call with them all late.

Good and poison batches alternate so they share the machine's noise; medians per batch, ratios from
this run. Dead letters are built as in production; their log lines go nowhere. Writes
failure_cost.json and failure_cost.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.onnx_scorer import OnnxScorer  # noqa: E402
from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import open_bundle  # noqa: E402
from credit.dead_letters import Message  # noqa: E402
from credit.events import ApplicationReceived, new_id  # noqa: E402
from credit.features import aggregate_history  # noqa: E402
from credit.reconciliation import Reconciliation  # noqa: E402
from credit.topics import LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS  # noqa: E402
from dashboard.intake import Intake  # noqa: E402
from dashboard.store import Store  # noqa: E402
from explainer.batch import process_batch as explain_batch  # noqa: E402
from explainer.models import Explainers  # noqa: E402
from ingest.history_loader import history_events  # noqa: E402
from scorer.batch import process_batch as score_batch  # noqa: E402
from tests.json_rows import json_rows  # noqa: E402
from training.cross_validation import FAST  # noqa: E402
from training.data import fingerprint, load_tables  # noqa: E402
from training.pipeline import Options, train_bundle  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "home-credit-sample"
BATCH, POLL = 64, 1000


class PoisonedScorer:
    """The real scorer, except that a batch holding `bad_client`'s application raises once its work
    is done."""

    def __init__(self, scorer: OnnxScorer, bad_client: int):
        self.scorer, self.bad_client = scorer, bad_client

    def score(self, applications, histories):
        decisions = self.scorer.score(applications, histories)
        if any(a["SK_ID_CURR"] == self.bad_client for a in applications):
            raise RuntimeError("the model failed on this application")
        return decisions


class PoisonedExplainer:
    """The real explainer, except that a batch holding `bad_client`'s decision raises once its work
    is done."""

    def __init__(self, explainer, bad_client: int):
        self.explainer, self.bad_client, self.features = explainer, bad_client, explainer.features

    def get(self, model_version: str):  # stands for Explainers: the one version of this run
        return self

    def explain(self, decisions):
        explanations = self.explainer.explain(decisions)
        if any(d.client_id == self.bad_client for d in decisions):
            raise RuntimeError("the explanation failed for this decision")
        return explanations


class RefusingStore(Store):
    """A store that refuses the event of application `refused` (as SQLite refuses an integer it
    cannot hold)."""

    refused: str | None = None

    def _upsert(self, events) -> None:
        ids = [getattr(e, "application_id", None) for e in events]
        if self.refused in ids:
            super()._upsert(events[: ids.index(self.refused)])
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        super()._upsert(events)


def a_bundle(models: Path | None, work: Path):
    """The newest bundle under `models` (one trained on the real sample: its history is the
    sample's), or one trained now on the real sample."""
    if models is not None:
        return open_bundle(models), load_tables(SAMPLE)
    print("training a bundle on the real sample (fast capacity)...", flush=True)
    tables = load_tables(SAMPLE)
    bundle, _ = train_bundle(
        tables,
        fingerprint(SAMPLE),
        work,
        Options(capacity=FAST),
        lambda it, desc: tqdm(it, desc=desc, leave=False),
    )
    return bundle, tables


def application_messages(tables) -> tuple[list[Message], dict[int, bytes]]:
    """The real test applications as messages of loan-applications, and the clients' history records
    as bytes."""
    raw = pd.read_csv(SAMPLE / "application_test.csv")
    events = [ApplicationReceived(**row) for row in json_rows(raw)]
    history = {
        e.client_id: e.to_bytes() for e in history_events(aggregate_history(tables), "benchmark")
    }
    return [
        Message(e.key, e.to_bytes(), LOAN_APPLICATIONS, 0, i) for i, e in enumerate(events)
    ], history


def batches(good: list, bad, n: int, size: int, rng) -> list[tuple[list, list]]:
    """n pairs (size good items, size - 1 good items + `bad` at a random place), windows sliding
    over `good`."""
    pairs = []
    for k in range(n):
        start = (k * size) % (len(good) - size)
        window = good[start : start + size]
        poisoned = window[: size - 1]
        poisoned.insert(int(rng.integers(0, size)), bad)
        pairs.append((window, poisoned))
    return pairs


def timed(action, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = action(*args)
    return result, time.perf_counter() - started


def alternate(pairs, run, desc: str) -> dict:
    """Good and poisoned batches alternating; run(batch) -> (results produced, seconds). Medians per
    kind."""
    seconds, produced = {"good": [], "poisoned": []}, {"good": 0, "poisoned": 0}
    for good, poisoned in tqdm(pairs, desc=desc):
        for kind, batch in (("good", good), ("poisoned", poisoned)):
            made, spent = run(batch)
            produced[kind] += made
            seconds[kind].append(spent)
    size = len(pairs[0][0])
    per_s = {kind: size / float(np.median(s)) for kind, s in seconds.items()}
    return {
        "batch": size,
        "batches_each": len(pairs),
        **{
            kind: {
                "median_ms": round(float(np.median(s)) * 1000, 2),
                "p90_ms": round(float(np.percentile(s, 90)) * 1000, 2),
                "per_s": round(per_s[kind], 1),
                "produced": produced[kind],
            }
            for kind, s in seconds.items()
        },
        "poisoned_over_good": round(per_s["poisoned"] / per_s["good"], 3),
    }


class Collect:
    """The async publish and publish_dead of a batch step: they only keep what they are given."""

    def __init__(self):
        self.published, self.dead = [], []

    async def publish(self, event):
        self.published.append(event)

    async def publish_dead(self, letter, key):
        self.dead.append(letter)


def scorer_cost(bundle, messages, history, n: int, loop, rng) -> tuple[dict, list]:
    bad = messages[-1]
    scorer, out = PoisonedScorer(OnnxScorer(bundle.path), int(bad.key)), Collect()
    good = [m for m in messages[:-1] if m.key != bad.key]
    loop.run_until_complete(
        score_batch(messages, scorer.scorer, history.get, out.publish, out.publish_dead)
    )
    decisions, out.published = out.published, []

    def run(batch):
        return timed(
            loop.run_until_complete,
            score_batch(batch, scorer, history.get, out.publish, out.publish_dead),
        )

    return {
        **alternate(batches(good, bad, n, BATCH, rng), run, "scorer"),
        "dead_letters": len(out.dead),
    }, decisions


def explainer_cost(bundle, decisions, n: int, loop, rng) -> dict:
    messages = [Message(d.key, d.to_bytes(), LOAN_DECISIONS, 0, i) for i, d in enumerate(decisions)]
    bad = messages[-1]
    explainer, out = (
        PoisonedExplainer(Explainers(bundle.path.parent).load_latest(), int(bad.key)),
        Collect(),
    )
    good = [m for m in messages[:-1] if m.key != bad.key]

    def run(batch):
        return timed(
            loop.run_until_complete, explain_batch(batch, explainer, out.publish, out.publish_dead)
        )

    return {
        **alternate(batches(good, bad, n, BATCH, rng), run, "explainer"),
        "dead_letters": len(out.dead),
    }


def dashboard_cost(decisions, n: int, work: Path, rng) -> dict:
    store, dead = RefusingStore(work / "dashboard.db"), []
    intake = Intake(store, (LOAN_DECISIONS,))

    # one poll of real decisions with fresh ids, as the live feed reads them; None: the refused one
    def run(picks):
        events = [
            decisions[(i or 0) % len(decisions)].model_copy(update={"application_id": new_id()})
            for i in picks
        ]
        messages = [Message(None, e.to_bytes(), LOAN_DECISIONS, 0, i) for i, e in enumerate(events)]
        store.refused = events[picks.index(None)].application_id if None in picks else None
        return timed(lambda: len(intake.handle(messages, dead.extend).stored))

    result = alternate(batches(list(range(POLL * 3)), None, n, POLL, rng), run, "dashboard")
    return {**result, "dead_letters": len(dead), "rows_stored": store.count("decisions")}


def live_stream(n: int) -> list[tuple]:
    """Application i, decision i-50 and explanation i-100, on 3 partitions, as the dashboard's feed
    reads them."""
    ids, stream = [new_id() for _ in range(n)], []
    for i in range(n + 100):
        for topic, j in (
            (LOAN_APPLICATIONS, i),
            (LOAN_DECISIONS, i - 50),
            (LOAN_EXPLANATIONS, i - 100),
        ):
            if 0 <= j < n:
                stream.append((topic, j % 3, j // 3, ids[j]))
    return stream


def reconciliation_cost(n: int, waiting: int) -> dict:
    stream, reconciliation, spent = live_stream(n), Reconciliation(), 0.0
    chunk = 30_000
    for start in tqdm(range(0, len(stream), chunk), desc="reconciliation stream"):
        part, message, started = (
            stream[start : start + chunk],
            reconciliation.message,
            time.perf_counter(),
        )
        for m in part:
            message(*m)
        spent += time.perf_counter() - started
    clock = [0.0]
    tracemalloc.start()
    late = Reconciliation(clock=lambda: clock[0])
    for i in tqdm(range(waiting), desc="waiting applications (traced)", mininterval=1):
        late.message(LOAN_APPLICATIONS, i % 3, i // 3, new_id())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    clock[0] += late.after_s + 1  # all of them late
    overdue = [timed(late.overdue) for _ in range(5)]
    (found,), _ = overdue[0]
    return {
        "applications": n,
        "messages": len(stream),
        "messages_per_s": round(len(stream) / spent),
        "waiting": waiting,
        "peak_mb": round(peak / 1e6, 1),
        "bytes_per_waiting": round(peak / waiting),
        "overdue_ms": round(float(np.median([s for _, s in overdue])) * 1000, 1),
        "overdue_found": found.messages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--batches", type=int, default=150, help="scorer batches of each kind (explainer: half)"
    )
    parser.add_argument("--polls", type=int, default=15, help="dashboard polls of each kind")
    parser.add_argument("--applications", type=int, default=300_000)
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument(
        "--models", type=Path, default=None, help="a models directory trained on the real sample"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.getLogger("credit.dead_letters").addHandler(logging.NullHandler())  # built, not printed
    logging.getLogger("credit.dead_letters").propagate = False
    rng, loop, started = np.random.default_rng(0), asyncio.new_event_loop(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        bundle, tables = a_bundle(args.models, Path(tmp) / "models")
        messages, history = application_messages(tables)
        print(
            f"bundle {bundle.model_version}; {len(messages):,} real applications, "
            f"{len(history):,} histories",
            flush=True,
        )
        scorer, decisions = scorer_cost(bundle, messages, history, args.batches, loop, rng)
        explainer = explainer_cost(bundle, decisions, args.batches // 2, loop, rng)
        dashboard = dashboard_cost(decisions, args.polls, Path(tmp), rng)
    reconciliation = reconciliation_cost(args.applications, args.waiting)
    libs = ("onnxruntime", "lightgbm", "pydantic", "numpy")
    summary = {
        "scorer": scorer,
        "explainer": explainer,
        "dashboard": dashboard,
        "reconciliation": reconciliation,
        "model": {
            "version": bundle.model_version,
            "trees": bundle.manifest.get("trees"),
            "features": len(bundle.features),
        },
        "seconds": round(time.perf_counter() - started),
        "machine": machine(),
        "versions": {lib: version(lib) for lib in libs},
    }
    write_results(args.out, "failure_cost", summary, markdown(summary))


def markdown(s: dict) -> str:
    lines = [
        "# The cost of one poison message (issue 14: every stage fails per message)",
        "",
        "In process, no broker; real applications of the Home Credit sample and the real "
        "scorer's decisions; good and poisoned batches alternating, medians per batch; "
        "per s: messages handled (published or dead-lettered).",
        "",
        "| stage | batch | good: per s (median ms) | one poison: per s (median ms) "
        "| poisoned ÷ good | batches each |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for stage, what in (
        ("scorer", "applications"),
        ("explainer", "decisions"),
        ("dashboard", "events"),
    ):
        r = s[stage]
        lines.append(
            f"| {stage} ({what}) | {r['batch']:,} | "
            f"{r['good']['per_s']:,.0f} ({r['good']['median_ms']:,} ms) | "
            f"{r['poisoned']['per_s']:,.0f} ({r['poisoned']['median_ms']:,} ms) | "
            f"{r['poisoned_over_good']:.2f}× | {r['batches_each']} |"
        )
    r = s["reconciliation"]
    lines += [
        "",
        "| reconciliation | |",
        "|---|---:|",
        f"| messages/s through `message` ({r['applications']:,} applications, "
        f"decisions and explanations interleaved) | {r['messages_per_s']:,} |",
        f"| peak memory with {r['waiting']:,} applications waiting | {r['peak_mb']} MB "
        f"({r['bytes_per_waiting']} bytes each) |",
        f"| one `overdue()` with {r['waiting']:,} waiting, all late | {r['overdue_ms']} ms |",
        "",
        "The poisoned scorer and explainer raise after the batch's work is done (the worst "
        "case: the whole batch call is lost, then halves of it are tried again until the bad "
        "one is alone); the store refuses one event at a random place in the poll (the "
        "transaction rolled back, then each event written in a savepoint of one new "
        "transaction).",
        "",
        f"Model {s['model']['version']} ({s['model']['trees']} trees, "
        f"{s['model']['features']} features); "
        f"{s['machine']['cores']} cores, a shared and noisy machine (load average "
        f"{s['machine']['load_average'][0]} at the end); Python {s['machine']['python']}; "
        f"the run took {s['seconds']} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
