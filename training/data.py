"""Where training data comes from: a Kaggle data directory, or generated demo data."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd

from credit.bundle import sha256
from credit.schema import FILES
from credit.tables import read_table

DEMO_DIR = Path("data/demo")


def demo_data(directory: Path = DEMO_DIR, clients: int = 20_000, seed: int = 42) -> Path:
    """The demo data directory, generated once (deterministic for a seed and size)."""
    directory = directory / f"seed{seed}-clients{clients}"
    if not directory.is_dir():
        from training.demodata.__main__ import main as generate

        print(f"Generating demo data ({clients:,} clients, seed {seed}) in {directory} ...")
        partial = directory.with_name(directory.name + ".partial")  # renamed when complete
        shutil.rmtree(partial, ignore_errors=True)
        generate(["--out", str(partial), "--seed", str(seed), "--clients", str(clients)])
        partial.rename(directory)
    return directory


def load_tables(directory: Path, progress=iter) -> dict[str, pd.DataFrame]:
    """All seven tables, validated (credit.tables.DataError names the file and column at fault)."""
    return {stem: read_table(directory, stem) for stem in progress(list(FILES))}


def fingerprint(directory: Path) -> str:
    """SHA-256 over the data files' names and contents: which data a bundle was trained on."""
    digest = hashlib.sha256()
    for stem in FILES:
        digest.update(f"{stem}:{sha256(Path(directory) / f'{stem}.csv')};".encode())
    return digest.hexdigest()
