"""Benchmark: the scorer on a real broker, ONNX Runtime vs native LightGBM.

python benchmarks/backbone_speed.py [--applications 20000] [--rate 200] [--seconds 20]
Per runtime, on a fresh broker with the bundle's client history loaded: sustained decisions/s
on a backlog of pre-published applications, then decision latency (decided_at - submitted_at)
at a fixed publishing rate. Writes backbone_speed.json and backbone_speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.settings import WorkerSettings  # noqa: E402
from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import open_bundle  # noqa: E402
from credit.events import ApplicationReceived, ApplicationScored, now  # noqa: E402
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS, PARTITIONS  # noqa: E402
from ingest.history_loader import load_history  # noqa: E402
from ingest.publisher import KafkaPublisher  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from tests.integration.stack import topic_size  # noqa: E402
from tests.kafka_broker import KafkaBroker  # noqa: E402
from tests.processes import Service, worker  # noqa: E402
from training.data import demo_data  # noqa: E402

RUNTIMES = ("onnx", "lightgbm")
BATCH_SIZE, BATCH_WAIT_S = (
    WorkerSettings.model_fields[f].default for f in ("batch_size", "batch_wait_s")
)


def application_rows() -> list[dict]:
    raw = pd.read_csv(demo_data(clients=20_000) / "application_test.csv")
    rows = json.loads(raw.to_json(orient="records"))
    return [ApplicationReceived.model_validate(row) for row in rows]


def event_bytes(template, application_id: str) -> bytes:
    return template.model_copy(
        update={"application_id": application_id, "submitted_at": now()}
    ).to_bytes()


def publish_backlog(bootstrap: str, templates: list, n: int) -> list[str]:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    ids = [f"backlog-{i}" for i in range(n)]
    for i, application_id in enumerate(ids):
        template = templates[i % len(templates)]
        producer.send(
            LOAN_APPLICATIONS, key=template.key, value=event_bytes(template, application_id)
        )
    producer.flush()
    producer.close()
    return ids


def publish_at_rate(bootstrap: str, templates: list, rate: float, seconds: float) -> list[str]:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    ids, start = [f"paced-{i}" for i in range(int(rate * seconds))], time.monotonic()
    for i, application_id in enumerate(ids):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        template = templates[i % len(templates)]
        producer.send(
            LOAN_APPLICATIONS, key=template.key, value=event_bytes(template, application_id)
        )
    producer.flush()
    producer.close()
    return ids


def read_events(bootstrap: str, topic: str, decode, ids: list[str], stall_s: float = 30) -> dict:
    """application_id -> event of `ids` on `topic`, read once the topic has stopped growing.

    Decoding while the services run would take CPU from them on this 2-core machine; the events
    carry their own timestamps, so they are decoded afterwards.
    """
    wait_until_quiet(bootstrap, topic, len(ids), stall_s)
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    wanted, found = set(ids), {}
    try:
        for message in consumer:
            event = decode(message.value)
            if event.application_id in wanted:
                found[event.application_id] = event
        return found
    finally:
        consumer.close()


def wait_until_quiet(
    bootstrap: str, topic: str, at_least: int, stall_s: float, quiet_s: float = 3
) -> int:
    """Poll the topic's end offsets until it holds `at_least` messages and none arrived for quiet_s
    (or, short of that, for stall_s); returns how many it holds."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    total, changed = -1, time.monotonic()
    try:
        while True:
            now_total = sum(consumer.end_offsets(parts).values())
            if now_total != total:
                total, changed = now_total, time.monotonic()
                print(f"  {total} messages on {topic}", flush=True)
            idle = time.monotonic() - changed
            if (total >= at_least and idle >= quiet_s) or (total > 0 and idle >= stall_s):
                return total
            time.sleep(1)
    finally:
        consumer.close()


def read_decisions(bootstrap: str, ids: list[str]) -> dict[str, ApplicationScored]:
    return read_events(bootstrap, LOAN_DECISIONS, ApplicationScored.from_bytes, ids)


def dead_letters(bootstrap: str, topic: str = APPLICATIONS_DLQ) -> int:
    return topic_size(bootstrap, topic)


def throughput(decisions: list[ApplicationScored]) -> dict:
    times = sorted(d.decided_at.timestamp() for d in decisions)
    timings = pd.DataFrame([d.timings_ms for d in decisions]).mean()
    return {
        "decisions": len(times),
        "seconds": round(times[-1] - times[0], 3),
        "decisions_per_s": round((len(times) - 1) / (times[-1] - times[0]), 1),
        **{f"mean_{k}": round(v, 4) for k, v in timings.items()},
    }


