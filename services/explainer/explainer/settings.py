"""Explainer settings, from EXPLAINER_* environment variables."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXPLAINER_")

    kafka_bootstrap: str = "127.0.0.1:9092"
    models_dir: Path = Path("models")  # every model version a decision may name is looked up here
    batch_size: int = 64  # micro-batch: TreeSHAP runs once per batch and model version
    batch_wait_s: float = 0.02  # longest a message waits for its batch to fill
    threads: int = 1  # TreeSHAP threads per worker; scale out by partitions
    producer_batch_bytes: int = 512 * 1024  # per partition; the broker takes up to 1 MB
    partitions: int = 3
    data_dir: Path = Path(".explainer-data")
    web_port: int = 6067
    metrics_interval_s: float = 10.0  # how often a report goes to ops.metrics
    metrics_port: int = Field(9102, ge=0, le=65535)  # Prometheus text at metrics_host:metrics_port/metrics; 0: none
    metrics_host: str = "127.0.0.1"


@cache
def get_settings() -> Settings:
    return Settings()
