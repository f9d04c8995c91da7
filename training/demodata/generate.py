"""Deterministic demo data in the exact Kaggle schema, drawn from the measured profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from credit.schema import FILES, columns_of
from training.demodata.applications import generate_applications, make_clients
from training.demodata.bureau import generate_bureau, generate_bureau_balance
from training.demodata.cards import generate_cards
from training.demodata.previous import generate_previous
from training.demodata.profile import load_profile
from training.demodata.repayments import generate_installments, generate_pos_cash

TABLES = tuple(FILES)  # the eight Kaggle files, in the order they are generated


def iter_tables(
    n_clients: int, seed: int, test_share: float = 0.25, profile: dict | None = None
) -> Iterator[tuple[str, pd.DataFrame]]:
    """(file stem, frame) for each table in TABLES order, so callers can report progress."""
    profile = profile or load_profile()
    # One stream per step: a change in one generator leaves the other tables' draws as they were.
    streams = iter(np.random.default_rng(seed).spawn(3 + len(TABLES)))
    apps = generate_applications(profile, n_clients, next(streams))
    clients = make_clients(apps, next(streams))
    test = next(streams).permutation(n_clients) < round(n_clients * test_share)
    parents: dict[str, pd.DataFrame] = {
        "application_train": apps[~test],
        "application_test": apps[test],
    }
    steps = _history_steps(profile, clients, parents, streams)
    for name in TABLES:
        frame = parents.get(name)
        if frame is None:
            frame = parents[name] = steps[name]()
        yield name, _finish(frame, name, profile)
        if name not in ("bureau", "previous_application"):
            parents.pop(name)  # monthly tables are large: keep only what later tables link to


def _history_steps(profile: dict, clients, parents: dict, streams) -> dict:
    """Table stem -> how to draw it; children read their parent frame from `parents`."""

    def prev() -> pd.DataFrame:  # looked up when the child is drawn, after its parent
        return parents["previous_application"]

    return {
        "bureau": lambda: generate_bureau(profile, clients, next(streams)),
        "bureau_balance": lambda: generate_bureau_balance(
            profile, parents["bureau"], clients, next(streams)
        ),
        "previous_application": lambda: generate_previous(profile, clients, next(streams)),
        "POS_CASH_balance": lambda: generate_pos_cash(profile, prev(), clients, next(streams)),
        "installments_payments": lambda: generate_installments(
            profile, prev(), clients, next(streams)
        ),
        "credit_card_balance": lambda: generate_cards(profile, prev(), clients, next(streams)),
    }


def generate_tables(n_clients: int, seed: int, test_share: float = 0.25) -> dict[str, pd.DataFrame]:
    """The eight Kaggle tables for n_clients clients (test_share of them in application_test).

    The same seed gives identical frames. Columns, their order and their kinds follow
    credit/kaggle_columns.json; application_test is application_train without TARGET.
    """
    return dict(iter_tables(n_clients, seed, test_share))


def write_tables(tables: dict[str, pd.DataFrame], directory: Path) -> dict[str, Path]:
    """Write each frame to <directory>/<name>.csv; returns the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write_table(frame, directory, name) for name, frame in tables.items()}


def write_table(frame: pd.DataFrame, directory: Path, name: str) -> Path:
    path = Path(directory) / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path


def _finish(frame: pd.DataFrame, stem: str, profile: dict) -> pd.DataFrame:
    """Kaggle column order and the dtypes pandas gives the Kaggle files: int64 where the real
    column is (and nothing is missing), other numbers float64, categories and Y/N flags strings."""
    marginals = profile["tables"][FILES[stem]]["columns"]
    out = {}
    for column, kind in columns_of(stem).items():
        values = frame[column].to_numpy()
        if kind in ("key", "target"):
            out[column] = values.astype("int64")
        elif kind in ("category", "flag"):
            out[column] = values.astype(object)
        else:
            out[column] = _number(values, marginals[column])
    return pd.DataFrame(out, copy=False)  # fresh arrays; consolidating them costs seconds


def _number(values: np.ndarray, marginal: dict) -> np.ndarray:
    values = values.astype("float64")
    if marginal.get("integral", False):
        values = np.round(values)
    if marginal.get("int_dtype", False) and not np.isnan(values).any():
        return values.astype("int64")
    return values
