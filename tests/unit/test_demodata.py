"""The demo-data generator: Kaggle schema, linked keys, measured distributions and signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit.schema import DAYS_SENTINEL, FILES, columns_of
from training.demodata import generate_tables
from training.demodata.profile import load_profile

pytestmark = pytest.mark.unit

CLIENTS = 20_000


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_tables(CLIENTS, seed=7)


@pytest.fixture(scope="module")
def apps(tables) -> pd.DataFrame:
    return pd.concat([tables["application_train"], tables["application_test"]], ignore_index=True)


@pytest.fixture(scope="module")
def profile() -> dict:
    return load_profile()


def test_same_seed_gives_identical_frames():
    first, second = generate_tables(2_000, seed=3), generate_tables(2_000, seed=3)
    for name in FILES:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_different_seeds_give_different_frames():
    first, second = generate_tables(2_000, seed=3), generate_tables(2_000, seed=4)
    assert not first["application_train"].equals(second["application_train"])
    assert not first["installments_payments"].equals(second["installments_payments"])


def test_every_table_has_exactly_the_kaggle_columns_in_kaggle_order(tables):
    assert list(tables) == list(FILES)
    for name, frame in tables.items():
        assert list(frame.columns) == list(columns_of(name)), name
        flags = [c for c, kind in columns_of(name).items() if kind == "flag"]
        assert frame[flags].isin(["Y", "N"]).all().all(), name


def test_clients_are_unique_and_split_into_train_and_test(tables, apps):
    assert apps["SK_ID_CURR"].is_unique and apps["SK_ID_CURR"].min() == 100002
    assert len(apps) == CLIENTS
    assert len(tables["application_test"]) == round(CLIENTS * 0.25)
    assert "TARGET" not in tables["application_test"]


def test_history_keys_are_unique_and_every_child_row_links_to_its_parent(tables, apps):
    bureau, prev = tables["bureau"], tables["previous_application"]
    assert bureau["SK_ID_BUREAU"].is_unique and prev["SK_ID_PREV"].is_unique
    assert bureau["SK_ID_CURR"].isin(apps["SK_ID_CURR"]).all()
    assert prev["SK_ID_CURR"].isin(apps["SK_ID_CURR"]).all()
    assert tables["bureau_balance"]["SK_ID_BUREAU"].isin(bureau["SK_ID_BUREAU"]).all()
    owner = prev.set_index("SK_ID_PREV")["SK_ID_CURR"]
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        child = tables[name]
        assert len(child) > 0, name
        assert child["SK_ID_PREV"].isin(owner.index).all(), name
        assert (child["SK_ID_PREV"].map(owner) == child["SK_ID_CURR"]).all(), name


def test_default_rate_is_about_eight_percent(tables):
    assert 0.06 <= tables["application_train"]["TARGET"].mean() <= 0.10


def test_external_scores_predict_default(tables):
    train = tables["application_train"]
    mean_score = train[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].mean(axis=1)
    assert 1 - roc_auc_score(train["TARGET"], mean_score.fillna(mean_score.mean())) >= 0.65


@pytest.mark.parametrize("column", ["EXT_SOURCE_1", "OWN_CAR_AGE"])
def test_null_shares_follow_the_profile(apps, profile, column):
    expected = profile["tables"]["application"]["columns"][column]["null"]
    assert apps[column].isna().mean() == pytest.approx(expected, abs=0.05)


def test_days_employed_sentinel_follows_the_profile_and_marks_pensioners(apps, profile):
    sentinel = apps["DAYS_EMPLOYED"] == DAYS_SENTINEL
    assert sentinel.mean() == pytest.approx(profile["days_employed_sentinel"]["share"], abs=0.02)
    assert (apps.loc[sentinel, "NAME_INCOME_TYPE"] == "Pensioner").mean() > 0.9
    assert (apps.loc[sentinel, "ORGANIZATION_TYPE"] == "XNA").all()


def test_kaggle_codes_are_reproduced(tables, apps):
    prev = tables["previous_application"]
    assert (prev["CODE_REJECT_REASON"] == "XAP").any() and (
        prev["NAME_CASH_LOAN_PURPOSE"] == "XNA"
    ).any()
    assert (prev["DAYS_FIRST_DRAWING"] == DAYS_SENTINEL).any()
    assert (tables["bureau"]["CREDIT_CURRENCY"] == "currency 1").any()


def _share_by_target(rows: pd.DataFrame, event: pd.Series, train: pd.DataFrame) -> pd.Series:
    target = rows["SK_ID_CURR"].map(train.set_index("SK_ID_CURR")["TARGET"])
    return event.groupby(target).mean()


def test_defaulters_have_worse_histories(tables):
    train = tables["application_train"]
    inst, prev = tables["installments_payments"], tables["previous_application"]
    late = _share_by_target(inst, inst["DAYS_ENTRY_PAYMENT"] > inst["DAYS_INSTALMENT"], train)
    refused = _share_by_target(prev, prev["NAME_CONTRACT_STATUS"] == "Refused", train)
    pos = tables["POS_CASH_balance"]
    dpd = _share_by_target(pos, pos["SK_DPD"] > 0, train)
    for shares in (late, refused, dpd):
        assert shares[1] > shares[0]


def test_application_rows_are_plausible(apps):
    assert (apps["AMT_ANNUITY"].dropna() < apps["AMT_CREDIT"][apps["AMT_ANNUITY"].notna()]).all()
    goods = apps["AMT_GOODS_PRICE"].notna()
    assert (apps.loc[goods, "AMT_GOODS_PRICE"] <= apps.loc[goods, "AMT_CREDIT"] * 1.0001).all()
    assert (apps["CNT_FAM_MEMBERS"] >= apps["CNT_CHILDREN"] + 1).all()
    for column in ("DAYS_BIRTH", "DAYS_REGISTRATION", "DAYS_ID_PUBLISH", "DAYS_LAST_PHONE_CHANGE"):
        assert (apps[column] <= 0).all(), column
    employed = apps[apps["DAYS_EMPLOYED"] != DAYS_SENTINEL]
    assert (employed["DAYS_EMPLOYED"] <= 0).all()
    assert (employed["DAYS_EMPLOYED"] > employed["DAYS_BIRTH"]).all()
    assert (apps["OWN_CAR_AGE"].isna() == (apps["FLAG_OWN_CAR"] == "N")).all()


def test_history_rows_are_plausible(tables):
    prev, bureau = tables["previous_application"], tables["bureau"]
    priced = prev[(prev["AMT_CREDIT"] > 0) & prev["AMT_ANNUITY"].notna()]
    assert (priced["AMT_ANNUITY"] <= priced["AMT_CREDIT"]).all()
    assert not prev.loc[prev["AMT_CREDIT"] == 0, "AMT_ANNUITY"].notna().any()
    assert (prev["DAYS_DECISION"] < 0).all()
    ending = bureau[bureau["DAYS_CREDIT_ENDDATE"].notna()]
    assert (ending["DAYS_CREDIT_ENDDATE"] >= ending["DAYS_CREDIT"]).all()
    inst = tables["installments_payments"]
    assert (inst["DAYS_INSTALMENT"] < 0).all() and (
        inst["AMT_PAYMENT"] <= inst["AMT_INSTALMENT"]
    ).all()


def test_profile_ships_as_small_package_data():
    from importlib import resources

    data = resources.files("training.demodata").joinpath("profile.json").read_bytes()
    assert len(data) < 300_000
    assert np.isclose(load_profile()["default_rate"], 0.0807, atol=0.001)
