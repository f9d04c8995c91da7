"""The batched hot path's at-least-once rules, over a fake consumer (no broker)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError

from adapters.batched_topic import BatchedTopic, _WaitForBatch
from adapters.settings import WorkerSettings
from credit.monitoring import Meter
from tests.fakes import FakeBatchConsumer, acknowledgement

pytestmark = pytest.mark.unit
TOPIC = "hot"


def batched(handle, consumer) -> BatchedTopic:
    settings = WorkerSettings(data_dir="unused", web_port=1, metrics_port=0)
    return BatchedTopic(TOPIC, "group", settings, Meter("test", "test"), handle, consumer=consumer)


def test_a_batch_is_committed_only_after_every_acknowledgement_it_awaits():
    events, consumer = [], FakeBatchConsumer(TOPIC, [(b"1", b"a"), (b"2", b"b")])
    real_commit = consumer.commit

    async def commit(offsets):
        events.append("commit")
        await real_commit(offsets)

    consumer.commit = commit

    async def handle(messages):
        async def ack(message):
            await asyncio.sleep(0.01 * (2 - message.offset))  # the later one answers first
            events.append(f"ack {message.offset}")

        await asyncio.gather(*(ack(m) for m in messages))

    assert asyncio.run(batched(handle, consumer).step()) == 2
    assert events == ["ack 1", "ack 0", "commit"]
    assert consumer.commits == [{(TOPIC, 0): 2}]


def test_a_rebalance_waits_for_the_batch_in_hand_and_its_commit():
    consumer, release, order = FakeBatchConsumer(TOPIC, [(b"1", b"a")]), None, []

    async def handle(messages):
        await release.wait()
        order.append("handled")

    async def scenario():
        nonlocal release
        release = asyncio.Event()
        topic = batched(handle, consumer)
        step = asyncio.create_task(topic.step())
        await asyncio.sleep(0.01)  # the batch is in hand
        revoke = asyncio.create_task(_WaitForBatch(topic).on_partitions_revoked(set()))
        await asyncio.sleep(0.01)
        assert not revoke.done()
        release.set()
        await step
        await revoke
        order.append("revoked after " + str(consumer.commits))

    asyncio.run(scenario())
    assert order == ["handled", "revoked after [{('hot', 0): 1}]"]


def test_an_error_outside_any_message_stops_the_worker_without_a_commit():
    from adapters.batched_topic import EXIT_UNPUBLISHED

    consumer, exits = FakeBatchConsumer(TOPIC, [(b"1", b"a")]), []

    async def handle(messages):
        raise RuntimeError("the dead letter topic refused the write")

    topic = batched(handle, consumer)
    topic.exit = exits.append
    with pytest.raises(RuntimeError):
        asyncio.run(topic.step())
    assert exits == [EXIT_UNPUBLISHED] and consumer.commits == []


def test_a_report_the_broker_cannot_take_is_logged_and_the_worker_goes_on(tmp_path, caplog):
    """A broker restart made the metrics timer raise, and a timer that raises stops the worker."""
    from adapters.faust_worker import Worker

    async def unavailable(topic, key, value):
        raise KafkaConnectionError("broker away")

    async def unacknowledged(topic, key, value):
        return acknowledgement(KafkaConnectionError("broker away"))

    async def scenario(send):
        settings = WorkerSettings(data_dir=tmp_path, web_port=1, metrics_port=0)
        worker = Worker("test", settings, Meter("test", "test"), send)
        topic = batched(None, FakeBatchConsumer(TOPIC))
        await worker.report(topic)
        await asyncio.sleep(0.01)  # the acknowledgement fails after the report was handed over

    for send in (unavailable, unacknowledged):
        caplog.clear()
        asyncio.run(scenario(send))
        assert "a report was not published: KafkaConnectionError" in caplog.text


def test_closing_waits_for_the_batch_in_hand_then_reads_nothing_and_leaves_the_group():
    """A SIGTERM stopped the producer while a batch was in hand: a healthy application was
    dead-lettered as unpublishable and the worker exited 70 without leaving its group."""
    consumer, release, order = FakeBatchConsumer(TOPIC, [(b"1", b"a")], [(b"2", b"b")]), None, []

    async def handle(messages):
        await release.wait()
        order.append(f"handled {messages[0].offset}")

    async def scenario():
        nonlocal release
        release = asyncio.Event()
        topic = batched(handle, consumer)
        step = asyncio.create_task(topic.step())
        await asyncio.sleep(0.01)
        close = asyncio.create_task(topic.close())
        await asyncio.sleep(0.01)
        assert not close.done() and not consumer.stopped
        release.set()
        await step
        await close
        order.append(f"closed after {consumer.commits}")
        assert await topic.step() == 0  # the second batch is left to the next owner

    asyncio.run(scenario())
    assert order == ["handled 0", "closed after [{('hot', 0): 1}]"] and consumer.stopped


def test_a_stopped_producer_refuses_to_send_rather_than_reconnect(tmp_path):
    from aiokafka.errors import ProducerClosed

    from adapters.batched_topic import KafkaSend

    send = KafkaSend(WorkerSettings(data_dir=tmp_path, web_port=1, metrics_port=0), "test")

    async def scenario():
        await send.stop()
        await send("topic", b"k", b"v")

    with pytest.raises(ProducerClosed):
        asyncio.run(scenario())


def test_the_lag_counts_from_what_the_group_committed_not_from_this_member_alone():
    """A restarted worker reported the whole topic as lag until new messages arrived."""
    consumer = FakeBatchConsumer(TOPIC, [(b"1", b"a")] * 600)
    consumer.group_committed = 600  # drained before the restart
    topic = batched(None, consumer)
    asyncio.run(_WaitForBatch(topic).on_partitions_assigned({next(iter(consumer.assignment()))}))
    assert topic.lag() == 0
