"""Ingest settings: API keys from the environment or a secrets file; placeholders refused in
production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ingest.security import key_matches
from ingest.settings import IngestSettings

pytestmark = pytest.mark.unit

STRONG = "b1f0c6e2d9a84f7e9c3a"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "INGEST_API_KEYS",
        "INGEST_API_KEYS_FILE",
        "INGEST_ENVIRONMENT",
        "KAFKA_BOOTSTRAP",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_suit_a_local_broker():
    settings = IngestSettings()
    assert settings.kafka_bootstrap == "127.0.0.1:9092" and settings.max_batch_size == 1000
    assert settings.environment == "development" and settings.api_key_set == ()


def test_keys_come_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("INGEST_API_KEYS", f" {STRONG}, second-key-0123456789 ")
    assert IngestSettings().api_key_set == (STRONG, "second-key-0123456789")


def test_keys_come_from_a_secrets_file(monkeypatch, tmp_path):
    secrets = tmp_path / "keys"
    secrets.write_text(f"# upstream systems\n{STRONG}\n\nsecond-key-0123456789  # crm\n")
    monkeypatch.setenv("INGEST_API_KEYS_FILE", str(secrets))
    monkeypatch.setenv("INGEST_ENVIRONMENT", "production")
    assert IngestSettings().api_key_set == (STRONG, "second-key-0123456789")


def test_a_missing_secrets_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("INGEST_API_KEYS_FILE", str(tmp_path / "absent"))
    with pytest.raises(ValidationError, match="does not exist"):
        IngestSettings()


@pytest.mark.parametrize("keys", ["", "changeme", f"{STRONG},changeme", "short-key"])
def test_production_refuses_missing_placeholder_or_short_keys(monkeypatch, keys):
    monkeypatch.setenv("INGEST_ENVIRONMENT", "production")
    monkeypatch.setenv("INGEST_API_KEYS", keys)
    with pytest.raises(ValidationError, match="API key"):
        IngestSettings()


def test_development_tolerates_a_simple_key(monkeypatch):
    monkeypatch.setenv("INGEST_API_KEYS", "changeme")
    assert IngestSettings().api_key_set == ("changeme",)


def test_keys_never_show_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("INGEST_API_KEYS", STRONG)
    assert STRONG not in repr(IngestSettings())


def test_a_key_matches_only_exactly():
    keys = (STRONG, "second-key-0123456789")
    assert key_matches("second-key-0123456789", keys)
    assert (
        not key_matches(STRONG[:-1], keys)
        and not key_matches("", keys)
        and not key_matches(STRONG, ())
    )
