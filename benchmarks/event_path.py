"""Benchmark: the event path against the speed of Kafka, every stage in one run on one broker.

python benchmarks/event_path.py [--events 20000] [--stack-rate 1000] [--stack-seconds 30]
                                [--against REV] [--stages ingest,scorer,...]

On one fresh broker, with the same application events (~3 KB, the demo data's), one after
the other and each alone on the machine:
  limit      a plain aiokafka loop in this process: getmany, send with acks=all, await the acks,
             commit (the fastest at-least-once relay of these events)
  faust      a Faust agent passing them on: take_events, Topic.send per event, no work
  scorer     one scorer worker deciding a backlog of them
  explainer  one explainer worker explaining the backlog of those decisions
  scorer-2, explainer-2
             the same backlog again from its start, with two worker processes in the group
  ingest     the ingest API alone accepting them in batches of 500 (two clients)
  stack      ingest, scorer, explainer and dashboard together, posted at --stack-rate for
             --stack-seconds: the rate at which they reach the dashboard's store
Rates come from the output records' own timestamps (first to last), so start-up is not counted.
--against REV runs the same benchmark first with REV's services (a git worktree), on its own
fresh broker. --stages runs only those (the explainer needs the scorer; the stack needs the
scorer, the explainer and the ingest; limit, faust and ingest alone need no model bundle).
Writes event_path.json and event_path.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.settings import WorkerSettings  # noqa: E402
from benchmarks.backbone_speed import application_rows, event_bytes  # noqa: E402
from benchmarks.load_test import KEY, read_all, services, stored  # noqa: E402
from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import open_bundle  # noqa: E402
from credit.events import ApplicationReceived, ApplicationScored  # noqa: E402
from credit.topics import (  # noqa: E402
    APPLICATIONS_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
    PARTITIONS,
)
from ingest.history_loader import load_history  # noqa: E402
from ingest.publisher import KafkaPublisher  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from tests.integration.stack import healthy, topic_size  # noqa: E402
from tests.kafka_broker import KafkaBroker  # noqa: E402
from tests.processes import Service, wait_until, worker  # noqa: E402

BATCH = 500  # applications per request to the API
RELAY_BATCH = WorkerSettings.model_fields["batch_size"].default  # the workers' batch


def publish(bootstrap: str, topic: str, values: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=1 << 20
    )
    for key, value in values:
        producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()


def timestamps(bootstrap: str, topic: str, n: int, by: Service, timeout_s: float = 900):
    """The broker timestamps (ms) of the first n records of `topic`, once `by` has written n."""

    def written() -> bool:
        if by.process.poll() is not None:
            raise RuntimeError(f"{by.name} stopped:\n{by.tail()}")
        return topic_size(bootstrap, topic) >= n

    wait_until(written, timeout_s, f"{n} records on {topic}", 1)
    return np.sort(np.array(read_all(bootstrap, topic, float, "timestamp")))[:n]


def rate(stamps_ms: np.ndarray) -> float:
    return round((len(stamps_ms) - 1) / ((stamps_ms[-1] - stamps_ms[0]) / 1000), 1)


async def relay(bootstrap: str, source: str, sink: str, n: int) -> float:
    """The limit: batches read with getmany, sent without waiting per record, their acks
    awaited, then committed; events/s over the whole relay."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id="limit",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 << 20,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=512 * 1024,
    )
    await consumer.start()
    await producer.start()
    try:
        done, started = 0, None
        while done < n:
            batches = await consumer.getmany(timeout_ms=100, max_records=RELAY_BATCH)
            if not batches:
                continue
            started = started or time.perf_counter()
            acks = [
                await producer.send(sink, key=r.key, value=r.value)
                for records in batches.values()
                for r in records
            ]
            await asyncio.gather(*acks)
            await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in batches.items()})
            done += len(acks)
        return round(n / (time.perf_counter() - started), 1)
    finally:
        await producer.stop()
        await consumer.stop()


def passthrough(broker: KafkaBroker, source: str, n: int, work: Path) -> float:
    sink = broker.new_topic("faust-out")
    env = {
        "PASS_BOOTSTRAP": broker.bootstrap,
        "PASS_IN": source,
        "PASS_OUT": sink,
        "PASS_DATADIR": str(work / "faust-passthrough"),
    }
    script = str(ROOT / "benchmarks" / "faust_passthrough.py")
    service = Service("faust-passthrough", [script, "worker", "-l", "warn"], env, work).start()
    try:
        return rate(timestamps(broker.bootstrap, sink, n, service))
    finally:
        service.stop()


