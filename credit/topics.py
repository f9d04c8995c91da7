"""Kafka topic names and their configuration: the one place a topic name is written."""

from __future__ import annotations

LOAN_APPLICATIONS = "loan-applications"
CLIENT_HISTORY = "client-history"
LOAN_DECISIONS = "loan-decisions"
LOAN_EXPLANATIONS = "loan-explanations"
LOAN_REVIEWS = "loan-reviews"  # reviewers' decisions and clients' contestations
APPLICATIONS_DLQ = "loan-applications.dlq"
DECISIONS_DLQ = (
    "loan-decisions.dlq"  # decisions the explainer cannot explain (e.g. unknown model version)
)
DASHBOARD_DLQ = "dashboard.dlq"  # messages the dashboard's feeds cannot read or store
OPS_METRICS = "ops.metrics"
OPS_ALERTS = "ops.alerts"

_DAY_MS = 24 * 3600 * 1000

PARTITIONS = (
    3  # per topic, unless KAFKA_PARTITIONS says otherwise (adapters.settings.KafkaSettings)
)

# Topic -> broker configuration (partitions: PARTITIONS or KAFKA_PARTITIONS; replication is 1 on one
# broker).
TOPIC_CONFIGS: dict[str, dict[str, str]] = {
    LOAN_APPLICATIONS: {"retention.ms": str(30 * _DAY_MS)},
    CLIENT_HISTORY: {"cleanup.policy": "compact"},  # latest aggregates per client, kept forever
    LOAN_DECISIONS: {"retention.ms": str(400 * _DAY_MS)},  # the decision log: at least 180 days
    LOAN_EXPLANATIONS: {"retention.ms": str(400 * _DAY_MS)},
    LOAN_REVIEWS: {"retention.ms": "-1"},  # a decision's history is kept for good
    APPLICATIONS_DLQ: {"retention.ms": str(90 * _DAY_MS)},
    DECISIONS_DLQ: {"retention.ms": str(90 * _DAY_MS)},
    DASHBOARD_DLQ: {"retention.ms": str(90 * _DAY_MS)},
    OPS_METRICS: {"retention.ms": str(7 * _DAY_MS)},
    OPS_ALERTS: {"retention.ms": str(90 * _DAY_MS)},
}
