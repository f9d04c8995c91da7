"""Numbers the dashboard writes beyond the reasons' own formats (credit.explain.wording):
probability points, a term in repayments."""

from __future__ import annotations

from credit.explain.wording import counted, number
from dashboard.catalogue import words

TEXT = words("charts")
_NBSP = "\u00a0"


def points(share: float, lang: str) -> str:
    """A change of probability in points, signed, one decimal: '+8,6 pts' (fr), '−0.4 pts' (en); a
    change that rounds to nothing is '0,0 pts', never '-0,0'."""
    value = round(share * 100, 1)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{number(abs(value), lang, 1)}{_NBSP}{TEXT[lang]['pts']}"


def moment(at, lang: str) -> str:
    """A date and time the language's way: '01/12/2026 14:05' (fr), '01 Dec 2026, 14:05' (en)."""
    return at.strftime(TEXT[lang]["date_time"])


def repayments(count: float, lang: str) -> str:
    """A term as the number of annuities that repay the loan: '24 échéances', '1 repayment' (the
    data does not say how often an annuity falls, so never months)."""
    return counted(round(count), "repayment", lang)
