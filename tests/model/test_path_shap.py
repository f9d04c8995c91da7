"""PathShap against LightGBM's own TreeSHAP (`pred_contrib`): the same numbers, to 1e-9."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from adapters.onnx_scorer import OnnxScorer
from credit.explain.path_shap import PathShap
from credit.features.vector import as_model_input
from tests.json_rows import decided

pytestmark = pytest.mark.model

EXACT = 1e-9


def _difference(booster: lgb.Booster, x: np.ndarray) -> float:
    expected = booster.predict(x, pred_contrib=True)
    ours = PathShap(booster).contributions(x)
    assert ours.shape == expected.shape
    return float(np.abs(ours - expected).max())


@pytest.fixture(scope="module")
def real_booster(real_bundle):
    return lgb.Booster(model_file=str(real_bundle.file("lightgbm")))


@pytest.fixture(scope="module")
def real_inputs(real_bundle, real_data_dir, real_history):
    """The model inputs of every real-sample application (train and test), as the scorer
    decides them from their JSON events."""
    raw = pd.concat(
        [pd.read_csv(real_data_dir / f"application_{part}.csv") for part in ("train", "test")]
    )
    _, decisions = decided(OnnxScorer(real_bundle.path), raw, real_history)
    return as_model_input(np.array([d.features for d in decisions], dtype="float64"))


def test_equals_pred_contrib_on_every_real_row(real_booster, real_inputs):
    assert len(real_inputs) > 7000 and np.isnan(real_inputs).any()
    assert _difference(real_booster, real_inputs) <= EXACT


def test_equals_pred_contrib_on_a_row_with_every_feature_missing(real_booster):
    assert _difference(real_booster, np.full((1, real_booster.num_feature()), np.nan)) <= EXACT


def _paths(node: dict, path: tuple = ()):
    """Each leaf's path in a dumped tree, as its splits: (feature, threshold, missing type)."""
    if "leaf_value" in node:
        yield path
        return
    split = (node["split_feature"], node["threshold"], node["missing_type"])
    for side in ("left_child", "right_child"):
        yield from _paths(node[side], (*path, split))


def _synthetic(seed: int = 0, rows: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Few features, so that deep trees split on one feature more than once along a path;
    NaN, zeros and values a hair from zero in every column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).round(1)
    y = (np.sin(3 * x[:, 0]) + x[:, 1] * x[:, 2] + (x[:, 3] > 0.5) > 0.3).astype(float)
    x[rng.random(x.shape) < 0.15] = np.nan
    x[rng.random(x.shape) < 0.05] = 0.0
    x[rng.random(x.shape) < 0.01] = 1e-40
    return as_model_input(x), y


@pytest.mark.parametrize(
    ("settings", "missing_type"),
    [({}, "NaN"), ({"zero_as_missing": True}, "Zero"), ({"use_missing": False}, "None")],
)
def test_equals_pred_contrib_on_deep_trees_with_missing_values_and_repeated_features(
    settings, missing_type
):
    x, y = _synthetic()
    params = {
        "objective": "binary",
        "num_leaves": 15,
        "max_depth": 10,  # within what PathShap tabulates (depth 12)
        "min_data_in_leaf": 5,
        "verbosity": -1,
    }
    booster = lgb.train({**params, **settings}, lgb.Dataset(x, y), num_boost_round=30)
    paths = [
        p for tree in booster.dump_model()["tree_info"] for p in _paths(tree["tree_structure"])
    ]
    assert max(map(len, paths)) >= 4
    assert any(len({f for f, _, _ in p}) < len(p) for p in paths)  # a feature used twice
    assert missing_type in {m for p in paths for _, _, m in p}
    # Rows with a value on a threshold too, where `<=` decides.
    x_test = np.vstack([_synthetic(seed=1, rows=500)[0], np.full((1, 4), np.nan)])
    on_threshold = x_test[: len(paths)].copy()
    for row, path in zip(on_threshold, paths):
        feature, threshold, _ = path[-1]
        row[feature] = threshold
    x_test = np.vstack([x_test, on_threshold])
    assert _difference(booster, x_test) <= EXACT


def test_a_model_whose_trees_are_single_leaves_has_only_an_expected_value():
    x, y = _synthetic()
    params = {"objective": "binary", "min_gain_to_split": 1e9, "verbosity": -1}
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=3)
    assert all(tree["num_leaves"] == 1 for tree in booster.dump_model()["tree_info"])
    contributions = PathShap(booster).contributions(x[:10])
    assert np.all(contributions[:, :-1] == 0)
    assert np.abs(contributions - booster.predict(x[:10], pred_contrib=True)).max() <= EXACT


def test_linear_trees_are_refused_as_pred_contrib_refuses_them():
    x, y = _synthetic()
    params = {"objective": "binary", "linear_tree": True, "verbosity": -1}
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=2)
    with pytest.raises(ValueError, match="linear"):
        PathShap(booster)


def test_categorical_splits_are_refused():
    x, y = _synthetic()
    x[:, 0] = np.nan_to_num(np.abs(x[:, 0]) * 3).round()
    y = (x[:, 0] % 2 == 1).astype(float)
    params = {"objective": "binary", "verbosity": -1, "min_data_per_group": 5}
    booster = lgb.train(params, lgb.Dataset(x, y, categorical_feature=[0]), num_boost_round=3)
    with pytest.raises(ValueError, match="categorical"):
        PathShap(booster)
