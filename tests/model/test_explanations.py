"""Explanations of real decisions: exact additivity, agreement with the shap package, readable
reasons."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from adapters.onnx_scorer import OnnxScorer
from credit.calibration import calibrate
from credit.explain.dictionary import groups
from credit.explain.explanation import ADDS_UP, Explainer, adds_up
from credit.explain.reasons import Reasons, explain_group
from credit.features import build_features, model_matrix
from credit.features.vector import as_model_input
from tests.json_rows import decided

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real_explanations(real_bundle, real_data_dir, real_history):
    """Every real-sample application (train and test) scored by ONNX from its JSON event, then
    explained."""
    raw = pd.concat(
        [pd.read_csv(real_data_dir / f"application_{part}.csv") for part in ("train", "test")]
    )
    _, decisions = decided(OnnxScorer(real_bundle.path), raw, real_history)
    return decisions, Explainer(real_bundle).explain(decisions)


def test_contributions_add_up_from_the_base_rate_to_the_decisions_pd_on_every_real_row(
    real_explanations,
):
    decisions, explanations = real_explanations
    assert len(explanations) == len(decisions) > 7000
    assert max(adds_up(e) for e in explanations) <= ADDS_UP
    assert all(
        e.probability_of_default == d.probability_of_default
        for d, e in zip(decisions, explanations)
    )
    assert len({e.base_value for e in explanations}) == 1


def test_a_case_left_to_a_reviewer_is_explained_as_a_proposal_a_reviewer_decides(real_explanations):
    decisions, explanations = real_explanations
    statuses = [(d.status, e.status) for d, e in zip(decisions, explanations)]
    assert all(d == e for d, e in statuses) and {s for s, _ in statuses} == {"decided", "to_review"}
    for e in explanations:
        proposed = e.summary["en"].startswith(("Refusal proposed", "Grant proposed"))
        assert proposed == (e.status == "to_review") == ("a reviewer decides" in e.summary["en"])


def test_every_real_decision_gets_reasons_that_name_the_clients_values_in_both_languages(
    real_explanations,
):
    _, explanations = real_explanations
    assert all(e.reasons for e in explanations)
    texts = [r.text for e in explanations for r in e.reasons]
    assert not [
        t for t in texts if "information incomplète" in t["fr"]
    ]  # the dictionary covers real data
    assert all(("augmente le risque" in t["fr"]) != ("réduit le risque" in t["fr"]) for t in texts)
    assert all(("raises the risk" in t["en"]) != ("lowers the risk" in t["en"]) for t in texts)
    codes = {g.id: g.code for g in groups()}
    assert all(r.code == codes[r.group] for e in explanations for r in e.reasons)
    for e in explanations:
        raising = [r for r in e.reasons if r.direction == "raises"]
        assert len(raising) <= 4 and len(e.reasons) - len(raising) <= 4
        assert all(r.points > 0 for r in raising) and all(
            r.points < 0 for r in e.reasons if r not in raising
        )
        assert 2 <= e.summary["fr"].count(". ") + 1 <= 3


def test_remembered_reasons_are_the_words_written_afresh_on_every_real_row(
    real_bundle, real_explanations
):
    """The explainer remembers the words of a reason it wrote (credit.explain.reasons.Reasons):
    every real reason is what explain_group writes from scratch, and a small memory stays small."""
    decisions, explanations = real_explanations
    explainer = Explainer(real_bundle)
    rows = as_model_input(np.array([d.features for d in decisions], dtype="float64"))
    points = np.array([e.feature_points for e in explanations])
    by_group = {g.id: g for g in groups()}
    small, whole = Reasons(explainer.reference, remembered=50), Reasons(explainer.reference)
    for row, feature_points, e in zip(rows, points, explanations):
        values = dict(zip(explainer.features, row.tolist()))
        weights = dict(zip(explainer.features, feature_points.tolist()))
        for r in e.reasons:
            group = by_group[r.group]
            fresh = explain_group(group, values, weights, explainer.reference, r.direction)
            assert r.text == fresh == small.of(group, values, weights, r.direction)
            assert len(small._written) <= 50
            whole.of(group, values, weights, r.direction)
    written = sum(len(e.reasons) for e in explanations)
    assert len(whole._written) < 0.6 * written  # most reasons are words written before


def test_our_contributions_agree_with_the_shap_packages_independent_treeshap(
    real_bundle, real_tables, real_history
):
    import shap  # a test dependency: an independent TreeSHAP implementation

    rows = real_tables["application_train"].sample(300, random_state=3)
    x = model_matrix(
        build_features(rows, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    booster = lgb.Booster(model_file=str(real_bundle.file("lightgbm")))
    ours = booster.predict(x, pred_contrib=True)
    independent = shap.TreeExplainer(booster)
    # Left as "lightgbm", shap would call booster.predict(pred_contrib=True) itself and compare us
    # with ourselves; "internal" makes it walk the trees it parsed with its own C++ TreeSHAP.
    independent.model.model_type = "internal"
    theirs = independent.shap_values(x, check_additivity=False)
    theirs = np.asarray(theirs[-1] if isinstance(theirs, list) else theirs)
    assert theirs.shape == ours[:, :-1].shape
    assert np.abs(ours[:, :-1] - theirs).max() < 1e-9
    assert abs(ours[0, -1] - float(np.ravel(independent.expected_value)[-1])) < 1e-9
    assert np.abs(ours[:, :-1]).max() > 0.01  # a real model, not all zeros


def test_the_bundle_holds_every_reference_clients_grouped_contributions(
    real_bundle, real_tables, real_history
):
    table = pd.read_parquet(real_bundle.file("contributions"))
    train = real_tables["application_train"]
    assert table["SK_ID_CURR"].tolist() == train["SK_ID_CURR"].tolist()
    x = model_matrix(
        build_features(train, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    native = calibrate(
        lgb.Booster(model_file=str(real_bundle.file("lightgbm"))).predict(x, raw_score=True),
        real_bundle.calibrator,
    )
    assert np.abs(table["PD"].to_numpy() - native).max() < 1e-6  # stored as float32
    groups = table.drop(columns=["SK_ID_CURR", "PD"]).to_numpy(dtype="float64")
    assert np.abs(real_bundle.manifest["base_value"] + groups.sum(axis=1) - native).max() < 1e-5
    assert "CODE_GENDER" not in table.columns and groups.shape[1] >= 20


def test_gender_changes_neither_the_contributions_nor_the_reasons(real_bundle, real_data_dir):
    raw = pd.read_csv(real_data_dir / "application_test.csv").head(50)
    flipped = raw.assign(CODE_GENDER=raw["CODE_GENDER"].map({"F": "M", "M": "F"}).fillna("F"))
    scorer, explainer = OnnxScorer(real_bundle.path), Explainer(real_bundle)
    before, after = (explainer.explain(decided(scorer, frame)[1]) for frame in (raw, flipped))
    assert [(e.contributions, e.reasons) for e in before] == [
        (e.contributions, e.reasons) for e in after
    ]
