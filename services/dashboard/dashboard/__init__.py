"""The relationship managers' dashboard (Panel): client files, comparisons, simulation, live
feed."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
# `panel serve` arguments of the app as it runs everywhere: the page, the context built once per
# server process, the log-in (deploy/stack.py, the browser tests, the benchmarks).
SERVED = (
    str(_HERE / "app.py"),
    "--setup",
    str(_HERE / "setup.py"),
    "--auth-module",
    str(_HERE / "auth.py"),
)
