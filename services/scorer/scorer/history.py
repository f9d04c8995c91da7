"""The client-history lookup: every client's latest record, read from the compacted topic itself.

The topic is the table: it is read from its beginning at start-up and followed afterwards, with
no consumer group and no changelog to recover. Scoring waits until the start-up read is done,
so no application is scored before its client's history is known.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from credit.topics import CLIENT_HISTORY


class HistoryCache:
    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self.records: dict[bytes, bytes] = {}
        self.ready = asyncio.Event()

    def get(self, key: bytes) -> bytes | None:
        return self.records.get(key)

    async def follow(self) -> None:
        """Read the topic to its current end (then `ready` is set) and keep following it."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [
                TopicPartition(CLIENT_HISTORY, p)
                for p in await asyncio.to_thread(self._partition_ids)
            ]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            while True:
                for messages in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                    for message in messages:
                        self._apply(message.key, message.value)
                if not self.ready.is_set() and all(
                    [await consumer.position(tp) >= ends[tp] for tp in partitions]
                ):
                    self.ready.set()
        finally:
            await consumer.stop()

    def _partition_ids(self) -> list[int]:
        """The topic's partitions (kafka-python fetches the metadata on demand, aiokafka does
        not)."""
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        try:
            return sorted(consumer.partitions_for_topic(CLIENT_HISTORY) or ())
        finally:
            consumer.close()

    def _apply(self, key: bytes, value: bytes | None) -> None:
        if value is None:  # a tombstone: the client's history was deleted
            self.records.pop(key, None)
        else:
            self.records[key] = value
