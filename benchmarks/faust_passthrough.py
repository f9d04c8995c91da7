"""The reference for Faust's own per-event path: an agent that reads micro-batches with
`take_events` and sends each event on with `Topic.send`, doing no work.

    python benchmarks/faust_passthrough.py worker -l warn
(env: PASS_BOOTSTRAP, PASS_IN, PASS_OUT, PASS_DATADIR; run by benchmarks/event_path.py)
"""

from __future__ import annotations

import os

import faust

app = faust.App(
    "faust-passthrough",
    broker=f"kafka://{os.environ['PASS_BOOTSTRAP']}",
    datadir=os.environ["PASS_DATADIR"],
    store="memory://",
    key_serializer="raw",
    value_serializer="raw",
    producer_acks=-1,
    web_enabled=False,
)
source = app.topic(os.environ["PASS_IN"], key_type=bytes, value_type=bytes)
sink = app.topic(os.environ["PASS_OUT"], key_type=bytes, value_type=bytes)


@app.agent(source)
async def passthrough(stream):
    async for events in stream.take_events(500, within=0.02):
        for event in events:
            await sink.send(key=event.key, value=event.value)


if __name__ == "__main__":
    app.main()
