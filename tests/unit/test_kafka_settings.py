"""The broker's settings: one variable each, read by every service, whatever its own prefix."""

from __future__ import annotations

import pytest

from dashboard.settings import Settings as DashboardSettings
from explainer.settings import Settings as ExplainerSettings
from ingest.settings import IngestSettings
from scorer.settings import Settings as ScorerSettings

pytestmark = pytest.mark.unit
SERVICES = {
    "INGEST": IngestSettings,
    "SCORER": ScorerSettings,
    "EXPLAINER": ExplainerSettings,
    "DASHBOARD": DashboardSettings,
}


@pytest.mark.parametrize("prefix", SERVICES)
def test_every_service_reads_the_broker_from_kafka_bootstrap_and_kafka_partitions(
    monkeypatch, prefix
):
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "broker-a:9092,broker-b:9092")
    monkeypatch.setenv("KAFKA_PARTITIONS", "6")
    monkeypatch.setenv(
        f"{prefix}_KAFKA_BOOTSTRAP", "elsewhere:1"
    )  # a second name for one idea: not read
    settings = SERVICES[prefix]()
    assert (settings.kafka_bootstrap, settings.partitions) == ("broker-a:9092,broker-b:9092", 6)
    assert settings.bootstrap_servers == ["broker-a:9092", "broker-b:9092"]
    assert (
        SERVICES[prefix](kafka_bootstrap="given:9092").kafka_bootstrap == "given:9092"
    )  # by name, in code


def test_a_partition_count_below_one_is_refused(monkeypatch):
    monkeypatch.setenv("KAFKA_PARTITIONS", "0")
    with pytest.raises(ValueError, match="KAFKA_PARTITIONS"):
        ScorerSettings()
