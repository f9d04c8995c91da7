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


class FakeBatch:
    """aiokafka's BatchBuilder: holds at most `room` records."""

    def __init__(self, room: int):
        self.room, self.records = room, []

    def append(self, key, value, timestamp):
        if len(self.records) == self.room:
            return None
        self.records.append((key, value))
        return object()


class FakeAIOKafkaProducer:
    """aiokafka's producer in memory: `batches` holds (topic, partition, records);
    `unacknowledged`: the error every batch's acknowledgement fails with; `silent`: batches are
    never acknowledged."""

    def __init__(self, room=4, unacknowledged=None, silent=False):
        self.room, self.unacknowledged, self.silent = room, unacknowledged, silent
        self.batches, self.started, self.stopped = [], False, False

    async def start(self):
        self.started = True

    async def stop(self):
        self.stopped = True

    async def partitions_for(self, topic):
        return {2, 0, 1}

    def create_batch(self):
        return FakeBatch(self.room)

    async def send_batch(self, batch, topic, *, partition):
        import asyncio

        self.batches.append((topic, partition, batch.records))
        acknowledged = asyncio.get_running_loop().create_future()
        if self.unacknowledged:
            acknowledged.set_exception(self.unacknowledged)
        elif not self.silent:
            acknowledged.set_result(None)
        return acknowledged


def batch_publisher(*producers, timeout_s=5.0):
    made = list(producers)
    publisher = KafkaPublisher(
        IngestSettings(api_keys="k" * 24, acks_timeout_s=timeout_s),
        producers=FakeProducers(),
        batch_producers=lambda: made.pop(0) if made else FakeAIOKafkaProducer(),
    )
    return publisher


def events_and_values(n):
    events = [ApplicationReceived(SK_ID_CURR=100_000 + i) for i in range(n)]
    return events, [e.to_bytes() for e in events]


def test_serialised_events_go_in_whole_batches_to_each_key_s_default_partition():
    from aiokafka.partitioner import DefaultPartitioner

    producer = FakeAIOKafkaProducer(room=4)
    publisher = batch_publisher(producer)
    events, values = events_and_values(30)
    try:
        publisher.publish_all(events, values=values)
    finally:
        publisher.close()
    by_partition = {}
    for topic, partition, records in producer.batches:
        assert topic == "loan-applications" and 0 < len(records) <= 4
        by_partition.setdefault(partition, []).extend(records)
    expected = {}
    for event, value in zip(events, values):
        partition = DefaultPartitioner()(event.key, [0, 1, 2], [0, 1, 2])
        expected.setdefault(partition, []).append((event.key, value))
    assert by_partition == expected  # every record once, in order within its partition
    assert len(expected) == 3 and producer.stopped  # closed with the publisher


def test_an_unacknowledged_batch_is_unavailable_and_the_next_publish_opens_a_fresh_producer():
    from aiokafka.errors import KafkaTimeoutError as BatchTimeout

    failing, fresh = FakeAIOKafkaProducer(unacknowledged=BatchTimeout()), FakeAIOKafkaProducer()
    publisher = batch_publisher(failing, fresh)
    events, values = events_and_values(3)
    try:
        with pytest.raises(BrokerUnavailable, match="did not acknowledge"):
            publisher.publish_all(events, values=values)
        publisher.publish_all(events, values=values)
    finally:
        publisher.close()
    assert failing.stopped
    assert sum(len(records) for _, _, records in fresh.batches) == 3


def test_a_broker_that_does_not_acknowledge_in_time_is_unavailable():
    silent, fresh = FakeAIOKafkaProducer(silent=True), FakeAIOKafkaProducer()
    publisher = batch_publisher(silent, fresh, timeout_s=0.2)
    events, values = events_and_values(2)
    try:
        with pytest.raises(BrokerUnavailable, match="within 0.2 s"):
            publisher.publish_all(events, values=values)
        publisher.publish_all(events, values=values)
    finally:
        publisher.close()
    assert silent.stopped and fresh.batches  # the silent producer was dropped, not reused
