"""End to end on a real broker: applications posted to the ingest API come back as decisions.

The `stack` fixture (conftest) runs the real processes against a bundle trained on the real
sample, with its client history loaded into the client-history topic.
"""

from __future__ import annotations

import json

import httpx
import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from kafka import KafkaProducer

from credit.calibration import calibrate
from credit.events import ApplicationScored, DeadLettered
from credit.features import build_features, model_matrix
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS
from tests.integration.stack import API_KEY, post_in_batches, read_topic
from tests.json_rows import json_rows

pytestmark = pytest.mark.integration


def test_a_thousand_real_applications_get_a_thousand_decisions_equal_to_the_offline_bundle(
    stack, kafka_broker, real_bundle, real_data_dir, real_tables, real_history
):
    raw = pd.read_csv(real_data_dir / "application_train.csv").drop(columns="TARGET").head(1000)
    rows = json_rows(raw)
    ids = post_in_batches(stack.url, rows)
    assert len(set(ids)) == 1000

    decisions = read_topic(
        kafka_broker.bootstrap,
        LOAN_DECISIONS,
        lambda events: {e.application_id for e in events} >= set(ids),
        180,
        ApplicationScored.from_bytes,
    )
    by_id = {d.application_id: d for d in decisions if d.application_id in set(ids)}
    assert len(by_id) == 1000

    offline_rows = real_tables["application_train"].head(1000)
    x = model_matrix(
        build_features(offline_rows, real_history, real_bundle.vocabularies, real_bundle.imputer),
        real_bundle.features,
    )
    native = lgb.Booster(model_file=str(real_bundle.file("lightgbm")))
    offline = calibrate(native.predict(x, raw_score=True), real_bundle.calibrator)
    online = np.array([by_id[i].probability_of_default for i in ids])
    assert np.abs(online - offline).max() <= 1e-6
    assert [by_id[i].client_id for i in ids] == offline_rows["SK_ID_CURR"].tolist()
    with_history = offline_rows["SK_ID_CURR"].isin(real_history.index).sum()
    assert with_history > 300  # client history really took part


def test_poison_messages_on_the_topic_are_dead_lettered_and_nothing_is_lost(stack, kafka_broker):
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    poison = [
        b"",
        b"\xff\xfe\x00",
        b"not json",
        b"[]",
        b'{"SK_ID_CURR": "abc"}',
        b'{"SK_ID_CURR": 7, "AMT_CREDIT": -1}',
        b'{"SK_ID_CURR": 7, "EXT_SOURCE_2": 3.5}',
        b'{"SK_ID_CURR": 7, "NAME_CONTRACT_TYPE": "Leasing"}',
        b'{"AMT_CREDIT": 1000}',
        b'{"SK_ID_CURR": 7, "DAYS_BIRTH": 5}',
        b'{"SK_ID_CURR": 7, "unknown_field": 1}',
        b'{"SK_ID_CURR": 7, "CNT_CHILDREN": -2}',
        b'{"SK_ID_CURR": 7, "FLAG_OWN_CAR": "maybe"}',
        b'{"SK_ID_CURR": 7, "AMT_INCOME_TOTAL": "NaN"}',
        b'{"SK_ID_CURR": 7, "HOUR_APPR_PROCESS_START": 25}',
    ]
    good = [
        json.dumps(
            {
                "SK_ID_CURR": 100002 + i,
                "AMT_CREDIT": 100000.0 + i,
                "application_id": f"poison-run-{i}",
            }
        ).encode()
        for i in range(5)
    ]
    for i, value in enumerate(poison + good):
        producer.send(LOAN_APPLICATIONS, key=f"k{i}".encode(), value=value)
    producer.flush()
    producer.close()

    letters = read_topic(
        kafka_broker.bootstrap,
        APPLICATIONS_DLQ,
        lambda e: len(e) >= len(poison),
        120,
        DeadLettered.from_bytes,
    )
    assert len(letters) == len(poison) and all(letter.reason for letter in letters)
    decisions = read_topic(
        kafka_broker.bootstrap,
        LOAN_DECISIONS,
        lambda e: {d.application_id for d in e} >= {f"poison-run-{i}" for i in range(5)},
        120,
        ApplicationScored.from_bytes,
    )
    assert (
        len({d.application_id for d in decisions if d.application_id.startswith("poison-run-")})
        == 5
    )


def test_through_the_api_bad_input_is_refused_whole_and_accepted_equals_decided(
    stack, kafka_broker
):
    def send(body, **headers):
        headers = {"X-API-Key": API_KEY, "content-type": "application/json", **headers}
        return httpx.post(f"{stack.url}/v1/applications", content=body, headers=headers, timeout=30)

    good = {"SK_ID_CURR": 999_001, "AMT_CREDIT": 50_000.0}  # a client seen in no other test
    refused = {
        "wrong type": (json.dumps({**good, "AMT_CREDIT": "lots"}), {}, 422),
        "negative amount": (json.dumps({**good, "AMT_ANNUITY": -1}), {}, 422),
        "unknown category": (json.dumps({**good, "NAME_FAMILY_STATUS": "Complicated"}), {}, 422),
        "missing id": (json.dumps({"AMT_CREDIT": 1.0}), {}, 422),
        "one bad item in a batch": (json.dumps([good, {**good, "EXT_SOURCE_1": 2}]), {}, 422),
        "not JSON": ("SK_ID_CURR=1", {"content-type": "text/plain"}, 415),
        "no key": (json.dumps(good), {"X-API-Key": ""}, 401),
        "wrong key": (json.dumps(good), {"X-API-Key": "guess"}, 401),
    }
    for kind, (body, headers, status) in refused.items():
        assert send(body, **headers).status_code == status, kind
    accepted = [
        i for _ in range(3) for i in send(json.dumps([good, good])).json()["application_ids"]
    ]

    decisions = read_topic(
        kafka_broker.bootstrap,
        LOAN_DECISIONS,
        lambda e: {d.application_id for d in e} >= set(accepted),
        120,
        ApplicationScored.from_bytes,
    )
    decided = {d.application_id for d in decisions if d.client_id == 999_001}
    assert decided == set(accepted)  # the refused requests published nothing
