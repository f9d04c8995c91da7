"""Settings of the ingest service, from `INGEST_*` environment variables (the broker's:
adapters.settings).

API keys come from `INGEST_API_KEYS` (comma-separated) and/or the file named by
`INGEST_API_KEYS_FILE` (one key per line or comma-separated; `#` starts a comment). They are
never stored in the repository. Outside development, missing, short or placeholder keys are
refused at start-up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from adapters.settings import KafkaSettings

PLACEHOLDER_KEYS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "apikey",
        "api-key",
        "api_key",
        "key",
        "test",
        "dev",
        "development",
        "example",
        "placeholder",
        "default",
        "todo",
        "xxx",
    }
)
MIN_KEY_LENGTH = 16  # outside development


class IngestSettings(KafkaSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    api_keys: SecretStr = SecretStr("")
    api_keys_file: Path | None = None
    max_batch_size: int = Field(1000, ge=1)
    max_body_bytes: int = Field(10_000_000, ge=1024)
    acks_timeout_s: float = Field(10.0, gt=0)
    idempotency_db: Path = Path(
        ".ingest/applications.db"
    )  # SQLite: every application_id accepted, with its content
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    metrics_interval_s: float = Field(10.0, gt=0)  # how often a report goes to ops.metrics
    metrics_port: int = Field(9103, ge=0, le=65535)  # Prometheus text, apart from the API; 0: none
    metrics_host: str = "127.0.0.1"

    _keys: tuple[str, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _load_and_check_keys(self) -> IngestSettings:
        self._keys = _split(self.api_keys.get_secret_value()) + _read_keys_file(self.api_keys_file)
        if self.environment != "development":
            _refuse_weak_keys(self._keys, self.environment)
        return self

    @property
    def api_key_set(self) -> tuple[str, ...]:
        """The accepted API keys (never logged)."""
        return self._keys


def _split(text: str) -> tuple[str, ...]:
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return tuple(key.strip() for line in lines for key in line.split(",") if key.strip())


def _read_keys_file(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    if not path.is_file():
        raise ValueError(f"INGEST_API_KEYS_FILE={path} does not exist or is not a file")
    return _split(path.read_text())


def _refuse_weak_keys(keys: tuple[str, ...], environment: str) -> None:
    if not keys:
        raise ValueError(
            f"no API key configured in {environment}: set INGEST_API_KEYS or INGEST_API_KEYS_FILE"
        )
    for number, key in enumerate(keys, start=1):
        if key.lower() in PLACEHOLDER_KEYS or len(key) < MIN_KEY_LENGTH:
            raise ValueError(
                f"API key #{number} is a placeholder or shorter than {MIN_KEY_LENGTH} "
                f"characters; refused in {environment}"
            )


@lru_cache
def get_settings() -> IngestSettings:
    """The process's settings, read once from the environment."""
    return IngestSettings()
