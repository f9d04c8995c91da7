"""The client card: the decision's model inputs written for a relationship manager."""

from __future__ import annotations

import pytest

from dashboard.card import client_card, section_title

pytestmark = pytest.mark.unit
NBSP = "\u00a0"
VOCAB = {
    "NAME_FAMILY_STATUS": ["Married", "Single / not married"],
    "NAME_CONTRACT_TYPE": ["Cash loans", "Revolving loans"],
}


def test_fields_are_labelled_and_formatted_with_units_and_categories_in_words():
    features = [
        "AGE_YEARS",
        "NAME_FAMILY_STATUS",
        "AMT_INCOME_TOTAL",
        "NAME_CONTRACT_TYPE",
        "ANNUITY_INCOME_RATIO",
    ]
    card = dict(client_card(features, [34.6, 1.0, 135000.0, 0.0, 0.153], VOCAB, "fr"))
    identity = {f.feature: f.value for f in card["Identité et famille"]}
    assert identity == {"AGE_YEARS": f"34{NBSP}ans", "NAME_FAMILY_STATUS": "Célibataire"}
    assert {f.feature: f.value for f in card["Revenus et emploi"]} == {
        "AMT_INCOME_TOTAL": f"135{NBSP}000{NBSP}€"
    }
    loan = {f.feature: (f.label, f.value) for f in card["Crédit demandé"]}
    assert (
        loan["ANNUITY_INCOME_RATIO"][1] == f"15{NBSP}%"
        and loan["NAME_CONTRACT_TYPE"][1] == "Prêt personnel"
    )


def test_missing_values_say_so_and_english_is_available():
    card = dict(client_card(["AGE_YEARS", "BUREAU_LOAN_COUNT"], [None, float("nan")], {}, "en"))
    assert [f.value for f in card["Identity and family"]] == ["not stated"]
    assert [f.value for f in card["Loans at other lenders"]] == ["not stated"]


def test_only_the_chosen_sections_are_shown_in_order():
    card = client_card(
        ["AGE_YEARS", "AMT_CREDIT"], [40.0, 1e5], {}, "fr", sections=("loan", "identity")
    )
    assert [title for title, _ in card] == [
        section_title("loan", "fr"),
        section_title("identity", "fr"),
    ]


def test_a_time_before_the_application_reads_as_ago_in_both_languages():
    """An outsider's read found "Decision on the most recent previous application | 9 months"."""
    for lang, ago in (("en", f"9{NBSP}months ago"), ("fr", f"il y a 9{NBSP}mois")):
        card = client_card(["PREV_DAYS_DECISION_LAST"], [-275.0], {}, lang)
        assert [f.value for _, fields in card for f in fields] == [ago]
