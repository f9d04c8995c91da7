"""A client's descriptive information, identity-card style, from the decision's model inputs.

Sections and their fields are chosen for a relationship manager; labels, units and category
names come from the project's label dictionary, so the card and the reasons read alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from credit.explain.dictionary import category_label, feature_label, unit
from credit.explain.wording import format_value
from dashboard.catalogue import words

TEXT = words("card")
SECTIONS = {  # section id -> its fields (the titles are in the catalogue)
    "identity": (
        "AGE_YEARS",
        "NAME_FAMILY_STATUS",
        "CNT_CHILDREN",
        "CNT_FAM_MEMBERS",
        "NAME_EDUCATION_TYPE",
        "NAME_HOUSING_TYPE",
        "FLAG_OWN_REALTY",
        "FLAG_OWN_CAR",
    ),
    "work": (
        "AMT_INCOME_TOTAL",
        "NAME_INCOME_TYPE",
        "OCCUPATION_TYPE",
        "ORGANIZATION_TYPE",
        "EMPLOYED_YEARS",
        "DAYS_EMPLOYED_ANOM",
    ),
    "loan": (
        "NAME_CONTRACT_TYPE",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "AMT_GOODS_PRICE",
        "CREDIT_TERM_MONTHS",
        "ANNUITY_INCOME_RATIO",
        "CREDIT_INCOME_RATIO",
    ),
    "elsewhere": (
        "BUREAU_LOAN_COUNT",
        "BUREAU_ACTIVE_COUNT",
        "BUREAU_ACTIVE_DEBT_SUM",
        "BUREAU_OVERDUE_LOAN_COUNT",
        "AMT_REQ_CREDIT_BUREAU_YEAR",
    ),
    "with_us": (
        "PREV_COUNT",
        "PREV_APPROVED_COUNT",
        "PREV_REFUSED_COUNT",
        "PREV_DAYS_DECISION_LAST",
        "INST_COUNT",
        "INST_LATE_COUNT",
        "CC_UTILISATION_MEAN",
    ),
}


def section_title(section: str, lang: str) -> str:
    return TEXT[lang]["sections"][section]


@dataclass(frozen=True)
class Field:
    feature: str
    label: str
    value: str  # formatted with its unit, or "non renseigné"


def client_card(
    features: Sequence[str],
    values: Sequence[float | None],
    vocabularies: Mapping[str, list[str]],
    lang: str = "fr",
    sections: Sequence[str] = tuple(SECTIONS),
) -> list[tuple[str, list[Field]]]:
    """(section title, fields) for the chosen sections; fields the model does not have are left
    out."""
    by_name = dict(zip(features, values))
    return [
        (
            section_title(s, lang),
            [_field(f, by_name[f], vocabularies, lang) for f in SECTIONS[s] if f in by_name],
        )
        for s in sections
    ]


def _field(
    feature: str, value: float | None, vocabularies: Mapping[str, list[str]], lang: str
) -> Field:
    # a time before the application stands alone here ("9 months ago"), not inside a sentence
    # that says "ago" itself
    kind = "days_relative" if unit(feature) == "days_ago" else unit(feature)
    category = None
    if kind == "category" and value is not None and value == value:
        words = vocabularies.get(feature, [])
        category = (
            category_label(feature, words[int(value)], lang) if 0 <= value < len(words) else None
        )
    return Field(feature, feature_label(feature, lang), format_value(value, kind, lang, category))
