"""Run a worker, and start it again when it stops itself after a failure, as a production supervisor
(systemd's Restart=on-failure, Kubernetes, compose's restart policy) would:

    python deploy/supervise.py python -m scorer worker -l warn

A worker exits with 70 when a batch could not be finished (a dead letter the broker refused), before
its offsets are committed: started again, it reads the batch again. A worker killed by a signal (out
of memory, kill -9) is started again too. Other exit codes end the supervision (a bundle refused at
start-up would fail the same way again). SIGTERM stops the worker and the supervisor.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

RESTART_ON = {70}  # adapters.faust_worker.EXIT_UNPUBLISHED
MAX_DELAY_S = 30.0


def supervise(command: list[str], delay: float = 1.0) -> int:
    child: subprocess.Popen | None = None

    def stop(signum, frame):
        if child and child.poll() is None:
            child.terminate()
            child.wait()
        sys.exit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            child = subprocess.Popen(command)
            code = child.wait()
            if code not in RESTART_ON and code >= 0:
                return code
            print(
                f"supervise: {' '.join(command)} exited {code}; starting it again in {delay:g} s",
                flush=True,
            )
            time.sleep(delay)
            delay = min(2 * delay, MAX_DELAY_S)
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
