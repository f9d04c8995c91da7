"""What every service's settings share about the broker: one variable each for every service.

    KAFKA_BOOTSTRAP (127.0.0.1:9092)   host:port of the brokers, comma-separated
    KAFKA_PARTITIONS (3)               partitions of each project topic

They are read without the service's prefix: one broker, one variable (settings given by name in
code, as tests do, still take precedence).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from credit.topics import PARTITIONS

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


class KafkaSettings(BaseSettings):
    # An alias is read as it is: a subclass's env_prefix does not apply to these two fields.
    model_config = SettingsConfigDict(populate_by_name=True)

    kafka_bootstrap: str = Field(DEFAULT_BOOTSTRAP, validation_alias="KAFKA_BOOTSTRAP")
    partitions: int = Field(PARTITIONS, ge=1, validation_alias="KAFKA_PARTITIONS")

    @property
    def bootstrap_servers(self) -> list[str]:
        return bootstrap_servers(self.kafka_bootstrap)


def bootstrap_servers(bootstrap: str) -> list[str]:
    return [server.strip() for server in bootstrap.split(",") if server.strip()]


class WorkerSettings(KafkaSettings):
    """A Faust worker's: micro-batches, its local data, its web and Prometheus ports (their
    defaults per service)."""

    # a batch: the work runs, its results are acknowledged and its offsets committed once per batch
    # (2,000: a plain relay passes 1.6x more than with 500, benchmarks/HISTORY.md)
    batch_size: int = 2000
    batch_wait_s: float = 0.02  # longest a poll waits when nothing has arrived
    fetch_bytes: int = 8 * 1024 * 1024  # per partition and fetch: batch_size events of ~3 KB
    producer_batch_bytes: int = 512 * 1024  # per partition; the broker takes up to 1 MB
    data_dir: Path
    web_port: int
    metrics_interval_s: float = 10.0  # how often a report goes to ops.metrics
    # Prometheus text at metrics_host:metrics_port/metrics; 0: none
    metrics_port: int = Field(ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