def latency(decisions: list[ApplicationScored], rate: float) -> dict:
    ms = np.array([(d.decided_at - d.submitted_at).total_seconds() * 1000 for d in decisions])
    return {
        "rate_per_s": rate,
        "decisions": len(ms),
        "mean_ms": round(float(ms.mean()), 2),
        "max_ms": round(float(ms.max()), 2),
        **{f"p{q}_ms": round(float(np.percentile(ms, q)), 2) for q in (50, 95, 99)},
    }


def start_scorer(broker: KafkaBroker, bundle, runtime: str, work: Path) -> Service:
    return worker(
        "scorer", broker.bootstrap, bundle.path.parent, work, f"scorer-{runtime}", runtime=runtime
    ).start()


def run_runtime(runtime: str, bundle, templates: list, args, work: Path) -> dict:
    print(f"== {runtime}: fresh broker, client history", flush=True)
    with KafkaBroker() as broker:
        publisher = KafkaPublisher(
            IngestSettings(kafka_bootstrap=broker.bootstrap, api_keys="benchmark-key-0123456789")
        )
        load_history(bundle, publisher)
        publisher.close()
        print(
            f"== {runtime}: backlog of {args.applications} applications, then the scorer",
            flush=True,
        )
        ids = publish_backlog(broker.bootstrap, templates, args.applications)
        scorer = start_scorer(broker, bundle, runtime, work)  # reads the history before it scores
        try:
            found = read_decisions(broker.bootstrap, ids)
            sustained = {**throughput(list(found.values())), "missing": len(ids) - len(found)}
            print(f"== {runtime}: {args.rate}/s for {args.seconds} s", flush=True)
            ids = publish_at_rate(broker.bootstrap, templates, args.rate, args.seconds)
            found = read_decisions(broker.bootstrap, ids)
            paced = {**latency(list(found.values()), args.rate), "missing": len(ids) - len(found)}
            result = {
                "sustained": sustained,
                "latency": paced,
                "dead_letters": dead_letters(broker.bootstrap),
            }
        finally:
            scorer.stop()
        log = scorer.log.read_text(errors="replace")
        result["scorer_log_errors"] = sum(
            w in line for line in log.splitlines() for w in ("ERROR", "Traceback")
        )
        print(f"== {runtime}: {result}", flush=True)
        return result


def report(results: dict, args, bundle) -> dict:
    libs = ("onnxruntime", "lightgbm", "faust-streaming", "kafka-python", "pydantic", "numpy")
    ratio = (
        results["onnx"]["sustained"]["decisions_per_s"]
        / results["lightgbm"]["sustained"]["decisions_per_s"]
    )
    return {
        "runtimes": results,
        "onnx_over_lightgbm_throughput": round(ratio, 2),
        "settings": {
            "applications": args.applications,
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "batch_size": os.environ.get("SCORER_BATCH_SIZE", f"{BATCH_SIZE} (default)"),
            "batch_wait_s": os.environ.get("SCORER_BATCH_WAIT_S", f"{BATCH_WAIT_S} (default)"),
            "partitions": PARTITIONS,
        },
        "model": {
            "version": bundle.model_version,
            "trees": bundle.manifest.get("trees"),
            "features": len(bundle.features),
        },
        "machine": machine(),
        "versions": {lib: version(lib) for lib in libs},
    }


def markdown(summary: dict) -> str:
    lines = [
        "# Backbone speed (scorer on a real broker)",
        "",
        "| runtime | decisions/s sustained | p50 ms | p95 ms | p99 ms | missing decisions "
        "| dead letters |",
        "|---|---|---|---|---|---|---|",
    ]
    for runtime, r in summary["runtimes"].items():
        s, lat = r["sustained"], r["latency"]
        lines.append(
            f"| {runtime} | {s['decisions_per_s']} | {lat['p50_ms']} | {lat['p95_ms']} | "
            f"{lat['p99_ms']} | {s['missing'] + lat['missing']} | {r['dead_letters']} |"
        )
    settings = summary["settings"]
    return "\n".join(
        lines
        + [
            "",
            f"ONNX / LightGBM throughput: {summary['onnx_over_lightgbm_throughput']}x. "
            f"Backlog {settings['applications']} applications; "
            f"latency at {settings['rate_per_s']}/s for {settings['seconds']} s; "
            f"{summary['machine']['cores']} cores.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    bundle, templates = open_bundle(ROOT / "models"), application_rows()
    work = Path(tempfile.mkdtemp(prefix="backbone-speed-"))  # the scorer logs stay there
    print(f"scorer logs in {work}", flush=True)
    results = {runtime: run_runtime(runtime, bundle, templates, args, work) for runtime in RUNTIMES}
    summary = report(results, args, bundle)
    write_results(args.out, "backbone_speed", summary, markdown(summary))


if __name__ == "__main__":
    main()
