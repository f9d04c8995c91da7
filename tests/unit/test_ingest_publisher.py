"""The ingest publisher recovers from a failed producer instead of answering 503 for good."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaTimeoutError

from credit.events import ApplicationReceived
from ingest.publisher import BrokerUnavailable, KafkaPublisher
from ingest.settings import IngestSettings
from tests.fakes import FakeKafkaProducer, FakeProducers

pytestmark = pytest.mark.unit


def test_a_failed_producer_is_replaced_on_the_next_publish():
    # fails every send (as an idempotent producer can after a broker restart)
    producers = [FakeKafkaProducer(refuse=KafkaTimeoutError("fenced")), FakeKafkaProducer()]
    publisher = KafkaPublisher(
        IngestSettings(api_keys="k" * 24), producers=FakeProducers(*producers)
    )
    event = ApplicationReceived(SK_ID_CURR=100002)
    with pytest.raises(BrokerUnavailable, match="did not acknowledge"):
        publisher.publish_all([event])
    assert producers[0].closed
    publisher.publish_all([event])  # a fresh producer, not the failed one
    assert [(topic, key) for topic, key, _ in producers[1].sent] == [
        ("loan-applications", b"100002")
    ]
