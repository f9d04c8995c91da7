"""Shared fixtures. Tests that need the real Kaggle sample fail (never skip) when it is missing."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from tests.integration.stack import API_KEY, Stack, healthy
from tests.kafka_broker import KafkaBroker
from tests.processes import Service, free_port, wait_until, worker


def pytest_collection_modifyitems(items):
    """Fault tests last: they restart services of the shared stack, whose counters other tests
    read."""
    items.sort(key=lambda item: item.get_closest_marker("faults") is not None)


ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLE = Path(
    os.environ.get("HOME_CREDIT_SAMPLE", ROOT.parent / "shared" / "data" / "home-credit-sample")
)


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    if not (REAL_SAMPLE / "application_train.csv").is_file():
        pytest.fail(
            f"the real Home Credit sample is missing at {REAL_SAMPLE} "
            "(set HOME_CREDIT_SAMPLE to its directory)"
        )
    return REAL_SAMPLE


@pytest.fixture(scope="session")
def real_tables(real_data_dir):
    from training.data import load_tables

    return load_tables(real_data_dir)


@pytest.fixture(scope="session")
def real_history(real_tables):
    from credit.features import aggregate_history

    return aggregate_history(real_tables)


@pytest.fixture(scope="session")
def real_bundle(real_data_dir, real_tables, tmp_path_factory):
    """A bundle trained once per test session on the real sample (fast capacity)."""
    from training.cross_validation import FAST
    from training.data import fingerprint
    from training.pipeline import Options, train_bundle

    bundle, _ = train_bundle(
        real_tables,
        fingerprint(real_data_dir),
        tmp_path_factory.mktemp("models"),
        Options(capacity=FAST),
    )
    return bundle


# The real broker and the running services: for the integration and browser tiers (session-wide,
# started once).
def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def kafka_broker():
    """A fresh single-node broker on free loopback ports, with every project topic created.

    Stopped at session end, on failure, on Ctrl-C and on SIGTERM (e.g. `timeout`); if the test
    process is killed outright, the broker stops itself (KAFKA_STOP_WITH_PID).
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    broker = KafkaBroker()
    try:
        broker.start()
        yield broker
    finally:
        broker.close()
        if main:
            signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def stack(kafka_broker, real_bundle, tmp_path_factory):
    """History loaded, then the scorer, the explainer and the ingest API running; yields their
    Stack."""
    from ingest.history_loader import load_history
    from ingest.publisher import KafkaPublisher
    from ingest.settings import IngestSettings

    logs = tmp_path_factory.mktemp("logs")
    publisher = KafkaPublisher(
        IngestSettings(kafka_bootstrap=kafka_broker.bootstrap, api_keys=API_KEY)
    )
    load_history(real_bundle, publisher)
    publisher.close()
    models, port = str(real_bundle.path.parent), free_port()
    metrics = {name: free_port() for name in ("scorer", "explainer", "ingest")}
    services = [
        worker(
            "scorer",
            kafka_broker.bootstrap,
            models,
            logs,
            metrics_interval_s=1,
            drift_minimum=200,
            metrics_port=metrics["scorer"],
        ),
        worker(
            "explainer",
            kafka_broker.bootstrap,
            models,
            logs,
            metrics_interval_s=1,
            metrics_port=metrics["explainer"],
        ),
        Service(
            "ingest",
            ["-m", "ingest", "serve"],
            {
                "KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
                "INGEST_API_KEYS": API_KEY,
                "INGEST_IDEMPOTENCY_DB": str(logs / "ingest-applications.db"),
                "INGEST_PORT": str(port),
                "INGEST_METRICS_INTERVAL_S": "1",
                "INGEST_METRICS_PORT": str(metrics["ingest"]),
            },
            logs,
        ),
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        for service in services:
            service.start()
        wait_until(lambda: healthy(url), 60, "the ingest API")
        yield Stack(url, {service.name: service for service in services}, metrics)
    finally:
        for service in reversed(services):
            service.stop()
        print(*(service.tail() for service in services), sep="\n")
