"""Security on the running stack: the ingest API refuses callers without a valid key, and no
service's log holds an applicant's data (only ids), whatever path the data took: accepted,
refused by the API, or dead-lettered from the topic."""

from __future__ import annotations

import re

import httpx
import pytest
from kafka import KafkaProducer

from credit.events import ApplicationExplained, DeadLettered
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_EXPLANATIONS
from tests.integration.stack import API_KEY, post, read_topic, topic_size

pytestmark = pytest.mark.integration
# Values no other test uses, so finding one in a log can only mean this test's applicant data
# leaked.
INCOME, BIRTH, BAD_CREDIT, EMPLOYER = 271_828.18, -14_159, -31_415.9, "Security Ministry"
# What log lines hold besides data, and may read like those values: application ids, process ids,
# ports.
NOT_DATA = re.compile(
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|\[\d+\]|(?:\d{1,3}\.){3}\d{1,3}:\d+"
)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "not-the-key"},
        {"X-API-Key": API_KEY[:-1]},
        {"Authorization": f"Bearer {API_KEY}"},
    ],
)
def test_the_running_api_refuses_a_caller_without_a_valid_key_and_publishes_nothing(
    stack, kafka_broker, headers
):
    before = topic_size(kafka_broker.bootstrap, LOAN_APPLICATIONS)
    response = httpx.post(
        f"{stack.url}/v1/applications",
        json={"SK_ID_CURR": 100002, "AMT_CREDIT": 1.0},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    # The API answers only once the broker has what it accepted: nothing more arrived, nothing was
    # published.
    assert topic_size(kafka_broker.bootstrap, LOAN_APPLICATIONS) == before


def test_no_service_log_holds_applicant_data_whatever_path_the_data_took(stack, kafka_broker):
    accepted = post(
        stack.url,
        [
            {
                "SK_ID_CURR": 100002,
                "AMT_INCOME_TOTAL": INCOME,
                "DAYS_BIRTH": BIRTH,
                "AMT_CREDIT": 250_000.0,
            }
        ],
    )
    refused = httpx.post(
        f"{stack.url}/v1/applications",
        json={"SK_ID_CURR": 100002, "AMT_CREDIT": BAD_CREDIT, "ORGANIZATION_TYPE": EMPLOYER},
        headers={"X-API-Key": API_KEY},
        timeout=10,
    )
    assert refused.status_code == 422
    poison = (
        f'{{"SK_ID_CURR": 100002, "AMT_INCOME_TOTAL": {INCOME}, "AMT_CREDIT": {BAD_CREDIT}}}'
    ).encode()
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    position = producer.send(LOAN_APPLICATIONS, value=poison).get(timeout=30)
    producer.close()

    read_topic(
        kafka_broker.bootstrap,
        LOAN_EXPLANATIONS,
        lambda e: accepted[0] in {x.application_id for x in e},
        120,
        ApplicationExplained.from_bytes,
    )
    read_topic(
        kafka_broker.bootstrap,
        APPLICATIONS_DLQ,
        lambda e: any(
            (x.source_partition, x.source_offset) == (position.partition, position.offset)
            for x in e
        ),
        120,
        DeadLettered.from_bytes,
    )
    for service in stack.services.values():
        logged = NOT_DATA.sub(" ", service.log.read_text(errors="replace"))
        leaks = [
            v for v in ("271828", "271 828", "14159", "31415", "31 415", EMPLOYER) if v in logged
        ]
        assert not leaks, f"{service.name}'s log holds applicant data: {leaks}"
    assert (
        accepted[0] in stack.services["ingest"].log.read_text()
    )  # ids are logged: the log is not simply empty
