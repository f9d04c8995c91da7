"""End to end on a real broker: every decision gets its explanation, from the decision's own
model."""

from __future__ import annotations

import base64
import json

import pandas as pd
import pytest
from kafka import KafkaProducer

from credit.events import ApplicationExplained, ApplicationScored, DeadLettered, now
from credit.explain.explanation import ADDS_UP, adds_up
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from tests.integration.stack import post_in_batches, read_topic
from tests.json_rows import json_rows

pytestmark = pytest.mark.integration


def test_n_applications_in_give_n_decisions_and_n_matching_explanations(
    stack, kafka_broker, real_data_dir
):
    rows = json_rows(pd.read_csv(real_data_dir / "application_test.csv").head(600))
    ids = post_in_batches(stack.url, rows)
    assert len(set(ids)) == len(rows)

    decisions = read_topic(
        kafka_broker.bootstrap,
        LOAN_DECISIONS,
        lambda e: {d.application_id for d in e} >= set(ids),
        180,
        ApplicationScored.from_bytes,
    )
    explanations = read_topic(
        kafka_broker.bootstrap,
        LOAN_EXPLANATIONS,
        lambda e: {x.application_id for x in e} >= set(ids),
        180,
        ApplicationExplained.from_bytes,
    )
    decided = {d.application_id: d for d in decisions if d.application_id in set(ids)}
    explained = {x.application_id: x for x in explanations if x.application_id in set(ids)}
    assert set(decided) == set(explained) == set(ids)
    for i in ids:
        decision, explanation = decided[i], explained[i]
        assert explanation.model_version == decision.model_version
        assert explanation.probability_of_default == decision.probability_of_default
        assert (
            explanation.decision == decision.decision
            and explanation.client_id == decision.client_id
        )
        assert adds_up(explanation) <= ADDS_UP
    assert all(x.reasons and x.summary["fr"] and x.summary["en"] for x in explained.values())
    assert {x.decision for x in explained.values()} == {"granted", "refused"}


def test_a_decision_from_an_unknown_model_version_is_dead_lettered_not_explained(
    stack, kafka_broker, real_bundle
):
    stranger = ApplicationScored(
        application_id="unknown-version-1",
        client_id=123,
        probability_of_default=0.2,
        decision="refused",
        threshold=0.1,
        model_version="19990101-000000-deadbeef",
        decided_at=now(),
        submitted_at=now(),
        timings_ms={},
        features=[0.0] * len(real_bundle.features),
    )
    poison = [
        stranger.to_bytes(),
        b"not json",
        json.dumps({"application_id": "half-a-decision"}).encode(),
    ]
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    for value in poison:
        producer.send(LOAN_DECISIONS, key=b"123", value=value)
    producer.flush()
    producer.close()

    letters = read_topic(
        kafka_broker.bootstrap,
        DECISIONS_DLQ,
        lambda e: {base64.b64decode(x.original) for x in e} >= set(poison),
        120,
        DeadLettered.from_bytes,
    )
    reasons = {base64.b64decode(x.original): x.reason for x in letters}
    assert (
        "19990101-000000-deadbeef" in reasons[stranger.to_bytes()]
        and "not in" in reasons[stranger.to_bytes()]
    )
    assert all(reasons[p] for p in poison)
    assert {x.service for x in letters} == {"explainer"}
    explained = read_topic(
        kafka_broker.bootstrap,
        LOAN_EXPLANATIONS,
        lambda e: True,
        10,
        ApplicationExplained.from_bytes,
    )
    assert "unknown-version-1" not in {x.application_id for x in explained}
