"""Relationship-manager accounts: a JSON users file outside the repository, passwords as scrypt
hashes.

    {"marie": {"password": "scrypt$16384$8$1$<salt>$<hash>", "role": "rm"}, ...}

Roles: "rm" (relationship manager), "reviewer" (may also review borderline cases, #6), "ops".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path

ROLES = ("rm", "reviewer", "ops")
# 2**14 keeps a log-in at ~0.07 s: Panel's login handler is synchronous and blocks the server
# meanwhile.
_N, _R, _P = 2**14, 8, 1
_UNKNOWN = (
    f"scrypt${_N}${_R}${_P}$"
    + base64.b64encode(bytes(16)).decode()
    + "$"
    + base64.b64encode(bytes(32)).decode()
)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return (
        f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}$"
        f"{base64.b64encode(digest).decode()}"
    )


def verify(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


def load_users(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}


def check(path: Path, username: str, password: str) -> bool:
    """Whether the name and password match an account; an unknown name costs a hash too (no timing
    leak)."""
    users = load_users(path)
    return verify(password, users.get(username, {}).get("password", _UNKNOWN)) and username in users


def add_user(path: Path, username: str, password: str, role: str = "rm") -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < 12:
        raise ValueError("a password needs at least 12 characters")
    users = load_users(path)
    users[username] = {"password": hash_password(password), "role": role}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: the server reads roles from this file at every review, never half
    # of it.
    draft = path.with_name(path.name + ".new")
    draft.write_text(json.dumps(users, indent=1), encoding="utf-8")
    draft.chmod(0o600)
    os.replace(draft, path)


def role_of(path: Path, username: str) -> str | None:
    return load_users(path).get(username, {}).get("role")
