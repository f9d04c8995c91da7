"""Every text the dashboard shows, from one catalogue per language: labels/<lang>/<part>.json.

A part is a view or a document (client_file, letter, ...); `words(part)` gives {lang: {key: text}},
so a view reads `TEXT[lang]["key"]`. Both languages must have the same keys (`missing_keys`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("fr", "en")
_LABELS = Path(__file__).with_name("labels")


@cache
def catalogue(lang: str) -> dict[str, dict]:
    """part -> its texts in `lang` (do not modify: cached)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((_LABELS / lang).glob("*.json"))
    }


def words(part: str) -> dict[str, dict]:
    """{lang: texts} of one part of the catalogue."""
    missing = [lang for lang in LANGUAGES if part not in catalogue(lang)]
    if missing:
        raise KeyError(f"no labels/{missing[0]}/{part}.json in the dashboard's catalogue")
    return {lang: catalogue(lang)[part] for lang in LANGUAGES}


def flat_keys(texts, prefix: str = "") -> set[str]:
    """Dotted keys of every text (nested entries included)."""
    if isinstance(texts, dict):
        return {k for key, value in texts.items() for k in flat_keys(value, f"{prefix}{key}.")}
    return {prefix.rstrip(".")}


def missing_keys() -> dict[str, set[str]]:
    """lang -> dotted keys the other language has and this one lacks (empty when the catalogues
    agree)."""
    keys = {lang: flat_keys(catalogue(lang)) for lang in LANGUAGES}
    return {lang: set.union(*keys.values()) - keys[lang] for lang in LANGUAGES}
