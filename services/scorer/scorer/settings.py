"""Scorer settings, from SCORER_* environment variables."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from credit.decision import REVIEW_BAND

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCORER_")

    kafka_bootstrap: str = "127.0.0.1:9092"
    models_dir: Path = Path("models")
    model_version: str | None = None  # default: the newest bundle in models_dir
    batch_size: int = 64  # micro-batch: features and ONNX run once per batch
    batch_wait_s: float = 0.02  # longest a message waits for its batch to fill
    partitions: int = 3
    store: str = "memory://"  # faust table store; the changelog topic makes it durable
    data_dir: Path = Path(".scorer-data")
    web_port: int = 6066
    runtime: Literal["onnx", "lightgbm"] = "onnx"  # lightgbm: only to benchmark against ONNX
    metrics_interval_s: float = 10.0  # how often a report goes to ops.metrics
    metrics_port: int = Field(9101, ge=0, le=65535)  # Prometheus text at metrics_host:metrics_port/metrics; 0: none
    metrics_host: str = "127.0.0.1"
    drift_window: int = 5_000  # the latest decisions compared with the training reference
    drift_minimum: int = 500  # fewer decisions than this say nothing about drift
    review_band: float = Field(REVIEW_BAND, ge=0, lt=1)  # PDs this close to the threshold (share of it) go to review


@cache
def get_settings() -> Settings:
    return Settings()
