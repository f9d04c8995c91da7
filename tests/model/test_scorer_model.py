"""The scorer's ONNX model on real applications: same PDs as the offline bundle, refuses bad
bundles."""

from __future__ import annotations

import shutil

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from adapters.onnx_scorer import OnnxScorer
from credit.bundle import BundleError
from credit.calibration import calibrate
from credit.features import build_features, model_matrix
from tests.json_rows import decided

pytestmark = pytest.mark.model


def test_scorer_pds_equal_the_offline_bundle_pds(
    real_bundle, real_data_dir, real_tables, real_history
):
    raw = pd.read_csv(real_data_dir / "application_test.csv").head(500)
    _, decisions = decided(OnnxScorer(real_bundle.path), raw, real_history)

    offline_rows = real_tables["application_test"].head(500)
    x = model_matrix(
        build_features(offline_rows, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    native = lgb.Booster(model_file=str(real_bundle.file("lightgbm")))
    offline = calibrate(native.predict(x, raw_score=True), real_bundle.calibrator)
    online = np.array([d.probability_of_default for d in decisions])
    assert np.abs(online - offline).max() <= 1e-6
    assert [d.client_id for d in decisions] == offline_rows["SK_ID_CURR"].tolist()
    assert {d.model_version for d in decisions} == {real_bundle.model_version}
    assert {d.decision for d in decisions} == {"granted", "refused"}


def test_pds_close_to_the_threshold_are_left_to_a_reviewer(
    real_bundle, real_data_dir, real_history
):
    raw = pd.read_csv(real_data_dir / "application_test.csv").head(500)
    t = real_bundle.threshold
    for band in (0.1, 0.3):
        _, decisions = decided(OnnxScorer(real_bundle.path, review_band=band), raw, real_history)
        to_review = {d.application_id for d in decisions if d.status == "to_review"}
        assert to_review == {
            d.application_id for d in decisions if abs(d.probability_of_default - t) <= band * t
        }
        assert 0 < len(to_review) < len(decisions) and {d.review_band for d in decisions} == {band}
        # the proposal is still the policy's decision, for the reviewer to confirm or change
        assert all(
            d.decision == ("refused" if d.probability_of_default >= t else "granted")
            for d in decisions
        )
    _, none = decided(OnnxScorer(real_bundle.path, review_band=0), raw, real_history)
    assert {d.status for d in none} == {"decided"}


def test_scorer_refuses_an_invalid_bundle(real_bundle, tmp_path):
    broken = shutil.copytree(real_bundle.path, tmp_path / real_bundle.model_version)
    (broken / "model.lgb.txt").write_text("tampered")
    with pytest.raises(BundleError, match="model.lgb.txt does not match its checksum"):
        OnnxScorer(broken)
