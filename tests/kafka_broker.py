"""A real single-node Kafka broker for tests: fresh data, free loopback ports, the project's topics.

    broker = KafkaBroker()          # nothing runs yet
    broker.start()                  # fetch jars (once), start fresh, create every topic
    broker.bootstrap                # "127.0.0.1:<port>"
    broker.stop(); broker.start()   # a restart on the same data and ports (fault tests)
    broker.close()                  # stop and delete the data directory

It drives deploy/kafka/broker.sh, so tests run the broker exactly as developers do.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from credit.topics import PARTITIONS

ROOT = Path(__file__).resolve().parents[1]
KAFKA_DIR = ROOT / "deploy" / "kafka"
FETCH_TIMEOUT_S = 600  # a cold ~/.m2 downloads about 45 MB
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KafkaBroker:
    def __init__(self, data_dir: Path | None = None, partitions: int = PARTITIONS) -> None:
        self._owns_data = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="kafka-test-"))
        self.partitions = partitions
        self.port, self.controller_port = free_port(), free_port()
        self._formatted = False
        self.running = False

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "logs" / "server.log"

    def start(self) -> KafkaBroker:
        """First call: a fresh broker with every topic. Later calls: restart on the same data."""
        _run([str(KAFKA_DIR / "fetch.sh")], timeout=FETCH_TIMEOUT_S)
        if self._formatted:
            self._broker("start", timeout=START_TIMEOUT_S)
        else:
            self._start_fresh()
        self.running = True
        from deploy.topics import create_topics

        create_topics(self.bootstrap, self.partitions)  # idempotent; waits for partition leaders
        return self

    def _start_fresh(self, attempts: int = 3) -> None:
        atexit.register(self.close)  # a safety net; the fixture closes the broker itself
        for attempt in range(attempts):
            try:
                self._broker("start", "--fresh", timeout=START_TIMEOUT_S)
                self._formatted = True
                return
            except RuntimeError as error:  # another process took a port between pick and bind
                if "already in use" not in str(error) or attempt == attempts - 1:
                    raise
                self.port, self.controller_port = free_port(), free_port()

    def stop(self) -> None:
        """Stop cleanly (SIGTERM, then kill after a bounded wait); also after a failed start."""
        if (self.data_dir / "broker.pid").exists():
            self._broker("stop", timeout=60)
        self.running = False

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self._owns_data:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def new_topic(
        self,
        prefix: str = "scratch",
        partitions: int | None = None,
        configs: dict[str, str] | None = None,
    ) -> str:
        """Create a uniquely named topic (auto creation is off) and return its name."""
        from kafka.admin import KafkaAdminClient

        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            admin.create_topics(
                {
                    name: {
                        "num_partitions": partitions or self.partitions,
                        "replication_factor": 1,
                        "configs": configs or {},
                    }
                },
                wait_for_metadata=True,
            )
        finally:
            admin.close()
        return name

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _broker(self, *args: str, timeout: float) -> str:
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.data_dir),
            "KAFKA_STOP_WITH_PID": str(os.getpid()),
        }  # no orphan broker if the tests are killed
        return _run([str(KAFKA_DIR / "broker.sh"), *args], timeout=timeout, env=env)


def _run(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout
