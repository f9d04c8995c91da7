"""Benchmark: does the explainer keep pace with the scorer? Both on a real broker, in one run.

python benchmarks/explainer_speed.py [--applications 20000] [--rate 100] [--seconds 30]
1. a backlog of applications, the scorer alone: decisions/s;
2. the explainer started on that backlog of decisions: explanations/s (ratio to 1.);
3. both running, applications published at a fixed moderate rate: time from decision to
   explanation (explained_at - decided_at) and from submission to explanation, p50/p95/p99.
Writes explainer_speed.json and explainer_speed.md under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from backbone_speed import (  # noqa: E402
    application_rows,
    dead_letters,
    publish_at_rate,
    publish_backlog,
    read_decisions,
    read_events,
)

from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import open_bundle  # noqa: E402
from credit.events import ApplicationExplained  # noqa: E402
from credit.explain.explanation import ADDS_UP, adds_up  # noqa: E402
from credit.topics import DECISIONS_DLQ, LOAN_EXPLANATIONS  # noqa: E402
from ingest.history_loader import load_history  # noqa: E402
from ingest.publisher import KafkaPublisher  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from tests.kafka_broker import KafkaBroker  # noqa: E402
from tests.processes import worker  # noqa: E402


def read_explanations(bootstrap: str, ids: list[str]) -> dict[str, ApplicationExplained]:
    return read_events(bootstrap, LOAN_EXPLANATIONS, ApplicationExplained.from_bytes, ids)


def per_second(stamps: list[float]) -> float:
    stamps = sorted(stamps)
    return round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 1)


def percentiles(ms: np.ndarray) -> dict:
    return {
        "mean_ms": round(float(ms.mean()), 1),
        **{f"p{q}_ms": round(float(np.percentile(ms, q)), 1) for q in (50, 95, 99)},
        "max_ms": round(float(ms.max()), 1),
    }


def run(bundle, templates: list, args, work: Path) -> dict:
    with KafkaBroker() as broker:
        publisher = KafkaPublisher(
            IngestSettings(kafka_bootstrap=broker.bootstrap, api_keys="benchmark-key-0123456789")
        )
        load_history(bundle, publisher)
        publisher.close()
        print(f"== backlog of {args.applications} applications, the scorer alone", flush=True)
        ids = publish_backlog(broker.bootstrap, templates, args.applications)
        scorer = worker("scorer", broker.bootstrap, bundle.path.parent, work).start()
        explainers = [
            worker("explainer", broker.bootstrap, bundle.path.parent, work, f"explainer-{i}")
            for i in range(args.explainers)
        ]
        try:
            decided = read_decisions(broker.bootstrap, ids)
            print(
                f"== {args.explainers} explainer worker(s) on the backlog of decisions", flush=True
            )
            for explainer in explainers:
                explainer.start()
            explained = read_explanations(broker.bootstrap, ids)
            backlog = {
                "applications": len(ids),
                "decisions_per_s": per_second([d.decided_at.timestamp() for d in decided.values()]),
                "explanations_per_s": per_second(
                    [e.explained_at.timestamp() for e in explained.values()]
                ),
                "missing_decisions": len(ids) - len(decided),
                "missing_explanations": len(ids) - len(explained),
                "not_adding_up": sum(adds_up(e) > ADDS_UP for e in explained.values()),
            }
            print(f"== both running, {args.rate}/s for {args.seconds} s", flush=True)
            ids = publish_at_rate(broker.bootstrap, templates, args.rate, args.seconds)
            explained, decided = (
                read_explanations(broker.bootstrap, ids),
                read_decisions(broker.bootstrap, ids),
            )
            paced = {
                "rate_per_s": args.rate,
                "applications": len(ids),
                "missing_explanations": len(ids) - len(explained),
                "decision_to_explanation": percentiles(
                    np.array(
                        [
                            (e.explained_at - e.decided_at).total_seconds() * 1000
                            for e in explained.values()
                        ]
                    )
                ),
                "submission_to_explanation": percentiles(
                    np.array(
                        [
                            (e.explained_at - decided[i].submitted_at).total_seconds() * 1000
                            for i, e in explained.items()
                            if i in decided
                        ]
                    )
                ),
            }
            letters = {
                "applications": dead_letters(broker.bootstrap),
                "decisions": dead_letters(broker.bootstrap, DECISIONS_DLQ),
            }
        finally:
            for explainer in explainers:
                explainer.stop()
            scorer.stop()
        return {"backlog": backlog, "paced": paced, "dead_letters": letters}


def markdown(summary: dict) -> str:
    b, p = summary["backlog"], summary["paced"]
    d, s = p["decision_to_explanation"], p["submission_to_explanation"]
    return "\n".join(
        [
            "# Explainer speed (scorer and explainer on a real broker, one run)",
            "",
            "| backlog of applications | decisions/s (1 scorer) | explainer workers "
            "| explanations/s | explainers / scorer |",
            "|---|---|---|---|---|",
            f"| {b['applications']} | {b['decisions_per_s']} "
            f"| {summary['settings']['explainer_workers']} "
            f"| {b['explanations_per_s']} | {summary['explainer_over_scorer']}x |",
            "",
            f"At {p['rate_per_s']}/s for {summary['settings']['seconds']} s with both running:",
            "",
            "| time | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|",
            f"| decision -> explanation | {d['p50_ms']} | {d['p95_ms']} | {d['p99_ms']} "
            f"| {d['max_ms']} |",
            f"| submission -> explanation | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} "
            f"| {s['max_ms']} |",
            "",
            f"Missing: {b['missing_decisions']} decisions, "
            f"{b['missing_explanations'] + p['missing_explanations']} explanations; "
            f"explanations not adding up: {b['not_adding_up']}; "
            f"dead letters: {summary['dead_letters']}. "
            f"Model: {summary['model']['trees']} trees, {summary['model']['leaves']} leaves, "
            f"depth {summary['model']['depth']}; {summary['machine']['cores']} cores.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--explainers",
        type=int,
        default=1,
        help="explainer worker processes (consumer group members)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    bundle, templates = open_bundle(ROOT / "models"), application_rows()
    work = Path(tempfile.mkdtemp(prefix="explainer-speed-"))  # the services' logs stay there
    print(f"logs in {work}", flush=True)
    result = run(bundle, templates, args, work)
    capacity = bundle.manifest.get("capacity", {})
    summary = {
        **result,
        "explainer_over_scorer": round(
            result["backlog"]["explanations_per_s"] / result["backlog"]["decisions_per_s"], 2
        ),
        "settings": {
            "applications": args.applications,
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "explainer_workers": args.explainers,
        },
        "model": {
            "version": bundle.model_version,
            "trees": bundle.manifest.get("trees"),
            "leaves": capacity.get("num_leaves"),
            "depth": capacity.get("max_depth"),
        },
        "machine": machine(),
    }
    write_results(args.out, "explainer_speed", summary, markdown(summary))


if __name__ == "__main__":
    main()
