"""What every benchmark shares: where its results go, the machine they were measured on, and
writing them as JSON (for scripts) and Markdown (for people, linked from the README)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine(**more) -> dict:
    """The machine a result was measured on: shared and noisy, so compare ratios from one run."""
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **more,
    }


def write_results(out: Path, name: str, results: dict, markdown: str | None = None) -> None:
    """`name`.json (and `name`.md) in `out`; the Markdown is printed too."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    if markdown is not None:
        (out / f"{name}.md").write_text(markdown)
        print(markdown)
