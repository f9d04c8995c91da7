"""Create every topic of credit.topics.TOPIC_CONFIGS on a broker, with its configuration.

    python deploy/topics.py [--bootstrap $KAFKA_BOOTSTRAP] [--partitions $KAFKA_PARTITIONS]
                            [--replication 1]

Idempotent: topics that already exist are left as they are. Prints which topics it created.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.settings import KafkaSettings  # noqa: E402
from credit.topics import PARTITIONS, TOPIC_CONFIGS  # noqa: E402

TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code


def create_topics(
    bootstrap: str, partitions: int = PARTITIONS, replication: int = 1, timeout_s: float = 30.0
) -> list[str]:
    """Create the missing topics with their configs; return the names of those created."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="deploy-topics",
        bootstrap_timeout_ms=int(timeout_s * 1000),
    )
    try:
        missing = sorted(set(TOPIC_CONFIGS) - set(admin.list_topics()))
        if not missing:
            return []
        specs = {
            name: {
                "num_partitions": partitions,
                "replication_factor": replication,
                "configs": TOPIC_CONFIGS[name],
            }
            for name in missing
        }
        result = admin.create_topics(specs, timeout_ms=int(timeout_s * 1000), raise_errors=False)
        created = _check_created(result)
        admin.wait_for_topics(missing, timeout_ms=int(timeout_s * 1000))
        return created
    finally:
        admin.close()


def _check_created(result: dict) -> list[str]:
    """Names created by this call; raise on any error other than 'already exists'."""
    created, errors = [], []
    for topic in result["topics"]:
        code = topic["error_code"]
        if code == 0:
            created.append(topic["name"])
        elif code != TOPIC_ALREADY_EXISTS:
            errors.append(
                f"{topic['name']}: error {code} {topic.get('error_message') or ''}".strip()
            )
    if errors:
        raise RuntimeError("could not create topics: " + "; ".join(errors))
    return created


def main(argv: list[str] | None = None) -> int:
    kafka = KafkaSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=kafka.kafka_bootstrap,
        help="host:port of a broker ($KAFKA_BOOTSTRAP)",
    )
    parser.add_argument(
        "--partitions", type=int, default=kafka.partitions, help="per topic ($KAFKA_PARTITIONS)"
    )
    parser.add_argument("--replication", type=int, default=1)
    args = parser.parse_args(argv)
    created = create_topics(args.bootstrap, args.partitions, args.replication)
    existing = sorted(set(TOPIC_CONFIGS) - set(created))
    print("created: " + (", ".join(created) or "none"))
    print("already there: " + (", ".join(existing) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
