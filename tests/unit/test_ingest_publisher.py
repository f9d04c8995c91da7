"""The ingest publisher recovers from a failed producer instead of answering 503 for good."""
from __future__ import annotations

import pytest
from kafka.errors import KafkaTimeoutError

from credit.events import ApplicationReceived
from ingest import publisher as module
from ingest.publisher import BrokerUnavailable, KafkaPublisher
from ingest.settings import IngestSettings

pytestmark = pytest.mark.unit


class FakeProducer:
    """Fails every send once `broken` (as an idempotent producer can after a broker restart)."""

    def __init__(self, broken: bool):
        self.broken, self.sent, self.closed = broken, [], False

    def send(self, topic, key, value):
        if self.broken:
            raise KafkaTimeoutError("fenced")
        self.sent.append((topic, key))
        return self

    def get(self, timeout):
        return None

    def flush(self, timeout):
        pass

    def close(self, timeout):
        self.closed = True


def test_a_failed_producer_is_replaced_on_the_next_publish(monkeypatch):
    producers = [FakeProducer(broken=True), FakeProducer(broken=False)]
    made = iter(producers)
    monkeypatch.setattr(module, "_new_producer", lambda settings: next(made))
    publisher = KafkaPublisher(IngestSettings(api_keys="k" * 24))
    event = ApplicationReceived(SK_ID_CURR=100002)
    with pytest.raises(BrokerUnavailable, match="did not acknowledge"):
        publisher.publish_all([event])
    assert producers[0].closed
    publisher.publish_all([event])  # a fresh producer, not the failed one
    assert producers[1].sent == [("loan-applications", b"100002")]
