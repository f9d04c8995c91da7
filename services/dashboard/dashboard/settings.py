"""Dashboard settings, from DASHBOARD_* environment variables (the broker's: adapters.settings)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from adapters.settings import KafkaSettings


class Settings(KafkaSettings):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    models_dir: Path = Path("models")
    model_version: str | None = None  # default: the newest bundle
    store_path: Path = Path(".dashboard/store.db")
    users_file: Path = Path(
        ".stack/dashboard-users.json"
    )  # RM accounts, hashed passwords; never in the repo
    feed_group: str = "dashboard"
    ops_feed_group: str = "dashboard-ops"
    metrics_interval_s: float = 10.0  # how often the feed reports to ops.metrics
    reconcile_after_s: float = (
        60.0  # an application not decided, explained and stored by then raises an alarm
    )
    metrics_port: int = Field(
        9104, ge=0, le=65535
    )  # both feeds' Prometheus text at metrics_host:metrics_port; 0: none
    metrics_host: str = "127.0.0.1"
    # How a client reaches the lender, by language, as the letter says it after "contactez" /
    # "contact": DASHBOARD_LETTER_CONTACT='{"fr": "notre service clients au …", "en": "our customer
    # service on …"}'. A language left out gets the catalogue's neutral line (the adviser, or the
    # branch the application was made at).
    letter_contact: dict[str, str] = {}


@cache
def get_settings() -> Settings:
    return Settings()
