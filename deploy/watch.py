"""Print explained decisions as they arrive on the loan-explanations topic (the demo's view of the
stream)."""

from __future__ import annotations

from kafka import KafkaConsumer

from credit.events import ApplicationExplained
from credit.topics import LOAN_EXPLANATIONS


def watch_explanations(bootstrap: str, lang: str = "fr") -> None:
    """Follow new explanations until interrupted: the decision, its PD and its main reason."""
    consumer = KafkaConsumer(
        LOAN_EXPLANATIONS, bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    counts = {"granted": 0, "refused": 0}
    try:
        for message in consumer:
            explained = ApplicationExplained.from_bytes(message.value)
            counts[explained.decision] += 1
            towards = (
                "raises" if explained.decision == "refused" else "lowers"
            )  # the reason behind the decision
            main = next((r.text[lang] for r in explained.reasons if r.direction == towards), "")
            print(
                f"client {explained.client_id:>7}  PD {explained.probability_of_default:6.1%}  "
                f"{explained.decision:<8} "
                f"(granted {counts['granted']}, refused {counts['refused']})  {main}",
                flush=True,
            )
    finally:
        consumer.close()
