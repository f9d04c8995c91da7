"""Reasons a person can read: the readable groups that raise or lower the risk most, in words.

Each reason says its direction in one of three ways:
- backed: a fact about the client, the comparison with the reference clients (the median, a rank,
  or the default rate of clients sharing the value), ", which raises the risk" — only when the
  comparison points the way the model's attribution does, so a reason never quotes a statistic
  against itself;
- combined with the rest of the file: no comparison backs the direction (the model's attribution
  goes against the clients sharing the value, through interactions, or no comparison can be made),
  so the sentence names the factor and what differs — its combination with the rest of the file —
  and states no value: a value is never given with opposite directions for two clients;
- missing information: that it is missing, and what providing it would do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from credit.explain.dictionary import PLACEHOLDER, Group, Sentence, category_label, phrases, unit
from credit.explain.reference import Reference, leaning, missing
from credit.explain.wording import LANGUAGES, format_value, has_form, percent

MAX_REASONS = 4  # per direction
MIN_POINTS = 0.0005  # a group moving the PD by less than 0.05 points is not a reason


def top_reasons(grouped: Mapping[str, float]) -> list[tuple[str, str, float]]:
    """(group, direction, points): at most MAX_REASONS raising the risk, then MAX_REASONS lowering
    it."""
    ranked = sorted(grouped.items(), key=lambda item: -abs(item[1]))
    raising = [(g, "raises", p) for g, p in ranked if p >= MIN_POINTS][:MAX_REASONS]
    lowering = [(g, "lowers", p) for g, p in ranked if p <= -MIN_POINTS][:MAX_REASONS]
    return raising + lowering


def explain_group(
    group: Group,
    values: Mapping[str, float],
    points: Mapping[str, float],
    reference: Reference,
    direction: str,
) -> dict:
    """The group's reason, in every language, ending with its direction ('raises' or 'lowers')."""
    text = phrases()
    best = _chosen(group, values, points)
    if best is None:  # nothing known enough to say more than the group's name
        return {
            lang: text["incomplete"][lang].format(group=group.label[lang])
            + text["unknown"][direction][lang]
            for lang in LANGUAGES
        }
    if best.compare is not None and standing(best, values, reference) == direction:
        return {
            lang: _render(best.text[lang] + best.compare[lang], values, reference, lang)
            + text["direction"][direction][lang]
            for lang in LANGUAGES
        }
    if best.unknown:
        return {
            lang: _render(best.text[lang], values, reference, lang)
            + text["unknown"][direction][lang]
            for lang in LANGUAGES
        }
    return {
        lang: text["combined"][direction][lang].format(group=group.label[lang])
        for lang in LANGUAGES
    }


def standing(sentence: Sentence, values: Mapping[str, float], reference: Reference) -> str | None:
    """The way the sentence's comparison points ('raises', 'lowers'), or None when it shows no
    difference."""
    seen = set()
    for kind, name, shown_as in sentence.compared:
        if kind is None:  # {default_rate}, all clients: what the others are compared with
            continue
        value = values.get(name)
        if kind == "default_rate":
            rate = None if missing(value) else reference.default_rate_of(name, value)
            seen.add(leaning(rate, reference.default_rate))
            continue
        median, kind_unit = reference.medians.get(name), shown_as or unit(name)
        if kind == "rank" and reference.share_above(name, value) is None:
            return None
        if median is None or format_value(value, kind_unit, "fr") == format_value(
            median, kind_unit, "fr"
        ):
            return None  # a value that reads as the median's is no comparison
        seen.add(leaning(reference.side_rate(name, value), reference.default_rate))
    return seen.pop() if len(seen) == 1 else None


def _chosen(
    group: Group, values: Mapping[str, float], points: Mapping[str, float]
) -> Sentence | None:
    """Of the sentences that apply, the one whose features carry the largest contribution."""
    best, weight = None, -1.0
    for sentence in group.sentences:
        if _applies(sentence, values):
            w = sum(abs(points.get(f, 0.0)) for f in sentence.weighs)
            if w > weight:
                best, weight = sentence, w
    return best


def _applies(sentence: Sentence, values: Mapping[str, float]) -> bool:
    if not all(
        has_form(values.get(f), v) if isinstance(v, str) else values.get(f) == v
        for f, v in sentence.where.items()
    ):
        return False
    if not all(missing(values.get(f)) for f in sentence.missing):
        return False
    return all(
        name == "default_rate" or not missing(values.get(name)) for _, name, _ in sentence.shown
    )


def _render(template: str, values: Mapping[str, float], reference: Reference, lang: str) -> str:
    def one(match: re.Match) -> str:
        kind, name, shown_as = match.groups()
        if name == "default_rate" and kind is None:
            return percent(reference.default_rate, lang, 1)
        value = values.get(name)
        if kind == "default_rate":
            return percent(reference.default_rate_of(name, value), lang, 1)
        if kind == "rank":
            return _rank(reference.share_above(name, value), value < reference.medians[name], lang)
        if kind == "median":
            value = reference.medians.get(name)
        feature_unit = shown_as or unit(name)
        category = reference.category(name, value) if feature_unit == "category" else None
        return format_value(
            value, feature_unit, lang, category and category_label(name, category, lang)
        )

    return PLACEHOLDER.sub(one, template)


def _rank(share_above: float, below_median: bool, lang: str) -> str:
    """'plus bas que 80 % de nos clients' / 'plus élevé que 62 % de nos clients', and in English."""
    share = share_above if below_median else 1 - share_above
    return phrases()["rank"]["lower" if below_median else "higher"][lang].format(
        share=percent(share, lang, 0)
    )
