"""A tiny faust-streaming app for the broker tests: echoes a topic and counts keys in a table.

    python echo_app.py worker --without-web

(env: ECHO_BOOTSTRAP, ECHO_APP_ID, ECHO_IN, ECHO_OUT, ECHO_DATADIR, ECHO_GUARANTEE)

The table gives the app an internal changelog topic, which faust creates on the broker itself
(auto topic creation is off), so a running worker proves faust works with this Kafka version.
"""

from __future__ import annotations

import os

import faust


def build_app() -> faust.App:
    app = faust.App(
        os.environ["ECHO_APP_ID"],
        broker=f"kafka://{os.environ['ECHO_BOOTSTRAP']}",
        datadir=os.environ["ECHO_DATADIR"],
        store="memory://",
        topic_partitions=3,
        topic_replication_factor=1,
        web_enabled=False,
        processing_guarantee=os.environ.get("ECHO_GUARANTEE", "at_least_once"),
    )
    source = app.topic(
        os.environ["ECHO_IN"], key_type=bytes, value_type=bytes, value_serializer="raw"
    )
    sink = app.topic(
        os.environ["ECHO_OUT"], key_type=bytes, value_type=bytes, value_serializer="raw"
    )
    seen = app.Table("seen", default=int, partitions=3)

    @app.agent(source)
    async def echo(stream):
        async for key, value in stream.items():
            seen[key] += 1
            await sink.send(key=key, value=value)

    return app


app = build_app()

if __name__ == "__main__":
    app.main()
