"""A bundle trained on the real sample: its contents, its checks, and ONNX against LightGBM."""

from __future__ import annotations

import json
import shutil

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest

from credit import input_policy
from credit.bundle import (
    FILES,
    ONNX_INPUT,
    ONNX_OUTPUT,
    BundleError,
    check_input_policy,
    latest_bundle,
    load_bundle,
)
from credit.calibration import calibrate, margin_of
from credit.decision import decide
from credit.features import build_features, model_matrix
from credit.features.sources import feature_sources

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def all_real_rows(real_tables, real_history, real_bundle):
    """Every real application (train and test) as model inputs."""
    apps = pd.concat(
        [real_tables["application_train"].drop(columns="TARGET"), real_tables["application_test"]]
    )
    return model_matrix(
        build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )


def test_bundle_holds_every_file_and_manifest_entry(real_bundle):
    manifest = real_bundle.manifest
    for key in (
        "model_version",
        "features",
        "threshold",
        "cost_fn",
        "cost_fp",
        "data_fingerprint",
        "created_at",
        "libraries",
        "vocabularies",
    ):
        assert manifest[key], key
    assert all(real_bundle.file(kind).is_file() for kind in FILES)
    assert 0.65 < manifest["metrics"]["oof_auc"] < 0.9
    assert 0 < real_bundle.threshold < 0.5
    assert (
        manifest["metrics"]["cost_per_application_at_threshold"]
        < manifest["metrics"]["cost_per_application_at_0_5"]
    )
    assert "CODE_GENDER" not in real_bundle.features
    assert set(manifest["metrics"]["fairness"]["gender"]) == {"F", "M"}


def test_reference_population_and_history_cover_the_real_clients(real_bundle, real_tables):
    reference = pd.read_parquet(real_bundle.file("reference"))
    assert len(reference) == len(real_tables["application_train"])
    assert reference["OOF_PD"].between(0, 1).all() and set(reference["TARGET"]) == {0, 1}
    history = pd.read_parquet(real_bundle.file("history"))
    clients = set(real_tables["application_train"]["SK_ID_CURR"]) | set(
        real_tables["application_test"]["SK_ID_CURR"]
    )
    assert set(history["SK_ID_CURR"]) <= clients and len(history) > 3000


def test_onnx_and_native_lightgbm_agree_on_every_real_row(real_bundle, all_real_rows):
    native = lgb.Booster(model_file=str(real_bundle.file("lightgbm")))
    session = ort.InferenceSession(
        str(real_bundle.file("onnx")), providers=["CPUExecutionProvider"]
    )
    onnx_p = session.run([ONNX_OUTPUT], {ONNX_INPUT: all_real_rows.astype(np.float32)})[0][:, 1]
    native_p = native.predict(all_real_rows)
    assert len(native_p) == 5852 + 2126
    assert np.abs(onnx_p - native_p).max() <= 1e-5
    onnx_pd = calibrate(margin_of(onnx_p), real_bundle.calibrator)
    native_pd = calibrate(native.predict(all_real_rows, raw_score=True), real_bundle.calibrator)
    assert (
        decide(onnx_pd, real_bundle.threshold) == decide(native_pd, real_bundle.threshold)
    ).all()
    assert 0 < (decide(native_pd, real_bundle.threshold) == "refused").mean() < 1


@pytest.fixture
def bundle_copy(real_bundle, tmp_path):
    return shutil.copytree(real_bundle.path, tmp_path / real_bundle.model_version)


def test_loader_refuses_a_missing_file(bundle_copy):
    (bundle_copy / "model.onnx").unlink()
    with pytest.raises(BundleError, match="model.onnx is missing"):
        load_bundle(bundle_copy)


def test_loader_refuses_an_altered_file(bundle_copy):
    with open(bundle_copy / "calibrator.json", "a") as handle:
        handle.write(" ")
    with pytest.raises(BundleError, match="calibrator.json does not match its checksum"):
        load_bundle(bundle_copy)


def test_loader_refuses_features_this_code_does_not_compute(bundle_copy):
    manifest = json.loads((bundle_copy / "bundle.json").read_text())
    manifest["features"][3] = "FEATURE_FROM_THE_FUTURE"
    (bundle_copy / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(
        BundleError, match="FEATURE_FROM_THE_FUTURE are not computed by this code version"
    ):
        load_bundle(bundle_copy)


def test_loader_refuses_a_version_mismatch(bundle_copy, tmp_path):
    renamed = bundle_copy.rename(tmp_path / "some-other-version")
    with pytest.raises(BundleError, match="directory name differs from model_version"):
        load_bundle(renamed)


def test_latest_bundle_is_found_and_absence_is_explained(real_bundle, tmp_path):
    assert latest_bundle(real_bundle.path.parent) == real_bundle.path
    with pytest.raises(BundleError, match="no model bundle found"):
        latest_bundle(tmp_path)


def test_the_manifest_records_the_input_policy_and_the_group_choices_it_was_trained_under(
    real_bundle,
):
    record = real_bundle.manifest["input_policy"]
    assert record == input_policy.policy_record(input_policy.group_choices())
    assert record["groups"] == {"age": "exclude", "family": "exclude", "building": "exclude"}
    assert check_input_policy(real_bundle) is real_bundle
    used = {
        source for sources in feature_sources(real_bundle.features).values() for source in sources
    }
    assert not used & {
        "CODE_GENDER",
        "DAYS_BIRTH",
        "NAME_FAMILY_STATUS",
        "CNT_CHILDREN",
        "CNT_FAM_MEMBERS",
        "APARTMENTS_AVG",
        "WEEKDAY_APPR_PROCESS_START",
        "HOUR_APPR_PROCESS_START",
        "NAME_TYPE_SUITE",
    }
    assert {"EMPLOYMENT_PENSIONER", "EMPLOYMENT_NONE_DECLARED"} <= set(real_bundle.features)


def test_the_explainer_refuses_a_bundle_whose_inputs_break_the_policy(bundle_copy):
    from explainer.models import Explainers, UnknownModel

    manifest = json.loads((bundle_copy / "bundle.json").read_text())
    # computed by this code, but the bundle records age excluded (in place of a feature the
    # external scores' estimates do not read: the rest of the bundle stays consistent)
    manifest["features"][manifest["features"].index("EXT_SOURCE_FILLED_MIN")] = "AGE_YEARS"
    (bundle_copy / "bundle.json").write_text(json.dumps(manifest))
    load_bundle(bundle_copy)  # a complete bundle: only the policy is broken
    with pytest.raises(
        BundleError,
        match="feature AGE_YEARS uses DAYS_BIRTH, in the option group 'age', which this model "
        "excludes",
    ):
        Explainers(bundle_copy.parent).load_latest()
    with pytest.raises(UnknownModel, match="feature AGE_YEARS uses DAYS_BIRTH"):
        Explainers(bundle_copy.parent).get(bundle_copy.name)
