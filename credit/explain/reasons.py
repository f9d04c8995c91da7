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

from collections.abc import Callable, Mapping
from functools import cache, partial

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


REMEMBERED = 20_000  # reasons a Reasons keeps written (a few KB each): memory stays bounded


class Reasons:
    """The reasons of one reference's explanations. A reason's words depend only on its group, its
    direction, the sentence chosen and the values that sentence reads: the same words are written
    once and remembered (most clients share a category, a count or a missing history)."""

    def __init__(self, reference: Reference, remembered: int = REMEMBERED):
        self.reference, self.remembered = reference, remembered
        self._written: dict[tuple, dict] = {}

    def of(
        self,
        group: Group,
        values: Mapping[str, float],
        points: Mapping[str, float],
        direction: str,
    ) -> dict:
        """explain_group's reason (the same words)."""
        position = _chosen(group, values, points)
        reads = () if position is None else group.sentences[position].reads
        key = (group.id, direction, position, *[values.get(name) for name in reads])
        words = self._written.get(key)
        if words is None:
            if len(self._written) >= self.remembered:
                self._written.clear()
            words = self._written[key] = _written(
                group, position, values, self.reference, direction
            )
        return words


def explain_group(
    group: Group,
    values: Mapping[str, float],
    points: Mapping[str, float],
    reference: Reference,
    direction: str,
) -> dict:
    """The group's reason, in every language, ending with its direction ('raises' or 'lowers')."""
    return _written(group, _chosen(group, values, points), values, reference, direction)


def _written(
    group: Group,
    position: int | None,
    values: Mapping[str, float],
    reference: Reference,
    direction: str,
) -> dict:
    """The reason of the group's sentence at `position` (None: none applies)."""
    text = phrases()
    best = None if position is None else group.sentences[position]
    if best is None:  # nothing known enough to say more than the group's name
        return {
            lang: text["incomplete"][lang].format(group=group.label[lang])
            + text["unknown"][direction][lang]
            for lang in LANGUAGES
        }
    if best.compare is not None and _backs(best, values, reference, direction):
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
    if best.otherwise is not None:
        return dict(best.otherwise[direction])
    return {
        lang: text["combined"][direction][lang].format(group=group.label[lang])
        for lang in LANGUAGES
    }


def _backs(
    sentence: Sentence, values: Mapping[str, float], reference: Reference, direction: str
) -> bool:
    """Whether the sentence's comparison points the way of `direction`: each statistic it quotes
    leans that way and differs from the median as written. The leaning is checked first: it is
    cheaper than writing the value."""
    backed = False
    for kind, name, shown_as in sentence.compared:
        if kind is None:  # {default_rate}, all clients: what the others are compared with
            continue
        value = values.get(name)
        if kind == "default_rate":
            rate = None if missing(value) else reference.default_rate_of(name, value)
            if leaning(rate, reference.default_rate) != direction:
                return False
            backed = True
            continue
        if leaning(reference.side_rate(name, value), reference.default_rate) != direction:
            return False
        if kind == "rank" and reference.share_above(name, value) is None:
            return False
        if _reads_as_median(name, value, shown_as or unit(name), reference):
            return False  # a value that reads as the median's is no comparison
        backed = True
    return backed


def _reads_as_median(name: str, value: float, feature_unit: str, reference: Reference) -> bool:
    median = reference.medians[name]  # side_rate has found it
    return format_value(value, feature_unit, "fr") == reference.once(
        ("reads", name, feature_unit), lambda: format_value(median, feature_unit, "fr")
    )


def _chosen(group: Group, values: Mapping[str, float], points: Mapping[str, float]) -> int | None:
    """Of the sentences that apply, the position of the one whose features carry the largest
    contribution."""
    best, weight = None, -1.0
    for position, sentence in enumerate(group.sentences):
        if _applies(sentence, values):
            w = sum([abs(points.get(f, 0.0)) for f in sentence.weighs])
            if w > weight:
                best, weight = position, w
    return best


def _applies(sentence: Sentence, values: Mapping[str, float]) -> bool:
    """Whether the client's values are as the sentence's 'where' asks, its missing features unknown
    and every feature it shows known."""
    for feature, wanted in sentence.where.items():
        value = values.get(feature)
        if not (has_form(value, wanted) if isinstance(wanted, str) else value == wanted):
            return False
    for feature in sentence.missing:
        if not missing(values.get(feature)):
            return False
    for feature in sentence.known:
        if missing(values.get(feature)):
            return False
    return True


def _render(template: str, values: Mapping[str, float], reference: Reference, lang: str) -> str:
    pattern, fields = _compiled(template, lang)
    return pattern.format(*[field(values, reference) for field in fields])


Field = Callable[[Mapping[str, float], Reference], str]  # a placeholder's text for one client


@cache
def _compiled(template: str, lang: str) -> tuple[str, tuple[Field, ...]]:
    """The template as a format string and its placeholders' fields, in order: parsed once rather
    than matched on every render (the dictionary's templates are a small fixed set)."""
    literals, fields, end = [], [], 0
    for match in PLACEHOLDER.finditer(template):
        literals.append(template[end : match.start()])
        fields.append(_field(*match.groups(), lang))
        end = match.end()
    literals.append(template[end:])
    return "{}".join(t.replace("{", "{{").replace("}", "}}") for t in literals), tuple(fields)


def _field(kind: str | None, name: str, shown_as: str | None, lang: str) -> Field:
    """{default_rate}, {default_rate:NAME}, {rank:NAME}, {median:NAME} or {NAME}, with its unit
    looked up once."""
    if name == "default_rate" and kind is None:
        return partial(_overall_rate, lang)
    if kind == "default_rate":
        return partial(_rate, name, lang)
    if kind == "rank":
        return partial(_rank, name, lang)
    feature_unit = shown_as or unit(name)
    return partial(_median if kind == "median" else _client_value, name, feature_unit, lang)


def _overall_rate(lang: str, values: Mapping[str, float], reference: Reference) -> str:
    return reference.once(("default_rate", lang), lambda: percent(reference.default_rate, lang, 1))


def _rate(name: str, lang: str, values: Mapping[str, float], reference: Reference) -> str:
    return percent(reference.default_rate_of(name, values.get(name)), lang, 1)


def _median(
    name: str, feature_unit: str, lang: str, values: Mapping[str, float], reference: Reference
) -> str:
    """The same text for every client: written once per reference."""
    return reference.once(
        ("median", name, feature_unit, lang),
        lambda: _value(name, reference.medians.get(name), feature_unit, reference, lang),
    )


def _client_value(
    name: str, feature_unit: str, lang: str, values: Mapping[str, float], reference: Reference
) -> str:
    return _value(name, values.get(name), feature_unit, reference, lang)


def _value(
    name: str, value: float | None, feature_unit: str, reference: Reference, lang: str
) -> str:
    if feature_unit != "category":
        return format_value(value, feature_unit, lang)
    category = reference.category(name, value)
    return format_value(
        value, feature_unit, lang, category and category_label(name, category, lang)
    )


def _rank(name: str, lang: str, values: Mapping[str, float], reference: Reference) -> str:
    """'plus bas que 80 % de nos clients' / 'plus élevé que 62 % de nos clients', and in English."""
    value = values.get(name)
    share_above = reference.share_above(name, value)
    below_median = value < reference.medians[name]
    share = share_above if below_median else 1 - share_above
    return phrases()["rank"]["lower" if below_median else "higher"][lang].format(
        share=percent(share, lang, 0)
    )
