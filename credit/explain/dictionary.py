"""The project's label dictionary: readable groups of features, feature labels and units.

Two files under labels/: features.json (a label and unit per feature, category names) and
groups.json (which features make each readable group, and the sentences explaining it).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

from credit.features.application import PROTECTED

_LABELS = Path(__file__).with_name("labels")
# {FEATURE}, {FEATURE|unit}, {median:FEATURE}, {default_rate:FEATURE}, {default_rate}
PLACEHOLDER = re.compile(r"\{(?:(median|default_rate):)?([A-Za-z0-9_]+)(?:\|(\w+))?\}")


class DictionaryError(ValueError):
    """The label dictionary does not cover the model's features as it must."""


@dataclass(frozen=True)
class Sentence:
    """One way of explaining a group, with what it needs to apply (see groups.json's _about)."""
    text: dict  # {"fr": template, "en": template}
    shown: tuple[tuple[str | None, str, str | None], ...]  # (kind, name, unit) of each placeholder
    where: dict  # feature -> the value it must have
    missing: tuple[str, ...]  # features that must be unknown
    weighs: tuple[str, ...]  # features whose contributions make this the sentence to say

    @classmethod
    def of(cls, spec: dict) -> "Sentence":
        shown = tuple(m.groups() for m in PLACEHOLDER.finditer(spec["fr"]))
        named = {name for _, name, _ in shown if name != "default_rate"}
        weighs = named | set(spec.get("about", ())) | set(spec.get("where", {})) | set(spec.get("missing", ()))
        return cls({"fr": spec["fr"], "en": spec["en"]}, shown, spec.get("where", {}), tuple(spec.get("missing", ())),
                   tuple(sorted(weighs)))


@dataclass(frozen=True)
class Group:
    id: str
    label: dict  # {"fr": ..., "en": ...}
    patterns: tuple[str, ...]  # feature names or shell-style patterns
    sentences: tuple[Sentence, ...]

    def owns(self, feature: str) -> bool:
        return any(fnmatchcase(feature, pattern) for pattern in self.patterns)


@cache
def _file(name: str) -> dict:
    return json.loads((_LABELS / name).read_text(encoding="utf-8"))


@cache
def groups() -> tuple[Group, ...]:
    return tuple(Group(g["id"], g["label"], tuple(g["features"]), tuple(Sentence.of(s) for s in g["sentences"]))
                 for g in _file("groups.json")["groups"])


def phrases() -> dict:
    """Direction clauses and summary sentences."""
    spec = _file("groups.json")
    return {"direction": spec["direction"], **spec["summary"]}


def group_of(features: Sequence[str]) -> list[str]:
    """The readable group of each feature; DictionaryError when one has none, several, or is protected."""
    owners = []
    for feature in features:
        if feature in PROTECTED:
            raise DictionaryError(f"{feature} is a protected attribute: it must not be a model input")
        found = [g.id for g in groups() if g.owns(feature)]
        if len(found) != 1:
            raise DictionaryError(f"feature {feature} belongs to {len(found)} readable groups ({', '.join(found) or 'none'}); "
                                  "it must belong to exactly one (credit/explain/labels/groups.json)")
        owners.append(found[0])
    return owners


def feature_label(feature: str, lang: str) -> str:
    return _file("features.json")["features"][feature][lang]


def unit(feature: str) -> str:
    entry = _file("features.json")["features"].get(feature)
    if entry is None:
        raise DictionaryError(f"feature {feature} has no label in credit/explain/labels/features.json")
    return entry["unit"]


def category_label(column: str, value: str, lang: str) -> str:
    """A category value in words; a value the dictionary does not know is shown as it is."""
    return _file("features.json")["categories"].get(column, {}).get(value, {}).get(lang, value)
