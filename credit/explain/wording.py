"""Values written the way a French or English reader expects: units, decimals, durations.

Kept here rather than in a locale library so reason sentences are stable text that golden
tests can pin (locale data changes spaces and signs between releases).
"""

from __future__ import annotations

import math

from credit.explain.reference import missing

LANGUAGES = ("fr", "en")
_NBSP = "\u00a0"
_WORDS = {  # unit word: (French singular, French plural, English singular, English plural)
    "year": ("an", "ans", "year", "years"),
    "month": ("mois", "mois", "month", "months"),
    "day": ("jour", "jours", "day", "days"),
    "time": ("fois", "fois", "time", "times"),
    "annuity": ("annuité", "annuités", "annuity", "annuities"),
    "loan": ("crédit", "crédits", "loan", "loans"),
    "instalment": ("échéance", "échéances", "instalment", "instalments"),
    "repayment": ("échéance", "échéances", "repayment", "repayments"),
}
APPLICATION_DAY = {"fr": "le jour de la demande", "en": "on the day of the application"}
_YES_NO = {"fr": ("non", "oui"), "en": ("no", "yes")}
MISSING = {"fr": "non renseigné", "en": "not stated"}
# The lender's currency: amounts in the Home Credit columns are in it (the data does not name one).
CURRENCY = "€"
# Format specs of the usual decimals, built once: number() formats every value of every reason.
_GROUPED = tuple(f",.{decimals}f" for decimals in range(3))


def number(value: float, lang: str, decimals: int = 0) -> str:
    """1234.5 -> '1 234,5' (fr) or '1,234.5' (en)."""
    text = format(value, _GROUPED[decimals] if 0 <= decimals < len(_GROUPED) else f",.{decimals}f")
    if lang == "fr":
        text = text.replace(",", _NBSP).replace(".", ",")
    return text


def percent(share: float, lang: str, decimals: int | None = None) -> str:
    """A share (0-1) as a percentage: one decimal below 10 %, none above, unless `decimals` is
    given."""
    value = share * 100
    decimals = (
        (1 if 0 < abs(value) < 10 else 0) if decimals is None else decimals
    )  # "0 %", not "0,0 %"
    return number(value, lang, decimals) + (f"{_NBSP}%" if lang == "fr" else "%")


def money(value: float, lang: str) -> str:
    """An amount with its currency: '180 000 €' (fr), '€180,000' (en)."""
    whole = number(round(abs(value)), lang)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}{_NBSP}{CURRENCY}" if lang == "fr" else f"{sign}{CURRENCY}{whole}"


def counted(value: float, word: str, lang: str) -> str:
    """'3 ans', '1 year', '0,5 jour': one decimal for small non-whole values."""
    decimals = 1 if abs(value) < 10 and round(value, 1) != round(value) else 0
    shown = round(value, decimals)
    fr_one, fr_many, en_one, en_many = _WORDS[word]
    if lang == "fr":
        noun = fr_one if abs(shown) < 2 else fr_many
    else:
        noun = en_one if shown == 1 else en_many
    return f"{number(shown, lang, decimals)}{_NBSP}{noun}"


def duration(days: float, lang: str) -> str:
    """A positive number of days before the application, in the unit people use for that length of
    time: whole years rather than 12 or 24 months."""
    if days < 1:  # the data counts whole days before the application: 0 is the application's day
        return APPLICATION_DAY[lang]
    if days < 60:
        return counted(days, "day", lang)
    if days >= 2 * 365.25:
        return counted(math.floor(days / 365.25), "year", lang)
    months = round(days / 30.44)
    return (
        counted(months // 12, "year", lang) if months % 12 == 0 else counted(months, "month", lang)
    )


def count_form(value: float | None) -> str | None:
    """Which form of a sentence a count or share calls for: 'zero', 'one' or 'many' (None when
    unknown). A sentence's 'where' may ask for one of them, or for 'some' (not zero), so that "0 des
    2 demandes" reads "Aucune des 2 demandes" and "1 fois sur 1 échéances" agrees
    (credit/explain/labels/groups.json)."""
    if missing(value):
        return None
    return "zero" if value == 0 else "one" if value == 1 else "many"


def has_form(value: float | None, wanted: str) -> bool:
    form = count_form(value)
    return form is not None and (form == wanted or (wanted == "some" and form != "zero"))


def years(value: float, lang: str) -> str:
    return duration(value * 365.25, lang)


def whole_years(value: float, lang: str) -> str:
    """An age the data gives in whole years (a car's): 0 is less than a year."""
    if value < 1:
        return "moins d'un an" if lang == "fr" else "less than a year"
    return counted(math.floor(value), "year", lang)


def days_relative(value: float, lang: str) -> str:
    """Days from the application: 'il y a 3 ans' / '3 years ago', 'le jour de la demande', 'dans 2
    mois'."""
    if abs(value) < 1:
        return APPLICATION_DAY[lang]
    if value < 0:
        return (
            f"il y a {duration(-value, lang)}" if lang == "fr" else f"{duration(-value, lang)} ago"
        )
    return f"{'dans' if lang == 'fr' else 'in'} {duration(value, lang)}"


def hour(value: float, lang: str) -> str:
    return f"{int(value)}{_NBSP}h" if lang == "fr" else f"{int(value):02d}:00"


def format_value(value: float | None, unit: str, lang: str, category: str | None = None) -> str:
    """One feature value for people. Categories arrive already translated in `category`."""
    if missing(value):
        return MISSING[lang]
    if unit == "category":
        return category if category is not None else MISSING[lang]
    return _FORMATS[unit](float(value), lang)


_FORMATS = {
    "money": money,
    "percent": percent,
    "rate": lambda v, lang: percent(v, lang, 1),
    "times": lambda v, lang: counted(v, "time", lang),
    "years": years,
    "months": lambda v, lang: counted(round(v), "month", lang),
    "days": lambda v, lang: counted(v, "day", lang),
    "days_ago": lambda v, lang: duration(abs(v), lang),
    "days_relative": days_relative,
    "whole_years": whole_years,
    "occurrences": lambda v, lang: counted(v, "time", lang),
    "annuities": lambda v, lang: counted(v, "annuity", lang),
    "loans": lambda v, lang: counted(v, "loan", lang),
    "instalments": lambda v, lang: counted(v, "instalment", lang),
    "count": lambda v, lang: number(v, lang, 0 if float(v).is_integer() else 1),
    "score": lambda v, lang: number(v, lang, 2),
    "flag": lambda v, lang: _YES_NO[lang][int(v != 0)],
    "hour": hour,
    "number": lambda v, lang: number(v, lang, 0 if float(v).is_integer() else 2),
}
