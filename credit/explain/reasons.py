"""Reasons a person can read: the readable groups that raise or lower the risk most, in words.

Each reason states the client's own value and how it compares with the reference clients
(the median, or the default rate of clients sharing the value), then its direction.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from credit.explain.dictionary import PLACEHOLDER, Group, Sentence, category_label, phrases, unit
from credit.explain.wording import LANGUAGES, format_value, percent

MAX_REASONS = 4  # per direction
MIN_POINTS = 0.0005  # a group moving the PD by less than 0.05 points is not a reason


@dataclass(frozen=True)
class Reference:
    """What the reference clients look like: feature medians and default rates by category."""
    medians: Mapping[str, float]
    default_rates: Mapping[str, Mapping[str, float]]  # feature -> value_key -> share of defaults
    default_rate: float
    vocabularies: Mapping[str, list[str]]

    def category(self, feature: str, code: float) -> str | None:
        words = self.vocabularies.get(feature)
        return None if words is None or _missing(code) or not 0 <= code < len(words) else words[int(code)]

    def default_rate_of(self, feature: str, value: float) -> float | None:
        """Share of defaults among reference clients with this value of the feature."""
        key = self.category(feature, value) if feature in self.vocabularies else value_key(value)
        return self.default_rates.get(feature, {}).get(key)


def value_key(value: float) -> str | None:
    """How a numeric value is written as a key of default_rates ('2.0')."""
    return None if _missing(value) else repr(float(value))


def _missing(value) -> bool:
    return value is None or value != value  # NaN is the only value unequal to itself


def top_reasons(grouped: Mapping[str, float]) -> list[tuple[str, str, float]]:
    """(group, direction, points): at most MAX_REASONS raising the risk, then MAX_REASONS lowering it."""
    ranked = sorted(grouped.items(), key=lambda item: -abs(item[1]))
    raising = [(g, "raises", p) for g, p in ranked if p >= MIN_POINTS][:MAX_REASONS]
    lowering = [(g, "lowers", p) for g, p in ranked if p <= -MIN_POINTS][:MAX_REASONS]
    return raising + lowering


def explain_group(group: Group, values: Mapping[str, float], points: Mapping[str, float],
                  reference: Reference) -> dict:
    """The group's sentence, in every language, without its direction."""
    best, weight = None, -1.0
    for sentence in group.sentences:
        if _applies(sentence, values, reference):
            w = sum(abs(points.get(f, 0.0)) for f in sentence.weighs)
            if w > weight:
                best, weight = sentence, w
    if best is None:  # nothing known enough to say more than the group's name
        return {lang: f"{group.label[lang]} : information incomplète" if lang == "fr"
                else f"{group.label[lang]}: incomplete information" for lang in LANGUAGES}
    return {lang: _render(best.text[lang], values, reference, lang) for lang in LANGUAGES}


def with_direction(text: Mapping[str, str], direction: str) -> dict:
    clause = phrases()["direction"][direction]
    return {lang: text[lang] + clause[lang] for lang in LANGUAGES}


def _applies(sentence: Sentence, values: Mapping[str, float], reference: Reference) -> bool:
    if any(values.get(f) != v for f, v in sentence.where.items()):
        return False
    if not all(_missing(values.get(f)) for f in sentence.missing):
        return False
    return all(_value(kind, name, values, reference) is not None for kind, name, _ in sentence.shown)


def _value(kind: str | None, name: str, values: Mapping[str, float], reference: Reference):
    if name == "default_rate" and kind is None:
        return reference.default_rate
    value = values.get(name)
    if kind == "median":
        value = reference.medians.get(name)
    elif kind == "default_rate":
        value = None if _missing(value) else reference.default_rate_of(name, value)
    return None if _missing(value) else value


def _render(template: str, values: Mapping[str, float], reference: Reference, lang: str) -> str:
    def one(match: re.Match) -> str:
        kind, name, shown_as = match.groups()
        value = _value(kind, name, values, reference)
        if kind == "default_rate" or name == "default_rate":
            return percent(value, lang, 1)
        feature_unit = shown_as or unit(name)
        category = reference.category(name, value) if feature_unit == "category" else None
        return format_value(value, feature_unit, lang, category and category_label(name, category, lang))
    return PLACEHOLDER.sub(one, template)
