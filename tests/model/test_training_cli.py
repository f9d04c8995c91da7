"""The training command, end to end: demo data by default, one clear line for bad data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from credit.bundle import latest_bundle, load_bundle
from tests.unit.tiny_tables import tiny_table, write_tiny_dir

pytestmark = pytest.mark.model


def run_training(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "training", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_without_data_it_generates_demo_data_trains_and_reports_under_the_groups_chosen(tmp_path):
    result = run_training(
        "--fast",
        "--demo-clients",
        "4000",
        "--include-group",
        "age",
        "--protocol",
        "repeated",
        "--out",
        str(tmp_path / "models"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    bundle = load_bundle(latest_bundle(tmp_path / "models"))
    assert (tmp_path / "data" / "demo" / "seed42-clients4000" / "bureau_balance.csv").is_file()
    assert f"Model bundle: {bundle.path}" in result.stdout
    assert "AUC out-of-fold" in result.stdout and "cross-validation folds" in result.stderr
    assert bundle.manifest["metrics"]["oof_auc"] > 0.7  # the demo data carries real signal
    assert (bundle.path / "report" / "cost_curve.png").stat().st_size > 10_000
    assert bundle.manifest["input_policy"]["groups"] == {
        "age": "include",
        "family": "exclude",
        "building": "exclude",
    }
    assert "AGE_YEARS" in bundle.features and "NAME_FAMILY_STATUS" not in bundle.features
    assert "option groups age: **included**, family: **excluded**" in result.stdout
    assert (
        len(bundle.manifest["metrics"]["repeated_auc"]["folds"]) == 9
    )  # 3 seeds x 3 folds (--fast)
    assert "Repeated protocol (3 seeds × 3 stratified folds)" in result.stdout
    plain = bundle.manifest["metrics"]["repeated_auc"]["plain_lightgbm"]
    assert 0.5 < plain["mean"] < 1 and f"| {plain['mean']:.4f} ± {plain['std']:.4f} |" in (
        result.stdout
    )  # the yardstick beside the headline


def test_an_unknown_option_group_stops_before_training(tmp_path):
    result = run_training(
        "--exclude-group", "religion", "--out", str(tmp_path / "models"), cwd=tmp_path
    )
    assert result.returncode == 2 and "invalid choice: 'religion'" in result.stderr
    assert not (tmp_path / "models").exists()


def test_bad_data_stops_with_one_line_naming_file_and_column(tmp_path):
    data = write_tiny_dir(tmp_path / "data")
    tiny_table("previous_application").drop(columns="AMT_ANNUITY").to_csv(
        data / "previous_application.csv", index=False
    )
    result = run_training("--data", str(data), "--out", str(tmp_path / "models"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "error: previous_application.csv, column AMT_ANNUITY: required column missing"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "models").exists()
