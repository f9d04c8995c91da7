"""The input policy: a written decision for every source, kept by the features and enforced on
bundles."""

from __future__ import annotations

import pandas as pd
import pytest

from credit import input_policy
from credit.bundle import Bundle, BundleError, check_input_policy
from credit.features import aggregate_history, fit_vocabularies, model_features
from credit.features.application import DERIVED_FROM, application_features
from credit.features.external_scores import FILLED
from credit.features.history import HISTORY_STEMS
from credit.features.sources import feature_sources
from credit.schema import columns_of
from credit.tables import coerce
from tests.unit.tiny_tables import tiny_table

pytestmark = pytest.mark.unit

PROCESS_FIELDS = ("WEEKDAY_APPR_PROCESS_START", "HOUR_APPR_PROCESS_START", "NAME_TYPE_SUITE")
ALL_IN = {"age": "include", "family": "include", "building": "include"}


def computed_features() -> list[str]:
    apps = coerce(tiny_table("application_test", rows=3), "application_test")
    tables = {stem: coerce(tiny_table(stem), stem) for stem in HISTORY_STEMS}
    return [
        *application_features(apps, fit_vocabularies(apps)),
        *aggregate_history(tables).columns,
        *FILLED,  # with a bundle's imputer (credit.features.external_scores)
    ]


def test_every_application_field_and_history_table_has_a_decision_with_a_reason():
    fields, tables = input_policy.policy()["application_train"], input_policy.policy()["history"]
    assert list(fields) == list(columns_of("application_train"))
    assert set(tables) == set(HISTORY_STEMS)
    for name, entry in [*fields.items(), *tables.items()]:
        assert entry["use"] in ("admitted", "excluded", "option"), name
        assert len(entry["reason"]) > 20, name
        if entry["use"] == "option":
            assert entry["group"] in input_policy.policy()["groups"], name
    for stem, entry in tables.items():
        for field, reason in entry.get("excluded_fields", {}).items():
            assert field in columns_of(stem) and len(reason) > 20, (stem, field)


def test_sex_the_application_process_and_family_status_are_excluded_by_default():
    fields = input_policy.policy()["application_train"]
    assert all(fields[f]["use"] == "excluded" for f in ("CODE_GENDER", *PROCESS_FIELDS))
    assert input_policy.protected_fields() == ("CODE_GENDER",)
    assert (
        fields["NAME_FAMILY_STATUS"]["group"] == "family"
        and input_policy.group_choices()["family"] == "exclude"
    )
    previous = input_policy.policy()["history"]["previous_application"]["excluded_fields"]
    assert {"WEEKDAY_APPR_PROCESS_START", "HOUR_APPR_PROCESS_START", "NAME_TYPE_SUITE"} <= set(
        previous
    )


def test_excluded_fields_are_never_computed_and_option_groups_only_when_included():
    computed = computed_features()
    assert not set(computed) & {
        "CODE_GENDER",
        *PROCESS_FIELDS,
        "OBS_30_CNT_SOCIAL_CIRCLE",
        "APARTMENTS_MEDI",
    }
    by_default = model_features(computed, input_policy.group_choices())
    everything = model_features(computed, ALL_IN)
    for feature in (
        "DAYS_BIRTH",
        "AGE_YEARS",
        "EMPLOYED_AGE_RATIO",
        "NAME_FAMILY_STATUS",
        "INCOME_PER_PERSON",
    ):
        assert feature not in by_default and feature in everything, feature
    assert set(by_default) < set(everything)
    excluded = {
        f for f, e in input_policy.policy()["application_train"].items() if e["use"] == "excluded"
    }
    assert not any(set(sources) & excluded for sources in feature_sources(everything).values())


def test_derived_features_name_only_fields_the_policy_knows():
    fields = input_policy.policy()["application_train"]
    assert all(source in fields for sources in DERIVED_FROM.values() for source in sources)
    assert set(DERIVED_FROM) <= set(computed_features())


def test_history_features_cannot_read_an_excluded_history_field():
    tables = {stem: coerce(tiny_table(stem), stem) for stem in HISTORY_STEMS}
    before = aggregate_history(tables)
    previous = tables["previous_application"]
    tables["previous_application"] = previous.assign(
        HOUR_APPR_PROCESS_START=23.0, WEEKDAY_APPR_PROCESS_START=None
    )
    pd.testing.assert_frame_equal(aggregate_history(tables), before)


def test_unknown_or_contradictory_group_options_are_refused():
    with pytest.raises(input_policy.PolicyError, match="unknown option group"):
        input_policy.group_choices(include=["religion"])
    with pytest.raises(input_policy.PolicyError, match="both included and excluded"):
        input_policy.group_choices(include=["age"], exclude=["age"])
    assert input_policy.group_choices(include=["age"])["age"] == "include"


def bundle_with(features: list[str], groups: dict | None) -> Bundle:
    manifest = {"features": features}
    if groups is not None:
        manifest["input_policy"] = input_policy.policy_record(groups)
    return Bundle(path="models/some-version", manifest=manifest)


def test_a_bundle_with_an_excluded_input_is_refused_naming_the_feature_and_the_rule():
    with pytest.raises(
        BundleError,
        match="feature WEEKDAY_APPR_PROCESS_START uses WEEKDAY_APPR_PROCESS_START, "
        "excluded by the input policy: The weekday",
    ):
        check_input_policy(
            bundle_with(["AMT_CREDIT", "WEEKDAY_APPR_PROCESS_START"], input_policy.group_choices())
        )


def test_a_bundle_using_age_while_recording_age_excluded_is_refused():
    groups = {**input_policy.group_choices(), "age": "exclude"}
    with pytest.raises(
        BundleError,
        match="feature AGE_YEARS uses DAYS_BIRTH, in the option group 'age', which this model "
        "excludes",
    ):
        check_input_policy(bundle_with(["AMT_CREDIT", "AGE_YEARS"], groups))
    assert check_input_policy(
        bundle_with(["AMT_CREDIT", "AGE_YEARS"], {**groups, "age": "include"})
    )


def test_a_bundle_without_a_policy_record_or_with_an_unknown_input_is_refused():
    with pytest.raises(BundleError, match="records no input policy"):
        check_input_policy(bundle_with(["AMT_CREDIT"], None))
    with pytest.raises(
        BundleError, match="feature MOOD_OF_THE_CLERK uses MOOD_OF_THE_CLERK, which has no entry"
    ):
        check_input_policy(bundle_with(["MOOD_OF_THE_CLERK"], input_policy.group_choices()))


def test_the_policy_record_names_version_hash_and_group_choices():
    record = input_policy.policy_record(input_policy.group_choices())
    assert record["version"] == input_policy.policy()["version"] and len(record["sha256"]) == 64
    assert (
        set(record["groups"]) == set(input_policy.policy()["groups"])
        and record["policy"]["application_train"]
    )
