"""Feature engineering on hand-made rows whose right answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.features import aggregate_history, features_online, fit_vocabularies
from credit.features.application import application_features, raw_inputs
from credit.features.bureau import bureau_features
from credit.features.installments import installment_features
from credit.features.previous import estimated_annual_rate
from credit.schema import DataError
from credit.tables import coerce
from tests.unit.tiny_tables import tiny_table

pytestmark = pytest.mark.unit


def applications(**changes) -> pd.DataFrame:
    frame = tiny_table("application_test", rows=max([2, *(len(v) for v in changes.values())]))
    for column, values in changes.items():
        frame[column] = values
    return coerce(frame, "application_test")


def test_gender_is_never_a_model_input():
    assert "CODE_GENDER" not in raw_inputs()
    assert "CODE_GENDER" not in application_features(
        applications(), fit_vocabularies(applications())
    )


def test_days_employed_sentinel_is_a_pension_if_income_type_says_so_else_no_employment_declared():
    apps = applications(
        DAYS_EMPLOYED=[365243, 365243, -1000],
        NAME_INCOME_TYPE=["Pensioner", "Unemployed", "Pensioner"],
    )
    features = application_features(apps, fit_vocabularies(apps))
    assert features["EMPLOYMENT_PENSIONER"].tolist() == [1.0, 0.0, 0.0]
    assert features["EMPLOYMENT_NONE_DECLARED"].tolist() == [0.0, 1.0, 0.0]
    assert np.isnan(features["DAYS_EMPLOYED"][:2]).all() and features["DAYS_EMPLOYED"][2] == -1000
    assert np.isnan(features["EMPLOYED_YEARS"][0])
    assert "DAYS_EMPLOYED_ANOM" not in features


def test_ratios_of_zero_or_missing_denominators_are_missing_not_infinite():
    apps = applications(
        AMT_INCOME_TOTAL=[0.0, 50_000.0],
        AMT_CREDIT=[100_000.0, 100_000.0],
        AMT_ANNUITY=[None, 5_000.0],
    )
    features = application_features(apps, fit_vocabularies(apps))
    assert (
        np.isnan(features["CREDIT_INCOME_RATIO"][0]) and features["CREDIT_INCOME_RATIO"][1] == 2.0
    )
    assert np.isnan(features["CREDIT_TERM_MONTHS"][0]) and features["CREDIT_TERM_MONTHS"][1] == 20.0


def test_unseen_category_value_is_missing():
    apps = applications(NAME_INCOME_TYPE=["Working", "Pensioner"])
    features = application_features(
        apps, {**fit_vocabularies(apps), "NAME_INCOME_TYPE": ["Working"]}
    )
    assert features["NAME_INCOME_TYPE"][0] == 0.0 and np.isnan(features["NAME_INCOME_TYPE"][1])


def test_estimated_rate_recovers_a_known_annuity():
    monthly, months, credit = 0.01, 24, 100_000.0
    annuity = credit * monthly / (1 - (1 + monthly) ** -months)
    rate = estimated_annual_rate(
        pd.Series([credit, credit]), pd.Series([annuity, 0.0]), pd.Series([months, months])
    )
    assert rate.iloc[0] == pytest.approx((1 + monthly) ** 12 - 1, abs=1e-9)
    assert np.isnan(rate.iloc[1])  # no annuity: no rate


def test_split_payments_count_as_one_instalment_late_if_finished_late():
    payments = pd.DataFrame(
        {
            "SK_ID_PREV": [1, 1, 1],
            "SK_ID_CURR": [7, 7, 7],
            "NUM_INSTALMENT_VERSION": [1.0, 1.0, 1.0],
            "NUM_INSTALMENT_NUMBER": [1, 1, 2],
            "DAYS_INSTALMENT": [-100.0, -100.0, -70.0],
            "DAYS_ENTRY_PAYMENT": [-105.0, -95.0, -75.0],
            "AMT_INSTALMENT": [1000.0, 1000.0, 1000.0],
            "AMT_PAYMENT": [600.0, 400.0, 900.0],
        }
    )
    row = installment_features(payments).loc[7]
    assert row["INST_COUNT"] == 2 and row["INST_LATE_COUNT"] == 1 and row["INST_DAYS_LATE_MAX"] == 5
    assert row["INST_UNDERPAID_SHARE"] == 0.5 and row["INST_UNPAID_AMOUNT_SUM"] == 100.0
    assert row["INST_RECENT_LATE_COUNT"] == 1


def test_bureau_balance_statuses_give_late_share_and_worst_band():
    bureau = coerce(
        tiny_table("bureau", rows=2).assign(SK_ID_CURR=[5, 5], CREDIT_ACTIVE=["Active", "Closed"]),
        "bureau",
    )
    balance = pd.DataFrame(
        {
            "SK_ID_BUREAU": [100001] * 4,
            "MONTHS_BALANCE": [-4, -3, -2, -1],
            "STATUS": ["0", "2", "C", "X"],
        }
    )
    row = bureau_features(bureau, balance).loc[5]
    assert row["BUREAU_LOAN_COUNT"] == 2 and row["BUREAU_ACTIVE_COUNT"] == 1
    assert row["BUREAU_STATUS_LATE_SHARE"] == 0.25 and row["BUREAU_STATUS_WORST"] == 2


def test_client_without_history_is_scored_with_missing_history_features():
    tables = {
        stem: coerce(tiny_table(stem), stem)
        for stem in (
            "bureau",
            "bureau_balance",
            "previous_application",
            "POS_CASH_balance",
            "installments_payments",
            "credit_card_balance",
        )
    }
    history = aggregate_history(tables)
    event = tiny_table("application_test", rows=1).assign(SK_ID_CURR=999_999).iloc[0].to_dict()
    apps = coerce(pd.DataFrame([event]), "application_test")
    features = list(application_features(apps, fit_vocabularies(apps))) + list(history.columns)
    row = dict(zip(features, features_online([event], {}, fit_vocabularies(apps), features)[0]))
    assert all(np.isnan(row[f]) for f in history.columns)
    assert row["AMT_CREDIT"] == 1.5


def test_bad_event_value_names_the_field():
    event = tiny_table("application_test", rows=1).iloc[0].to_dict() | {"AMT_CREDIT": "a lot"}
    with pytest.raises(
        DataError, match=r"application event, column AMT_CREDIT: non-numeric value 'a lot'"
    ):
        features_online([event], {}, fit_vocabularies(applications()), ["AMT_CREDIT"])


def test_event_flags_accept_booleans_and_kaggle_letters_alike():
    letters = tiny_table("application_test", rows=1).iloc[0].to_dict() | {
        "FLAG_OWN_CAR": "Y",
        "NAME_TYPE_SUITE": "XNA",
    }
    booleans = letters | {"FLAG_OWN_CAR": True, "NAME_TYPE_SUITE": None}
    vocabularies = fit_vocabularies(applications())
    names = ["FLAG_OWN_CAR", "NAME_TYPE_SUITE"]
    np.testing.assert_array_equal(
        features_online([letters], {}, vocabularies, names),
        features_online([booleans], {}, vocabularies, names),
    )


def test_event_columns_are_the_events_values_whether_or_not_every_column_is_there():
    from credit.schema import columns_of
    from credit.values import event_columns

    columns = list(columns_of("application_test"))
    whole = [{c: float(i) for i, c in enumerate(columns)} | {"application_id": "a"}] * 3
    partial = [{"SK_ID_CURR": 7, "AMT_CREDIT": 1.5}, whole[0]]
    for events in (whole, partial, []):
        assert event_columns(events) == {c: [e.get(c) for e in events] for c in columns}
