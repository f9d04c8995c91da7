"""The online path (one event + the client's history record) gives the batch path's vector
exactly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from credit.features import build_features, client_histories, features_online, model_matrix
from credit.features.application import PROTECTED
from tests.json_rows import json_rows

pytestmark = pytest.mark.model


def test_online_vectors_equal_batch_vectors_on_every_real_application(
    real_data_dir, real_tables, real_history, real_bundle
):
    raw = pd.concat(
        [
            pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET"),
            pd.read_csv(real_data_dir / "application_test.csv"),
        ]
    )
    events = json_rows(raw)
    clients = [e["SK_ID_CURR"] for e in events]
    histories = {
        c: json.loads(json.dumps(r)) for c, r in client_histories(real_history, clients).items()
    }
    assert len(histories) > 3000  # most real clients have some history

    online = features_online(
        events, histories, real_bundle.vocabularies, real_bundle.features, real_bundle.imputer
    )
    apps = pd.concat(
        [real_tables["application_train"].drop(columns="TARGET"), real_tables["application_test"]]
    )
    batch = model_matrix(
        build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    np.testing.assert_array_equal(online, batch)


def test_scoring_one_application_at_a_time_gives_the_same_vector(
    real_tables, real_history, real_bundle
):
    apps = real_tables["application_test"].head(20)
    batch = model_matrix(
        build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    for i, event in enumerate(json_rows(apps)):
        client = event["SK_ID_CURR"]
        histories = client_histories(real_history, [client])
        online = features_online(
            [event], histories, real_bundle.vocabularies, real_bundle.features, real_bundle.imputer
        )
        np.testing.assert_array_equal(online[0], batch[i])


def test_gender_changes_nothing_in_the_model_input(real_tables, real_history, real_bundle):
    apps = real_tables["application_train"].head(200)
    swapped = apps.assign(CODE_GENDER=apps["CODE_GENDER"].map({"F": "M", "M": "F"}))
    before = model_matrix(
        build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    after = model_matrix(
        build_features(swapped, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    np.testing.assert_array_equal(before, after)
    assert not set(PROTECTED) & set(real_bundle.features)


def test_kaggle_employment_sentinel_is_a_pension_or_no_employment_declared_on_real_rows(
    real_tables, real_history, real_bundle
):
    apps = real_tables["application_train"].drop(columns="TARGET")
    sentinel = (apps["DAYS_EMPLOYED"] == 365243).to_numpy()
    pensioner = (apps["NAME_INCOME_TYPE"] == "Pensioner").to_numpy()
    frame = build_features(apps, real_history, real_bundle.vocabularies, real_bundle.imputer)
    assert sentinel.sum() > 500 and frame["DAYS_EMPLOYED"][sentinel].isna().all()
    np.testing.assert_array_equal(
        frame["EMPLOYMENT_PENSIONER"], (sentinel & pensioner).astype(float)
    )
    np.testing.assert_array_equal(
        frame["EMPLOYMENT_NONE_DECLARED"], (sentinel & ~pensioner).astype(float)
    )
    # Real pensioners whose income type said otherwise: no employment declared, online as in batch.
    events = [
        event | {"NAME_INCOME_TYPE": "Unemployed"} for event in json_rows(apps[sentinel].head(20))
    ]
    names = ["EMPLOYMENT_PENSIONER", "EMPLOYMENT_NONE_DECLARED", "DAYS_EMPLOYED"]
    online = features_online(events, {}, real_bundle.vocabularies, names)
    assert (online[:, 0] == 0).all() and (online[:, 1] == 1).all() and np.isnan(online[:, 2]).all()
