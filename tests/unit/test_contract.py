"""The published event contract (docs/contract) is what the shared models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credit.contract import SUFFIX, event_of, schemas
from credit.events import DeadLettered
from credit.topics import TOPIC_CONFIGS

pytestmark = pytest.mark.unit

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "contract"


def test_the_published_schemas_equal_the_models():
    expected = schemas()
    published = {
        path.name: path.read_text(encoding="utf-8") for path in PUBLISHED.glob(f"*{SUFFIX}")
    }
    stale = sorted(
        name for name in set(expected) | set(published) if expected.get(name) != published.get(name)
    )
    assert not stale, (
        f"docs/contract is out of date ({', '.join(stale)}): run `python -m credit.contract`"
    )


def test_every_topic_has_a_schema_and_every_dead_letter_topic_the_dead_letter_one():
    assert set(schemas()) == {f"{topic}{SUFFIX}" for topic in TOPIC_CONFIGS}
    for topic in TOPIC_CONFIGS:
        assert (event_of(topic)[0] is DeadLettered) == topic.endswith(".dlq"), topic


def test_a_schema_names_its_topic_and_key_and_is_pretty_and_stable():
    text = schemas()["loan-applications.schema.json"]
    schema = json.loads(text)
    assert (schema["x-topic"], schema["title"]) == ("loan-applications", "ApplicationReceived")
    assert (
        "SK_ID_CURR" in schema["x-key"]
        and text.endswith("}\n")
        and text == schemas()["loan-applications.schema.json"]
    )


def test_an_events_bytes_are_its_json_in_utf8_and_read_back_as_the_same_event():
    letter = DeadLettered(
        original="bm9u",
        reason="« refusée » : AMT_CREDIT must be a number ≤ 1e9",
        service="scorer",
        source_topic="loan-applications",
        source_partition=0,
        source_offset=7,
    )
    raw = letter.to_bytes()
    assert raw == letter.model_dump_json().encode("utf-8") and "refusée".encode() in raw
    assert DeadLettered.from_bytes(raw) == letter
