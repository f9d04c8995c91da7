"""The published event contract: the JSON Schema of every topic's event, from the shared models.

`python -m credit.contract [DIRECTORY]` writes one `<topic>.schema.json` per topic of
credit.topics into DIRECTORY (default docs/contract, run from the repository's root) and removes
the schemas of topics that no longer exist. A unit test checks the files equal the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from credit.events import (
    AlertRaised,
    ApplicationExplained,
    ApplicationReceived,
    ApplicationReviewed,
    ApplicationScored,
    DeadLettered,
    HistoryRecorded,
    ServiceReported,
)
from credit.topics import (
    CLIENT_HISTORY,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
    LOAN_REVIEWS,
    OPS_ALERTS,
    OPS_METRICS,
    TOPIC_CONFIGS,
)

DIRECTORY = Path("docs/contract")
SUFFIX = ".schema.json"
_CLIENT_KEY = "the client's id (SK_ID_CURR, or client_id), as decimal ASCII digits"
_SERVICE_KEY = "the reporting service's name, in ASCII"
# Topic -> (event, message key); every topic whose name ends with .dlq carries dead letters.
_EVENTS: dict[str, tuple[type[BaseModel], str]] = {
    LOAN_APPLICATIONS: (ApplicationReceived, _CLIENT_KEY),
    LOAN_DECISIONS: (ApplicationScored, _CLIENT_KEY),
    LOAN_EXPLANATIONS: (ApplicationExplained, _CLIENT_KEY),
    LOAN_REVIEWS: (ApplicationReviewed, _CLIENT_KEY),
    CLIENT_HISTORY: (
        HistoryRecorded,
        _CLIENT_KEY + " (compacted: the latest event per key counts)",
    ),
    OPS_METRICS: (ServiceReported, _SERVICE_KEY),
    OPS_ALERTS: (AlertRaised, _SERVICE_KEY),
}
_DEAD_LETTERS = (DeadLettered, "the original message's key, unchanged (none if it had none)")


def event_of(topic: str) -> tuple[type[BaseModel], str]:
    """The event a topic carries and its message key; KeyError for a topic the contract does not
    know."""
    return _DEAD_LETTERS if topic.endswith(".dlq") else _EVENTS[topic]


def schema_of(topic: str) -> dict:
    """The JSON Schema (2020-12) of one message's value on `topic`."""
    event, key = event_of(topic)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{topic}{SUFFIX}",
        **event.model_json_schema(),
        "x-topic": topic,
        "x-key": key,
        "x-value": "one event per message: this JSON object, in UTF-8",
    }


def schemas() -> dict[str, str]:
    """File name -> text (sorted keys, 2-space indent, trailing newline) of every topic's schema."""
    return {
        f"{topic}{SUFFIX}": json.dumps(schema_of(topic), indent=2, sort_keys=True) + "\n"
        for topic in sorted(TOPIC_CONFIGS)
    }


def write(directory: Path = DIRECTORY) -> list[str]:
    """Writes every schema into directory and removes the stale ones; returns the file names
    written."""
    directory.mkdir(parents=True, exist_ok=True)
    texts = schemas()
    for stale in {p.name for p in directory.glob(f"*{SUFFIX}")} - set(texts):
        (directory / stale).unlink()
    for name, text in texts.items():
        (directory / name).write_text(text, encoding="utf-8")
    return list(texts)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DIRECTORY
    for name in write(directory):
        print(directory / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
