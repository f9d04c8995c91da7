"""The local stack's supervisor: a worker that stopped itself after a failure (exit 70) is started
again."""

from __future__ import annotations

import sys

import pytest

from deploy.supervise import supervise

pytestmark = pytest.mark.unit


def runs_of(worker: str, tmp_path) -> tuple[int, str]:
    """The supervision's exit code and how many times it ran `worker` (Python code given the count
    file's path)."""
    runs = tmp_path / "runs"
    runs.write_text("0")
    code = supervise(
        [
            sys.executable,
            "-c",
            "import os, pathlib, signal, sys; p = pathlib.Path(sys.argv[1]); "
            "n = int(p.read_text()) + 1; p.write_text(str(n)); " + worker,
            str(runs),
        ],
        delay=0.01,
    )
    return code, runs.read_text()


def test_a_worker_exiting_70_is_started_again_and_any_other_exit_ends_the_supervision(tmp_path):
    assert runs_of("sys.exit(70 if n < 3 else 4)", tmp_path) == (4, "3")


def test_a_worker_killed_by_a_signal_is_started_again(tmp_path):
    assert runs_of("os.kill(os.getpid(), signal.SIGKILL) if n < 2 else sys.exit(0)", tmp_path) == (
        0,
        "2",
    )
