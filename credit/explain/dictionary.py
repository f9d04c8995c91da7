"""The project's label dictionary: readable groups of features, feature labels and units.

Two files under labels/: features.json (a label and unit per feature, category names) and
groups.json (which features make each readable group, its reason code, and the sentences
explaining it: a fact about the client, and the comparison that may back it).
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
# {FEATURE}, {FEATURE|unit}, {median:FEATURE}, {rank:FEATURE}, {default_rate:FEATURE},
# {default_rate}
PLACEHOLDER = re.compile(r"\{(?:(median|rank|default_rate):)?([A-Za-z0-9_]+)(?:\|(\w+))?\}")


class DictionaryError(ValueError):
    """The label dictionary does not cover the model's features as it must."""


@dataclass(frozen=True)
class Sentence:
    """One way of explaining a group, with what it needs to apply (see groups.json's _about)."""

    text: dict  # {"fr": template, "en": template}: the fact about the client
    compare: (
        dict | None
    )  # the comparison with other clients that backs a direction, said only when it does
    shown: tuple[
        tuple[str | None, str, str | None], ...
    ]  # (kind, name, unit) of each placeholder of the fact
    compared: tuple[tuple[str | None, str, str | None], ...]  # the same for the comparison
    # feature -> the value it must have, or the form of its count (wording.count_form, or 'some')
    where: dict
    missing: tuple[str, ...]  # features that must be unknown
    # the fact is that an information is missing: its direction says what providing it would do
    unknown: bool
    weighs: tuple[str, ...]  # features whose contributions make this the sentence to say
    known: tuple[str, ...]  # features the fact shows: they must be known for it to apply
    reads: tuple[str, ...]  # features whose values its words depend on (fact and comparison)
    # direction -> {"fr", "en"}: the whole reason when the comparison does not back the direction,
    # stating no value (instead of the group's "combined" reason); None: that one
    otherwise: dict | None = None

    @classmethod
    def of(cls, spec: dict) -> Sentence:
        shown = tuple(m.groups() for m in PLACEHOLDER.finditer(spec["fr"]))
        compare = spec.get("compare")
        compared = tuple(m.groups() for m in PLACEHOLDER.finditer(compare["fr"])) if compare else ()
        named = {name for _, name, _ in shown + compared if name != "default_rate"}
        weighs = (
            named
            | set(spec.get("about", ()))
            | set(spec.get("where", {}))
            | set(spec.get("missing", ()))
        )
        return cls(
            {"fr": spec["fr"], "en": spec["en"]},
            compare,
            shown,
            compared,
            spec.get("where", {}),
            tuple(spec.get("missing", ())),
            bool(spec.get("unknown")),
            tuple(sorted(weighs)),
            tuple(name for _, name, _ in shown if name != "default_rate"),
            tuple(
                dict.fromkeys(
                    name
                    for kind, name, _ in shown + compared
                    if (kind, name) != (None, "default_rate")  # all clients' rate reads no value
                )
            ),
            spec.get("otherwise"),
        )


@dataclass(frozen=True)
class Group:
    id: str
    code: str  # the stable reason code systems upstream store (docs/reason_codes.md)
    label: dict  # {"fr": ..., "en": ...}
    patterns: tuple[str, ...]  # feature names or shell-style patterns
    sentences: tuple[Sentence, ...]
    reason: bool = True  # False: its contributions are shown, but it is never given as a reason

    def owns(self, feature: str) -> bool:
        return any(fnmatchcase(feature, pattern) for pattern in self.patterns)


@cache
def _file(name: str) -> dict:
    return json.loads((_LABELS / name).read_text(encoding="utf-8"))


@cache
def groups() -> tuple[Group, ...]:
    return tuple(
        Group(
            g["id"],
            g["code"],
            g["label"],
            tuple(g["features"]),
            tuple(Sentence.of(s) for s in g["sentences"]),
            g.get("reason", True),
        )
        for g in _file("groups.json")["groups"]
    )


@cache
def phrases() -> dict:
    """Direction clauses (backed by a comparison, for missing information), the sentence naming a
    factor whose effect comes from its combination with the rest of the file, rank and summary
    sentences (built once: every reason and summary reads them)."""
    spec = _file("groups.json")
    return {
        **{k: v for k, v in spec.items() if k not in ("_about", "groups", "summary")},
        **spec["summary"],
    }


def group_of(features: Sequence[str]) -> list[str]:
    """The readable group of each feature; DictionaryError when one has none, several, or is
    protected."""
    owners = []
    for feature in features:
        if feature in PROTECTED:
            raise DictionaryError(
                f"{feature} is a protected attribute: it must not be a model input"
            )
        found = [g.id for g in groups() if g.owns(feature)]
        if len(found) != 1:
            raise DictionaryError(
                f"feature {feature} belongs to {len(found)} readable groups "
                f"({', '.join(found) or 'none'}); "
                "it must belong to exactly one (credit/explain/labels/groups.json)"
            )
        owners.append(found[0])
    return owners


def feature_label(feature: str, lang: str) -> str:
    return _file("features.json")["features"][feature][lang]


def unit(feature: str) -> str:
    entry = _file("features.json")["features"].get(feature)
    if entry is None:
        raise DictionaryError(
            f"feature {feature} has no label in credit/explain/labels/features.json"
        )
    return entry["unit"]


def category_label(column: str, value: str, lang: str) -> str:
    """A category value in words; a value the dictionary does not know is shown as it is."""
    return _file("features.json")["categories"].get(column, {}).get(value, {}).get(lang, value)
