"""A tiny, valid data directory built from the schema alone, to break one thing at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit.schema import FILES, columns_of

_VALUES = {"key": 100001, "target": 0, "number": 1.5, "category": "Cash loans", "flag": "Y"}


def tiny_table(stem: str, rows: int = 3) -> pd.DataFrame:
    frame = pd.DataFrame({c: [_VALUES[k]] * rows for c, k in columns_of(stem).items()})
    for column, kind in columns_of(stem).items():
        if kind == "key":
            frame[column] = range(100001, 100001 + rows)
    if "TARGET" in frame:
        frame["TARGET"] = [i % 2 for i in range(rows)]
    return frame


def write_tiny_dir(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for stem in FILES:
        tiny_table(stem).to_csv(directory / f"{stem}.csv", index=False)
    return directory
