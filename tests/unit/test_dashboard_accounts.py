"""RM accounts: passwords stored as scrypt hashes, checked without revealing which names exist."""

from __future__ import annotations

import json

import pytest

from dashboard.accounts import add_user, check, role_of

pytestmark = pytest.mark.unit


def test_a_password_is_stored_hashed_and_only_the_right_one_passes(tmp_path):
    users = tmp_path / "users.json"
    add_user(users, "marie", "a long enough secret", "reviewer")
    stored = json.loads(users.read_text())["marie"]
    assert "a long enough secret" not in users.read_text() and stored["password"].startswith(
        "scrypt$"
    )
    assert check(users, "marie", "a long enough secret")
    assert not check(users, "marie", "a long enough secreT")
    assert not check(users, "paul", "a long enough secret")
    assert role_of(users, "marie") == "reviewer" and users.stat().st_mode & 0o077 == 0


def test_short_passwords_and_unknown_roles_are_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="12 characters"):
        add_user(tmp_path / "u.json", "marie", "short")
    with pytest.raises(ValueError, match="role must be one of"):
        add_user(tmp_path / "u.json", "marie", "a long enough secret", "admin")
    assert not check(tmp_path / "missing.json", "marie", "anything at all")
