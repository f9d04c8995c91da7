"""Integration tier: one real Kafka broker per test session, stopped at the end even on failure."""
from __future__ import annotations

import signal
import threading

import pytest

from tests.kafka_broker import KafkaBroker


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
