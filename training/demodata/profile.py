"""The measured profile shipped with the package (profile.json, written by `measure`)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def load_profile() -> dict:
    """The profile as a dict; read once per process, on first use."""
    return json.loads(resources.files("training.demodata").joinpath("profile.json").read_text())
