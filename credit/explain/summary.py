"""The two or three sentences that open an explanation: the decision, its main factors, context."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from credit.explain.dictionary import groups, phrases
from credit.explain.wording import LANGUAGES, percent

_FACTORS_NAMED = 2  # per direction: the summary names the main ones, the reasons list has the rest


def summarise(
    probability: float,
    decision: str,
    threshold: float,
    base_value: float,
    reasons: Sequence[dict],
    to_review: bool = False,
) -> dict[str, str]:
    """Decision and PD against the threshold; the main factors each way; that a reviewer decides, or
    the typical PD."""
    text, labels = phrases(), _labels()
    out = {}
    for lang in LANGUAGES:

        def named(direction: str, lang: str = lang) -> str:
            names = [labels[r["group"]][lang] for r in reasons if r["direction"] == direction]
            return (" et " if lang == "fr" else " and ").join(names[:_FACTORS_NAMED]) or text[
                "no_factor"
            ][lang]

        first = text[f"{decision}_proposed" if to_review else decision][lang].format(
            pd=percent(probability, lang, 1), threshold=_model_rate(threshold, lang)
        )
        second = text["factors"][lang].format(raises=named("raises"), lowers=named("lowers"))
        third = (
            text["to_review"][lang]
            if to_review
            else text["typical"][lang].format(base=_model_rate(base_value, lang))
        )
        out[lang] = " ".join((first, second, third))
    return out


@lru_cache(maxsize=64)
def _model_rate(share: float, lang: str) -> str:
    """The threshold or the base rate as written: the same for every decision of a model version."""
    return percent(share, lang, 1)


@cache
def _labels() -> dict[str, dict[str, str]]:
    """Each group's label as the summary names it, mid-sentence (built once)."""
    return {g.id: {lang: _lower_first(g.label[lang]) for lang in LANGUAGES} for g in groups()}


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]
