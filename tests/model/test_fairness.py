"""The fairness report on the real sample: every variant measured, with rates by sex and age
band."""

from __future__ import annotations

import math

import pytest

from training.cross_validation import Capacity
from training.fairness import measure, prepare, variants
from training.fairness_report import render

pytestmark = pytest.mark.model

SMALL = Capacity(learning_rate=0.1, max_rounds=200, early_stopping=20, folds=3)


@pytest.fixture(scope="module")
def report(real_tables):
    return measure(prepare(real_tables), SMALL, seeds=(42,))


def test_every_variant_is_measured_with_finite_auc_and_cost(report):
    assert [v["name"] for v in report["variants"]] == [v.name for v in variants()]
    for variant in report["variants"]:
        assert len(variant["fold_auc"]) == 3 and 0.6 < variant["auc"]["mean"] < 0.9, variant["name"]
        assert math.isfinite(variant["cost"]["mean"]) and 0 < variant["approval_rate"]["mean"] < 1
    counts = {v["name"]: v["features"] for v in report["variants"]}
    assert counts["without age and its proxies"] < counts["without age"] < counts["current inputs"]
    assert counts["without family situation"] < counts["current inputs"]


def test_rates_are_given_by_sex_and_by_age_band_for_every_variant(report):
    for variant in report["variants"]:
        groups = variant["by_group"]
        assert set(groups["gender"]) == {"F", "M"}
        assert list(groups["age band"]) == ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
        for rates in [*groups["gender"].values(), *groups["age band"].values()]:
            assert 0 <= rates["approval_rate"] <= 1 and 0 <= rates["fpr"] <= 1
            assert rates["tpr"] is None or 0 <= rates["tpr"] <= 1


def test_age_proxies_are_measured_fields_other_than_age(report):
    proxies = report["age_proxies"]
    assert proxies["proxies"] and "DAYS_BIRTH" not in proxies["proxies"]
    assert 0 < proxies["r2_without_age_and_proxies"] < proxies["r2_without_age"] < 1
    assert (
        next(v for v in report["variants"] if v["name"] == "without age and its proxies")["without"]
        == proxies["proxies"]
    )


def test_the_markdown_shows_every_variant_and_group(report):
    text = render(report)
    assert all(f"| {v['name']} |" in text for v in report["variants"])
    assert "### FPR (good clients refused) by age band" in text and "| <25 |" in text