def backlog_rate(broker: KafkaBroker, service: Service, topic: str, n: int) -> dict:
    """A worker started on a backlog: its output rate, the CPU it and the broker spent per event
    once it had started, and what it dead-lettered."""
    service.start()
    try:
        dead = APPLICATIONS_DLQ if topic == LOAN_DECISIONS else DECISIONS_DLQ
        wait_until(lambda: topic_size(broker.bootstrap, topic) > 0, 300, f"{topic} begun", 0.2)
        cpu = Cpu({"worker": service.process.pid, "broker": broker_pid(broker)})
        done = topic_size(broker.bootstrap, topic)
        stamps = timestamps(broker.bootstrap, topic, n, service)
        spent = cpu.per_event(1)  # µs in all; divided by what it had produced by then
        produced = topic_size(broker.bootstrap, topic) - done
        return {
            "per_s": rate(stamps),
            "cpu_us_per_event": {name: round(us / produced) for name, us in spent.items()},
            "dead_letters": topic_size(broker.bootstrap, dead),
        }
    finally:
        service.stop()


class Cpu:
    """The CPU time (user + system) processes use from now on: `per_event(n)` in µs per event."""

    def __init__(self, pids: dict[str, int | list[int]]):
        self.pids = {name: pid if isinstance(pid, list) else [pid] for name, pid in pids.items()}
        self.start = self._now()

    def _now(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}

    def per_event(self, n: int) -> dict[str, float]:
        now = self._now()
        return {name: round(1e6 * (now[name] - self.start[name]) / n) for name in now}


