"""Print decisions as they arrive on the loan-decisions topic (the demo's view of the stream)."""
from __future__ import annotations

from kafka import KafkaConsumer

from credit.events import ApplicationScored
from credit.topics import LOAN_DECISIONS


def watch_decisions(bootstrap: str) -> None:
    """Follow new decisions until interrupted, with a running count of grants and refusals."""
    consumer = KafkaConsumer(LOAN_DECISIONS, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    counts = {"granted": 0, "refused": 0}
    try:
        for message in consumer:
            decision = ApplicationScored.from_bytes(message.value)
            counts[decision.decision] += 1
            print(f"client {decision.client_id:>7}  PD {decision.probability_of_default:6.1%}  "
                  f"{decision.decision:<8} (threshold {decision.threshold:.1%})  "
                  f"granted {counts['granted']}, refused {counts['refused']}", flush=True)
    finally:
        consumer.close()
