"""A file's reasons as a client reads them in the letter: the ones that explain the decision, and in
plain words.

Plain words: no model points, and none of the statistics of other clients a reason may quote
(medians, default rates: the comparisons of credit/explain/labels/groups.json, so the stripping
follows the dictionary); the client's own values, and their standing in words ("plus bas que 80 % de
nos clients"), stay.
"""

from __future__ import annotations

import re
from functools import cache

from credit.events import ApplicationExplained
from credit.explain.dictionary import PLACEHOLDER, groups
from credit.explain.wording import LANGUAGES

# "(+8,6 pts)", "-0.0 pts", "3 points": model points are no words for a client
_POINTS = re.compile(
    r"\s*\([^()]*\d[^()]*\bp(?:oin)?ts?\b[^()]*\)|\s*[+\-−]?\d+(?:[.,]\d+)?\s*p(?:oin)?ts?\b",
    re.IGNORECASE,
)


def main_reasons(explanation: ApplicationExplained, in_force: str | None) -> list:
    """A refusal's reasons are what raised the risk; a grant's, what lowered it; a pending case
    shows both."""
    wanted = {"refused": "raises", "granted": "lowers"}.get(in_force)
    chosen = [r for r in explanation.reasons if wanted in (None, r.direction)]
    return chosen or list(explanation.reasons)


def plain(sentence: str, lang: str | None = None) -> str:
    """A reason's sentence without model points nor, in `lang` (default: both), other clients'
    statistics."""
    for pattern in _statistics(lang) if lang else sum((_statistics(one) for one in LANGUAGES), ()):
        sentence = pattern.sub("", sentence)
    return _POINTS.sub("", sentence).strip()


@cache
def _statistics(lang: str) -> tuple[re.Pattern, ...]:
    """The dictionary's comparisons that quote other clients (a median, a default rate), as patterns
    of their text: each placeholder stands for any value without parentheses. A comparison that only
    ranks the client stays."""
    found = set()
    for sentence in (s for group in groups() for s in group.sentences if s.compare):
        if any(kind != "rank" for kind, _, _ in sentence.compared):
            template, parts, at = sentence.compare[lang], [], 0
            for match in PLACEHOLDER.finditer(template):
                parts += [re.escape(template[at : match.start()]), r"[^()]+?"]
                at = match.end()
            found.add("".join(parts) + re.escape(template[at:]))
    return tuple(re.compile(p) for p in sorted(found, key=len, reverse=True))