def cpu_seconds(pid: int) -> float:
    """What a process has used so far (Linux /proc: utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid(broker: KafkaBroker) -> int:
    return int((broker.data_dir / "broker.pid").read_text().split()[0])


TOPICS = {
    "scorer": (LOAN_APPLICATIONS, LOAN_DECISIONS),
    "explainer": (LOAN_DECISIONS, LOAN_EXPLANATIONS),
}


def two_workers(broker: KafkaBroker, module: str, models: Path, work: Path, env: dict) -> dict:
    """Two worker processes of the service's group, once both hold partitions, given a copy of
    the first `--events` records of its input topic. With 3 partitions one worker holds 2 and the
    other 1: the rate is over the first two thirds of the output, while both are busy (the last
    third is one worker's)."""
    source, out = TOPICS[module]
    bootstrap = broker.bootstrap
    backlog = read_all(bootstrap, source, bytes)
    keys = [
        (ApplicationReceived if module == "scorer" else ApplicationScored).from_bytes(v).key
        for v in backlog
    ]
    running = [
        with_env(worker(module, bootstrap, models, work, name=f"{module}-{i}"), env).start()
        for i in (1, 2)
    ]
    try:
        wait_until(lambda: members(bootstrap, module) == 2, 120, f"two {module}s in the group", 1)
        before, n = topic_size(bootstrap, out), len(backlog)
        cpu = Cpu({"workers": [s.process.pid for s in running], "broker": broker_pid(broker)})
        publish(bootstrap, source, list(zip(keys, backlog)))
        wait_until(lambda: topic_size(bootstrap, out) >= before + n, 900, f"{n} on {out}", 1)
        cpu_us = cpu.per_event(n)
    finally:
        for service in running:
            service.stop()
    stamps = np.sort(np.array(read_all(bootstrap, out, float, "timestamp")))[before:]
    return {
        "per_s": rate(stamps[: 2 * len(stamps) // 3]),
        "cpu_us_per_event": cpu_us,
        "workers": 2,
        "events": n,
    }


def members(bootstrap: str, group: str) -> int:
    """How many members of the consumer group hold partitions."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        description = admin.describe_groups([group])[group]
        return sum(1 for m in description.get("members", []) if m.get("member_assignment"))
    finally:
        admin.close()


def post(url: str, bodies: list[list[dict]], clients: int = 2) -> dict:
    """Post every body (a batch) from `clients` threads as fast as the API answers."""
    accepted, lock, started = [0], threading.Lock(), time.perf_counter()

    def send(mine: list[list[dict]]) -> None:
        with httpx.Client(headers={"X-API-Key": KEY}, timeout=120) as client:
            for body in mine:
                response = client.post(f"{url}/v1/applications", json=body)
                response.raise_for_status()
                with lock:
                    accepted[0] += len(response.json()["application_ids"])

    threads = [threading.Thread(target=send, args=(bodies[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"accepted": accepted[0], "per_s": round(accepted[0] / seconds, 1)}


def bodies(templates: list[dict], n: int, prefix: str) -> list[list[dict]]:
    rows = [{**templates[i % len(templates)], "application_id": f"{prefix}-{i}"} for i in range(n)]
    return [rows[i : i + BATCH] for i in range(0, n, BATCH)]


def post_at_rate(url: str, batches: list[list[dict]], per_s: float) -> dict:
    """One batch every BATCH / per_s seconds; late batches are sent at once (no catching up
    beyond the schedule)."""
    started = time.monotonic()
    with httpx.Client(headers={"X-API-Key": KEY}, timeout=120) as client:
        for b, body in enumerate(batches):
            time.sleep(max(0.0, started + b * BATCH / per_s - time.monotonic()))
            client.post(f"{url}/v1/applications", json=body).raise_for_status()
    return {"seconds": round(time.monotonic() - started, 1)}


def run_tree(tree: Path, args, bundle, templates) -> dict:
    """The chosen stages (args.stages) on one fresh broker, with the services of `tree`."""
    # the tree's packages first; PYTHONSAFEPATH: not the working directory's before them
    env = {"PYTHONPATH": pythonpath(tree), "PYTHONSAFEPATH": "1"}
    work = Path(tempfile.mkdtemp(prefix="event-path-"))
    print(f"== {tree}: logs in {work}", flush=True)
    # without submitted_at: the API stamps each application when it accepts it
    n, stages, result = args.events, args.stages, {}
    applications = [t.model_dump(mode="json", exclude={"submitted_at"}) for t in templates]
    with KafkaBroker() as broker:
        bootstrap = broker.bootstrap
        events = [
            (t.key, event_bytes(t, f"bench-{i}"))
            for i, t in enumerate(templates[i % len(templates)] for i in range(n))
        ]
        if {"limit", "faust"} & stages:
            source = broker.new_topic("source")
            publish(bootstrap, source, events)
        if "limit" in stages:
            print("== limit", flush=True)
            limit = asyncio.run(relay(bootstrap, source, broker.new_topic("limit-out"), n))
            result["limit"] = {"per_s": limit}
        if "faust" in stages:
            print("== faust passthrough", flush=True)
            result["faust"] = {"per_s": passthrough(broker, source, n, work)}
        models = bundle.path.parent if bundle else ROOT / "models"
        if "scorer" in stages:
            publisher = KafkaPublisher(IngestSettings(kafka_bootstrap=bootstrap, api_keys=KEY))
            load_history(bundle, publisher)
            publisher.close()
            publish(bootstrap, LOAN_APPLICATIONS, events)
            print("== scorer", flush=True)
            result["scorer"] = backlog_rate(
                broker, with_env(worker("scorer", bootstrap, models, work), env), LOAN_DECISIONS, n
            )
        if "scorer-2" in stages:
            print("== two scorers", flush=True)
            result["scorer-2"] = two_workers(broker, "scorer", models, work, env)
        if "explainer" in stages:
            print("== explainer", flush=True)
            result["explainer"] = backlog_rate(
                broker,
                with_env(worker("explainer", bootstrap, models, work), env),
                LOAN_EXPLANATIONS,
                n,
            )
        if "explainer-2" in stages:
            print("== two explainers", flush=True)
            result["explainer-2"] = two_workers(broker, "explainer", models, work, env)
        if {"ingest", "stack"} & stages:
            running, url = services(broker, bundle or _NoBundle(models), work)
            running = [with_env(s, env) for s in running]
            print("== ingest alone", flush=True)
            running[0].start()
            try:
                wait_until(lambda: healthy(url), 120, "the ingest API")
                cpu = Cpu({"api": running[0].process.pid, "broker": broker_pid(broker)})
                result["ingest"] = post(url, bodies(applications, n, "ingest"))
                result["ingest"]["cpu_us_per_event"] = cpu.per_event(n)
                if "stack" in stages:
                    print("== whole stack", flush=True)
                    for service in running[1:]:
                        service.start()
                    result["stack"] = whole_stack(
                        broker, running, url, work, applications, args, before=2 * n
                    )
            finally:
                for service in reversed(running):
                    service.stop()
    result = {stage: result[stage] for stage in STAGES if stage in result}
    for stage in result.values():
        if "limit" in result:
            stage["of_limit"] = round(stage["per_s"] / result["limit"]["per_s"], 3)
    if {"scorer", "explainer"} <= set(result):
        result["explainer_over_scorer"] = round(
            result["explainer"]["per_s"] / result["scorer"]["per_s"], 2
        )
    print(json.dumps(result), flush=True)
    return result


class _NoBundle:
    """Where the services would find their bundle, for stages that load none (the ingest)."""

    def __init__(self, models: Path):
        self.path, self.model_version = models / "none", None


def whole_stack(
    broker,
    running: list[Service],
    url: str,
    work: Path,
    applications: list[dict],
    args,
    before: int,
) -> dict:
    """Applications posted at args.stack_rate once the stack has drained what came before:
    the rate their explanations reach the dashboard's store, and the CPU each service spent per
    application."""
    store = work / "store.db"
    wait_until(lambda: stored(store) >= before, 900, "the store to hold the backlog", every=2)
    n = int(args.stack_rate * args.stack_seconds)
    cpu = Cpu({**{s.name: s.process.pid for s in running}, "broker": broker_pid(broker)})
    posted = post_at_rate(url, bodies(applications, n, "stack"), args.stack_rate)
    started = time.monotonic() - posted["seconds"]
    wait_until(lambda: stored(store) >= before + n, 900, "the store", every=0.5)
    seconds = time.monotonic() - started
    return {
        "posted_per_s": round(n / posted["seconds"], 1),
        "per_s": round(n / seconds, 1),
        "drained_after_s": round(seconds - posted["seconds"], 1),
        "applications": n,
        "cpu_us_per_event": cpu.per_event(n),
    }


def with_env(service: Service, env: dict) -> Service:
    service.env = {**service.env, **env}
    return service


def pythonpath(tree: Path) -> str:
    """The tree's packages ahead of the installed (editable) ones."""
    parts = [tree / "services" / s for s in ("ingest", "scorer", "explainer", "dashboard")]
    return os.pathsep.join(str(p) for p in [*parts, tree])


def worktree(rev: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="event-path-tree-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev], check=True
    )
    return path


STAGES = ("limit", "faust", "scorer", "scorer-2", "explainer", "explainer-2", "ingest", "stack")
NEEDS = {
    "scorer-2": {"scorer"},
    "explainer": {"scorer"},
    "explainer-2": {"explainer"},
    "stack": {"scorer", "explainer", "ingest"},
}
WITH_MODEL = {"scorer", "scorer-2", "explainer", "explainer-2", "stack"}


def stages_of(text: str) -> set[str]:
    """--stages: a comma-separated list, each stage with those it needs."""
    stages = {s.strip() for s in text.split(",") if s.strip()}
    unknown = stages - set(STAGES)
    if unknown or not stages:
        raise argparse.ArgumentTypeError(f"stages are among {', '.join(STAGES)}: not {unknown}")
    for stage in sorted(stages):
        if NEEDS.get(stage, set()) - stages:
            raise argparse.ArgumentTypeError(
                f"{stage} needs {', '.join(sorted(NEEDS[stage]))} in --stages"
            )
    return stages


def markdown(summary: dict) -> str:
    runs = summary["runs"]
    lines = [
        "# The event path against Kafka's speed",
        "",
        "| stage | "
        + " | ".join(f"{name} events/s | of limit | CPU µs per event" for name in runs)
        + " |",
        "|---|" + "---|---|---|" * len(runs),
    ]
    for stage in (s for s in STAGES if s in next(iter(runs.values()))):
        cells = [
            f"{r[stage]['per_s']:,.0f} | "
            + (f"{r[stage]['of_limit']:.0%}" if "of_limit" in r[stage] else "–")
            + " | "
            + ", ".join(f"{k} {v:,}" for k, v in r[stage].get("cpu_us_per_event", {}).items())
            for r in runs.values()
        ]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    ratios = ", ".join(f"{name} {r.get('explainer_over_scorer', '–')}" for name, r in runs.items())
    settings = summary["settings"]
    return "\n".join(
        lines
        + [
            "",
            f"Explainer / scorer: {ratios}. {settings['events']:,} events of "
            f"{settings['event_bytes']:,} bytes, {settings['partitions']} partitions; the stack "
            f"posted at {settings['stack_rate']:,.0f}/s for {settings['stack_seconds']} s; "
            f"{summary['machine']['cores']} cores.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--stack-rate", type=float, default=1_000)
    parser.add_argument("--stack-seconds", type=float, default=30)
    parser.add_argument("--against", help="a git revision whose services are measured first")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--stages",
        type=stages_of,
        default=set(STAGES),
        help=f"comma-separated, among {','.join(STAGES)} (default: all)",
    )
    args = parser.parse_args()
    bundle = open_bundle(ROOT / "models") if WITH_MODEL & args.stages else None
    templates = application_rows()
    trees = {"now": ROOT}
    if args.against:
        trees = {args.against: worktree(args.against), **trees}
    try:
        runs = {name: run_tree(tree, args, bundle, templates) for name, tree in trees.items()}
    finally:
        for tree in trees.values():
            if tree != ROOT:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
    summary = {
        "runs": runs,
        "settings": {
            "events": args.events,
            "event_bytes": len(event_bytes(templates[0], "bench-0")),
            "stack_rate": args.stack_rate,
            "stack_seconds": args.stack_seconds,
            "partitions": PARTITIONS,
            "model": bundle.model_version if bundle else None,
            "stages": [s for s in STAGES if s in args.stages],
        },
        "machine": machine(),
    }
    write_results(args.out, "event_path", summary, markdown(summary))


if __name__ == "__main__":
    main()
