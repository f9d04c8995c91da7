"""Shared fixtures. Tests that need the real Kaggle sample fail (never skip) when it is missing."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLE = Path(os.environ.get("HOME_CREDIT_SAMPLE", ROOT.parent / "shared" / "data" / "home-credit-sample"))


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    if not (REAL_SAMPLE / "application_train.csv").is_file():
        pytest.fail(f"the real Home Credit sample is missing at {REAL_SAMPLE} "
                    "(set HOME_CREDIT_SAMPLE to its directory)")
    return REAL_SAMPLE


@pytest.fixture(scope="session")
def real_tables(real_data_dir):
    from training.data import load_tables

    return load_tables(real_data_dir)


@pytest.fixture(scope="session")
def real_history(real_tables):
    from credit.features import aggregate_history

    return aggregate_history(real_tables)


@pytest.fixture(scope="session")
def real_bundle(real_data_dir, real_tables, tmp_path_factory):
    """A bundle trained once per test session on the real sample (fast capacity)."""
    from training.cross_validation import FAST
    from training.data import fingerprint
    from training.pipeline import Options, train_bundle

    bundle, _ = train_bundle(real_tables, fingerprint(real_data_dir), tmp_path_factory.mktemp("models"),
                             Options(capacity=FAST))
    return bundle
