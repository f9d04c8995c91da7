"""Start and stop the project's services as real processes for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.kafka_broker import free_port  # noqa: F401 - services need free ports too


def wait_until(check, timeout: float, what: str, every: float = 0.2):
    """Poll `check` until it returns a truthy value (returned) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


class Service:
    """One service process with its log file; stop() ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name, self.args, self.env, self.log = name, args, env, log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            env={**os.environ, **self.env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """kill -9: no chance to commit offsets or flush."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 20) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        return (
            "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
            if self.log.exists()
            else ""
        )


def worker(
    module: str, bootstrap: str, models_dir, work: Path, name: str | None = None, **settings
) -> Service:
    """A Faust worker process (`scorer` or `explainer`) on the broker, with the bundles of
    models_dir, its own data directory and a free web port; `settings` are its own
    (review_band=0.2 is SCORER_REVIEW_BAND)."""
    prefix, name = module.upper(), name or module
    env = {
        "KAFKA_BOOTSTRAP": bootstrap,
        f"{prefix}_MODELS_DIR": str(models_dir),
        f"{prefix}_DATA_DIR": str(work / f"{name}-data"),
        f"{prefix}_WEB_PORT": str(free_port()),
        **{f"{prefix}_{key.upper()}": str(value) for key, value in settings.items()},
    }
    return Service(name, ["-m", module, "worker", "-l", "warn"], env, work)
