"""The filled external scores on the real sample: a declared score is kept, a missing one is
estimated within [0, 1] from the bundle's inputs, and the estimates never read TARGET."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from credit.bundle import BundleError, load_bundle
from credit.features import build_features
from credit.features.external_scores import FILLED, SCORES
from credit.input_policy import group_choices
from training.pipeline import training_frame

pytestmark = pytest.mark.model


def test_declared_scores_are_kept_and_missing_ones_estimated_within_0_and_1(
    real_tables, real_history, real_bundle
):
    apps = real_tables["application_train"]
    frame = build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer)
    declared = frame[list(SCORES)].to_numpy()
    complete = ~np.isnan(declared).any(axis=1)
    assert 0.2 < complete.mean() < 0.8  # the sample has both kinds
    np.testing.assert_allclose(
        frame["EXT_SOURCE_FILLED_MEAN"][complete], declared[complete].mean(axis=1), rtol=1e-12
    )
    filled = frame[list(FILLED)].to_numpy()
    assert not np.isnan(filled).any() and (filled >= 0).all() and (filled <= 1).all()
    # where a score is missing the filled minimum is the estimate's, which a declared score bounds
    lowest_declared = np.fmin.reduce(declared, axis=1)
    partial = ~complete & ~np.isnan(lowest_declared)
    assert (frame["EXT_SOURCE_FILLED_MIN"][partial] <= lowest_declared[partial]).all()
    # the estimates differ from client to client: they read the client's features
    estimated_1 = np.isnan(declared[:, 0]) & ~np.isnan(declared[:, 1:]).any(axis=1)
    assert estimated_1.sum() > 100
    assert np.unique(frame["EXT_SOURCE_FILLED_MIN"][np.isnan(declared).all(axis=1)]).size != 1


def test_the_estimates_of_missing_scores_never_read_the_target(real_tables, real_history):
    train = real_tables["application_train"]
    shuffled = train.assign(TARGET=np.random.default_rng(0).permutation(train["TARGET"].to_numpy()))
    unlabelled = real_tables["application_test"]
    groups = group_choices()
    _, _, imputer = training_frame(train, unlabelled, real_history, groups, 42)
    _, _, with_other_target = training_frame(shuffled, unlabelled, real_history, groups, 42)
    assert "TARGET" not in imputer.inputs
    assert imputer.to_json() == with_other_target.to_json()


def test_a_bundle_whose_estimates_read_a_field_that_is_not_a_model_input_is_refused(
    real_bundle, tmp_path
):
    copy = shutil.copytree(real_bundle.path, tmp_path / real_bundle.model_version)
    manifest = json.loads((copy / "bundle.json").read_text())
    read = real_bundle.imputer.inputs[0]
    manifest["features"].remove(read)
    (copy / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=f"estimates read field.*not model inputs: {read}"):
        load_bundle(copy)
