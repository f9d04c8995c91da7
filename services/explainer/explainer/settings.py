"""Explainer settings, from EXPLAINER_* environment variables (the broker's: adapters.settings)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from adapters.settings import WorkerSettings


class Settings(WorkerSettings):
    model_config = SettingsConfigDict(env_prefix="EXPLAINER_")

    models_dir: Path = Path("models")  # every model version a decision may name is looked up here
    data_dir: Path = Path(".explainer-data")
    web_port: int = 6067
    metrics_port: int = Field(9102, ge=0, le=65535)


@cache
def get_settings() -> Settings:
    return Settings()
