"""Scorer settings, from SCORER_* environment variables (the broker's: adapters.settings)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from adapters.settings import WorkerSettings
from credit.decision import REVIEW_BAND


class Settings(WorkerSettings):
    model_config = SettingsConfigDict(env_prefix="SCORER_")

    models_dir: Path = Path("models")
    model_version: str | None = None  # default: the newest bundle in models_dir
    data_dir: Path = Path(".scorer-data")
    web_port: int = 6066
    runtime: Literal["onnx", "lightgbm"] = "onnx"  # lightgbm: only to benchmark against ONNX
    metrics_port: int = Field(9101, ge=0, le=65535)
    drift_window: int = 5_000  # the latest decisions compared with the training reference
    drift_minimum: int = 500  # fewer decisions than this say nothing about drift
    # PDs this close to the threshold (a share of it) go to review
    review_band: float = Field(REVIEW_BAND, ge=0, lt=1)


@cache
def get_settings() -> Settings:
    return Settings()
