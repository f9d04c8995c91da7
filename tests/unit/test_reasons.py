"""Reason sentences (golden, French and English), their choice, the summary and the dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.explain.dictionary import DictionaryError, group_of, groups, unit
from credit.explain.reasons import explain_group, top_reasons
from credit.explain.reference import Reference
from credit.explain.summary import summarise

pytestmark = pytest.mark.unit
NAN = float("nan")
NBSP = "\u00a0"
REFERENCE = Reference(
    medians={
        "INST_RECENT_LATE_COUNT": 0.0,
        "INST_LATE_COUNT": 1.0,
        "EMPLOYED_YEARS": 4.2,
        "EXT_SOURCE_MEAN": 0.5,
        "CREDIT_INCOME_RATIO": 3.2,
        "AMT_REQ_CREDIT_BUREAU_YEAR": 1.0,
        "OWN_CAR_AGE": 9.0,
        "DAYS_LAST_PHONE_CHANGE": -800.0,
        "ANNUITY_INCOME_RATIO": 0.16,
    },
    default_rates={
        "NAME_EDUCATION_TYPE": {"Lower secondary": 0.109},
        "EMPLOYMENT_PENSIONER": {"1.0": 0.054},
        "EMPLOYMENT_NONE_DECLARED": {"1.0": 0.099},
    },
    default_rate=0.081,
    vocabularies={
        "NAME_EDUCATION_TYPE": [
            "Secondary / secondary special",
            "Higher education",
            "Lower secondary",
        ]
    },
    around_median={
        "INST_RECENT_LATE_COUNT": [None, 0.15],
        "INST_LATE_COUNT": [0.07, 0.1],
        "EMPLOYED_YEARS": [0.11, 0.06],
        "EXT_SOURCE_MEAN": [0.12, 0.05],
        "AMT_REQ_CREDIT_BUREAU_YEAR": [0.08, 0.09],
        "OWN_CAR_AGE": [0.06, 0.09],
        "DAYS_LAST_PHONE_CHANGE": [0.07, 0.1],
        "ANNUITY_INCOME_RATIO": [0.07, 0.09],
    },
    quantiles={"EXT_SOURCE_MEAN": [0.1 + 0.008 * i for i in range(101)]},
)
COMBINED = {
    "raises": {
        "fr": " : combiné au reste du dossier, cet élément augmente le risque.",
        "en": ": combined with the rest of the file, this raises the risk.",
    },
    "lowers": {
        "fr": " : combiné au reste du dossier, cet élément réduit le risque.",
        "en": ": combined with the rest of the file, this lowers the risk.",
    },
}


def combined(group_id: str, direction: str) -> dict:
    """A reason no comparison backs: the group's label, that its effect comes with the rest of the
    file, no value."""
    label = next(g for g in groups() if g.id == group_id).label
    return {lang: label[lang] + COMBINED[direction][lang] for lang in ("fr", "en")}


def sentence(
    group_id: str, values: dict, points: dict | None = None, direction: str = "raises"
) -> dict:
    group = next(g for g in groups() if g.id == group_id)
    return explain_group(group, values, points or {}, REFERENCE, direction)


LATE = {
    "INST_COUNT": 40.0,
    "INST_LATE_COUNT": 5.0,
    "INST_RECENT_COUNT": 12.0,
    "INST_RECENT_LATE_COUNT": 3.0,
}


def test_a_comparison_that_points_the_way_of_the_direction_is_quoted_with_it():
    text = sentence("instalments", LATE, {"INST_RECENT_LATE_COUNT": 0.02, "INST_LATE_COUNT": 0.001})
    assert text["fr"] == (
        "Les remboursements passés ont été en retard 3\u00a0fois sur 12\u00a0échéances des 12 "
        "derniers mois (médiane des clients : 0), ce qui augmente le risque."
    )
    assert text["en"] == (
        "Past repayments were late 3\u00a0times out of 12\u00a0instalments in the last 12 months "
        "(median client: 0), which raises the risk."
    )


def test_a_direction_the_comparison_contradicts_names_the_factor_combined_with_file_and_no_value():
    text = sentence("instalments", LATE, {"INST_RECENT_LATE_COUNT": 0.02}, "lowers")
    assert text == {
        "fr": "Historique de remboursement des crédits précédents : combiné au reste du dossier, "
        "cet élément réduit le risque.",
        "en": "Payment history on previous loans: combined with the rest of the file, this lowers "
        "the risk.",
    }


def test_the_sentence_follows_the_feature_that_moves_the_risk_most():
    text = sentence("instalments", LATE, {"INST_RECENT_LATE_COUNT": 0.001, "INST_LATE_SHARE": 0.03})
    assert text["fr"] == (
        "Les remboursements passés ont été en retard 5\u00a0fois sur 40\u00a0échéances "
        "(médiane des clients : 1), ce qui augmente le risque."
    )


def test_a_value_equal_to_the_median_is_no_comparison():
    text = sentence("bureau_enquiries", {"AMT_REQ_CREDIT_BUREAU_YEAR": 1.0}, {}, "lowers")
    assert text == combined("bureau_enquiries", "lowers")
    assert (
        text["fr"]
        == "Consultations du bureau de crédit : combiné au reste du dossier, cet élément réduit le "
        "risque."
    )
    more = sentence("bureau_enquiries", {"AMT_REQ_CREDIT_BUREAU_YEAR": 3.0}, {}, "raises")
    assert more["en"].startswith("The credit bureau was consulted 3\u00a0times about this client")


def test_an_external_score_is_a_credit_bureaus_score_ranked_among_our_clients():
    text = sentence("external_scores", {"EXT_SOURCE_MEAN": 0.26}, {"EXT_SOURCE_MEAN": 0.03})
    assert text["fr"] == (
        "Le score moyen du client auprès des bureaux de crédit externes est de 0,26 sur 1, "
        "plus bas que 80\u00a0% de nos clients, ce qui augmente le risque."
    )
    assert text["en"] == (
        "The client's average score from external credit bureaus is 0.26 out of 1, "
        "lower than 80% of our clients, which raises the risk."
    )
    high = sentence("external_scores", {"EXT_SOURCE_MEAN": 0.82}, {}, "lowers")
    assert high["en"] == (
        "The client's average score from external credit bureaus is 0.82 out of 1, "
        "higher than 90% of our clients, which lowers the risk."
    )
    against = sentence("external_scores", {"EXT_SOURCE_MEAN": 0.26}, {}, "lowers")
    assert against == combined("external_scores", "lowers")


def test_a_category_is_compared_by_default_rate_only_when_the_rate_points_the_same_way():
    text = sentence("education", {"NAME_EDUCATION_TYPE": 2.0})
    assert text["fr"] == (
        f"Niveau d'études : Niveau collège (taux de défaut de ce niveau : 10,9{NBSP}%, "
        f"ensemble des clients : 8,1{NBSP}%), ce qui augmente le risque."
    )
    assert text["en"].startswith(
        "Education: Lower secondary school (default rate at this level: 10.9%, all clients: 8.1%)"
    )
    against = sentence("education", {"NAME_EDUCATION_TYPE": 2.0}, {}, "lowers")
    assert against["en"] == "Education: combined with the rest of the file, this lowers the risk."


def test_kaggles_employment_sentinel_reads_as_a_pension_or_as_no_employment_declared():
    pension = sentence(
        "employment",
        {"EMPLOYED_YEARS": NAN, "EMPLOYMENT_PENSIONER": 1.0, "EMPLOYMENT_NONE_DECLARED": 0.0},
        {"EMPLOYMENT_PENSIONER": -0.01},
        "lowers",
    )
    assert pension == {
        "fr": "Le client perçoit une pension de retraite (taux de défaut des retraités : "
        f"5,4{NBSP}%, ensemble des clients : 8,1{NBSP}%), ce qui réduit le risque.",
        "en": "The client receives a retirement pension (default rate of pensioners: 5.4%, all "
        "clients: 8.1%), which lowers the risk.",
    }
    none = sentence(
        "employment",
        {"EMPLOYED_YEARS": NAN, "EMPLOYMENT_PENSIONER": 0.0, "EMPLOYMENT_NONE_DECLARED": 1.0},
    )
    assert none["fr"] == (
        "Le client ne déclare pas d'emploi (taux de défaut des clients sans emploi déclaré : "
        f"9,9{NBSP}%, ensemble des clients : 8,1{NBSP}%), ce qui augmente le risque."
    )
    assert none["en"] == (
        "The client declares no employment (default rate of clients declaring no employment: 9.9%, "
        "all clients: 8.1%), which raises the risk."
    )
    assert sentence("employment", {"EMPLOYMENT_PENSIONER": 1.0}, {}, "raises") == combined(
        "employment", "raises"
    )


def test_employment_is_stated_in_years_with_the_median_and_unknown_employment_is_said_missing():
    text = sentence(
        "employment",
        {"EMPLOYED_YEARS": 1.5, "EMPLOYMENT_PENSIONER": 0.0, "EMPLOYMENT_NONE_DECLARED": 0.0},
    )
    assert text["fr"] == (
        f"Le client occupe son emploi actuel depuis 18{NBSP}mois (médiane des clients : "
        f"4{NBSP}ans), ce qui augmente le risque."
    )
    unknown = sentence(
        "employment",
        {"EMPLOYED_YEARS": NAN, "EMPLOYMENT_PENSIONER": 0.0, "EMPLOYMENT_NONE_DECLARED": 0.0},
    )
    assert unknown["en"] == (
        "Time in the current job is not stated: without this information the estimate stays "
        "cautious, which raises the risk; providing it would allow this point to be reassessed."
    )


def test_information_the_lender_did_not_collect_is_said_missing_never_held_against_the_client():
    raises = sentence("building", {"HOUSETYPE_MODE": NAN}, {"APARTMENTS_AVG": 0.01})
    assert raises["fr"] == (
        "Les caractéristiques de l'immeuble d'habitation n'ont pas été recueillies : sans cette "
        "information, l'estimation reste prudente, ce qui augmente le risque ; la fournir "
        "permettrait de réexaminer ce point."
    )
    lowers = sentence("building", {"HOUSETYPE_MODE": NAN}, {}, "lowers")
    assert lowers["en"] == (
        "The residential building's characteristics were not collected; combined with the rest "
        "of the file, the absence of this information lowers the risk."
    )
    no_score = sentence("external_scores", {"EXT_SOURCE_MEAN": NAN})
    assert no_score["en"].startswith(
        "No score from an external credit bureau is available for this client: without"
    )
    absent = sentence("building", {"HOUSETYPE_MODE": NAN}, {}, "lowers")
    assert absent["fr"] == (
        "Les caractéristiques de l'immeuble d'habitation n'ont pas été recueillies ; combinée au "
        "reste du dossier, l'absence de cette information réduit le risque."
    )


def test_history_rows_we_do_not_have_are_missing_information_never_the_clients_fault():
    history = sentence("instalments", {"INST_COUNT": NAN}, {"INST_COUNT": 0.01})
    assert history == {
        "fr": "L'historique de remboursement du client chez nous n'est pas disponible : sans cette "
        "information, l'estimation reste prudente, ce qui augmente le risque ; la fournir "
        "permettrait de réexaminer ce point.",
        "en": "The client's repayment history with us is not available: without this information "
        "the estimate stays cautious, which raises the risk; providing it would allow this point "
        "to be reassessed.",
    }
    for group, count in [
        ("bureau", "BUREAU_LOAN_COUNT"),
        ("previous_applications", "PREV_COUNT"),
        ("pos_cash", "POS_MONTH_COUNT"),
        ("credit_card", "CC_MONTH_COUNT"),
    ]:
        text = sentence(group, {count: NAN})
        assert "la fournir permettrait" in text["fr"] and "providing it would" in text["en"], group
    assert sentence("previous_applications", {"PREV_COUNT": NAN})["en"].startswith(
        "The client's previous applications with us are not known:"
    )


def test_values_are_in_the_units_people_use():
    car = sentence("car", {"FLAG_OWN_CAR": 1.0, "OWN_CAR_AGE": 0.0}, {}, "lowers")
    assert car == {
        "fr": "Le client possède une voiture de moins d'un an (médiane des propriétaires : "
        f"9{NBSP}ans), ce qui réduit le risque.",
        "en": f"The client owns a car that is less than a year old (median owner: 9{NBSP}years), "
        "which lowers the risk.",
    }
    phone = sentence("contact", {"DAYS_LAST_PHONE_CHANGE": 0.0}, {"DAYS_LAST_PHONE_CHANGE": 0.01})
    assert phone == {
        "fr": "Le client a changé de téléphone le jour de la demande (médiane des clients : il y a "
        f"2{NBSP}ans), ce qui augmente le risque.",
        "en": "The client changed phone on the day of the application (median client: "
        f"2{NBSP}years ago), which raises the risk.",
    }
    burden = sentence("repayment_burden", {"AMT_ANNUITY": 24700.0, "ANNUITY_INCOME_RATIO": 0.2})
    assert burden["fr"] == (
        f"L'annuité de ce crédit (24{NBSP}700{NBSP}€) représente 20{NBSP}% du revenu déclaré "
        f"(médiane des clients : 16{NBSP}%), ce qui augmente le risque."
    )
    assert burden["en"] == (
        "This loan's annuity (€24,700) is 20% of the declared income (median client: 16%), "
        "which raises the risk."
    )
    term = sentence("loan_term", {"CREDIT_TERM_MONTHS": 22.4})
    assert term == combined(
        "loan_term", "raises"
    )  # no median to compare with: the factor, no value


COUNTED = Reference(
    medians={
        "BUREAU_OVERDUE_LOAN_COUNT": 0.5,
        "PREV_REFUSED_COUNT": 0.5,
        "INST_LATE_COUNT": 0.5,
        "INST_RECENT_LATE_COUNT": 0.5,
        "BUREAU_ACTIVE_DEBT_SUM": 50000.0,
        "PREV_APPROVED_RATE_MEAN": 0.3,
        "DAYS_REGISTRATION": -5000.0,
        "AMT_CREDIT": 500000.0,
    },
    default_rates={},
    default_rate=0.081,
    vocabularies={},
    around_median={
        f: [0.05, 0.12]
        for f in (
            "BUREAU_OVERDUE_LOAN_COUNT",
            "PREV_REFUSED_COUNT",
            "INST_LATE_COUNT",
            "INST_RECENT_LATE_COUNT",
            "BUREAU_ACTIVE_DEBT_SUM",
            "PREV_APPROVED_RATE_MEAN",
            "AMT_CREDIT",
        )
    }
    | {"DAYS_REGISTRATION": [0.07, 0.1]},
)


def said(
    group_id: str, values: dict, direction: str = "lowers", points: dict | None = None
) -> dict:
    """The fact of a backed reason (below the median lowers the risk in COUNTED), without comparison
    and direction."""
    group = next(g for g in groups() if g.id == group_id)
    text = explain_group(group, values, points or {}, COUNTED, direction)
    return {lang: t.split(" (m")[0] for lang, t in text.items()}


@pytest.mark.parametrize(
    "group, values, fr, en",
    [
        (
            "previous_applications",
            {"PREV_REFUSED_COUNT": 0.0, "PREV_COUNT": 2.0},
            "Aucune des 2 demandes de crédit précédentes chez nous n'a été refusée",
            "None of the 2 previous applications with us was refused",
        ),
        (
            "previous_applications",
            {"PREV_REFUSED_COUNT": 0.0, "PREV_COUNT": 1.0},
            "La demande de crédit précédente chez nous n'a pas été refusée",
            "The previous application with us was not refused",
        ),
        (
            "instalments",
            {"INST_LATE_COUNT": 0.0, "INST_COUNT": 1.0},
            f"Aucun retard de remboursement sur 1{NBSP}échéance de crédits précédents chez nous",
            f"No late payment on 1{NBSP}instalment of previous loans with us",
        ),
        (
            "instalments",
            {"INST_RECENT_LATE_COUNT": 0.0, "INST_RECENT_COUNT": 12.0},
            f"Aucun retard de remboursement sur 12{NBSP}échéances au cours des 12 derniers mois",
            f"No late payment on 12{NBSP}instalments in the last 12 months",
        ),
        (
            "bureau",
            {"BUREAU_OVERDUE_LOAN_COUNT": 0.0, "BUREAU_LOAN_COUNT": 1.0},
            "Aucun crédit du client dans d'autres établissements n'a d'impayé en cours "
            f"(1{NBSP}crédit au total)",
            f"None of the client's loans at other lenders has an overdue amount (1{NBSP}loan in "
            "all)",
        ),
        (
            "bureau",
            {"BUREAU_ACTIVE_DEBT_SUM": 0.0},
            "Le client ne doit plus rien sur ses crédits dans d'autres établissements",
            "The client owes nothing more on loans at other lenders",
        ),
        (
            "previous_applications",
            {"PREV_APPROVED_RATE_MEAN": 0.2},
            "D'après leurs remboursements, les crédits que nous avons accordés précédemment au "
            f"client avaient un taux d'intérêt annuel de 20,0{NBSP}% en moyenne",
            "Estimated from their repayments, the loans we granted the client before had an annual "
            "interest rate of 20.0% on average",
        ),
        (
            "loan_amount",
            {"AMT_CREDIT": 200000.0},
            f"Le crédit demandé est de 200{NBSP}000{NBSP}€",
            "The loan requested is €200,000",
        ),
    ],
)
def test_counts_read_in_words_zero_one_or_many_in_both_languages(group, values, fr, en):
    assert said(group, values) == {"fr": fr, "en": en}


@pytest.mark.parametrize(
    "group, values, fr, en",
    [
        (
            "previous_applications",
            {"PREV_REFUSED_COUNT": 1.0, "PREV_COUNT": 3.0},
            "1 des 3 demandes de crédit précédentes chez nous a été refusée",
            "1 of the 3 previous applications with us was refused",
        ),
        (
            "previous_applications",
            {"PREV_REFUSED_COUNT": 1.0, "PREV_COUNT": 1.0},
            "La demande de crédit précédente chez nous a été refusée",
            "The previous application with us was refused",
        ),
        (
            "previous_applications",
            {"PREV_REFUSED_COUNT": 2.0, "PREV_COUNT": 5.0},
            "2 des 5 demandes de crédit précédentes chez nous ont été refusées",
            "2 of the 5 previous applications with us were refused",
        ),
        (
            "instalments",
            {"INST_LATE_COUNT": 1.0, "INST_COUNT": 1.0},
            f"Les remboursements passés ont été en retard 1{NBSP}fois sur 1{NBSP}échéance",
            f"Past repayments were late 1{NBSP}time out of 1{NBSP}instalment",
        ),
        (
            "bureau",
            {"BUREAU_OVERDUE_LOAN_COUNT": 1.0, "BUREAU_LOAN_COUNT": 3.0},
            f"Le client a 1{NBSP}crédit avec un impayé en cours dans d'autres établissements, sur "
            "3 au total",
            f"The client has 1{NBSP}loan with an overdue amount at other lenders, out of 3 in all",
        ),
        (
            "identity",
            {"DAYS_REGISTRATION": -365.0},
            f"L'adresse officielle a été modifiée il y a 1{NBSP}an",
            f"The client last changed their registered address 1{NBSP}year ago",
        ),
    ],
)
def test_counts_that_raise_the_risk_agree_with_their_number(group, values, fr, en):
    assert said(group, values, "raises") == {"fr": fr, "en": en}


def test_a_group_with_nothing_known_still_gets_a_sentence_naming_it():
    text = sentence("addresses", {}, {}, "lowers")
    assert text["fr"] == (
        "Cohérence des adresses : information incomplète ; combinée au reste du dossier, "
        "l'absence de cette information réduit le risque."
    )


def test_each_group_has_a_stable_documented_reason_code_and_the_application_time_is_no_reason():
    codes = [g.code for g in groups()]
    assert len(set(codes)) == len(codes) and all(
        c.isupper() and c.replace("_", "").isalnum() for c in codes
    )
    documented = (Path(__file__).resolve().parents[2] / "docs" / "reason_codes.md").read_text(
        encoding="utf-8"
    )
    assert all(f"`{c}`" in documented for c in codes)
    assert [g.id for g in groups() if not g.reason] == ["application_timing"]


def test_top_reasons_are_at_most_four_each_way_largest_first_and_ignore_tiny_effects():
    grouped = {f"up{i}": 0.01 * (i + 1) for i in range(6)} | {
        f"down{i}": -0.002 * (i + 1) for i in range(3)
    }
    grouped |= {"tiny": 0.0001, "tiny_down": -0.0004}
    reasons = top_reasons(grouped)
    assert [g for g, _, _ in reasons] == ["up5", "up4", "up3", "up2", "down2", "down1", "down0"]
    assert {d for _, d, p in reasons if p > 0} == {"raises"} and {
        d for _, d, p in reasons if p < 0
    } == {"lowers"}


def test_summary_names_decision_threshold_main_factors_says_a_reviewer_decides_a_case_to_review():
    reasons = [
        {"group": "instalments", "direction": "raises"},
        {"group": "external_scores", "direction": "raises"},
        {"group": "age", "direction": "raises"},
        {"group": "employment", "direction": "lowers"},
    ]
    near = summarise(0.081, "refused", 0.075, 0.056, reasons, to_review=True)
    assert near["fr"] == (
        f"Refus proposé : la probabilité de défaut estimée est de 8,1{NBSP}%, au-dessus du seuil "
        f"de 7,5{NBSP}% fixé par la politique de crédit. Ce qui pèse le plus contre la demande : "
        "historique de remboursement des crédits précédents et scores des bureaux de crédit "
        "externes ; ce qui compte le plus en sa faveur : ancienneté dans l'emploi. La probabilité "
        "est si proche du seuil qu'un conseiller habilité décide : il confirme ou change la "
        "proposition, en la justifiant."
    )
    assert summarise(0.081, "refused", 0.075, 0.056, reasons)["en"].startswith(
        "Application refused: "
    )
    far = summarise(0.02, "granted", 0.075, 0.056, reasons[3:])
    assert far["en"] == (
        "Application granted: the estimated probability of default is 2.0%, below the 7.5% "
        "threshold set by the credit policy. What weighs most against the application: no notable "
        "factor; what counts most in its favour: time in employment. For comparison, a typical "
        "client has a probability of default of 5.6%."
    )


def test_every_computed_feature_has_one_group_and_a_label_and_gender_has_none(real_bundle_features):
    owners = group_of(real_bundle_features)
    assert len(owners) == len(real_bundle_features)
    assert all(unit(f) for f in real_bundle_features)
    with pytest.raises(DictionaryError, match="protected"):
        group_of(["CODE_GENDER"])
    with pytest.raises(DictionaryError, match="exactly one"):
        group_of(["A_FEATURE_NOBODY_KNOWS"])


def test_every_sentence_shows_only_features_of_its_own_group_in_both_languages(
    real_bundle_features,
):
    import re

    for group in groups():
        mine = {f for f in real_bundle_features if group.owns(f)}
        if (
            not mine
        ):  # a group of inputs the input policy now excludes: kept for bundles trained before
            continue
        for s in group.sentences:
            for part in (s.text, s.compare or {"fr": "", "en": ""}):
                shown = {
                    m
                    for lang in ("fr", "en")
                    for m in re.findall(r"\{(?:\w+:)?([A-Z0-9_]+)", part[lang])
                }
                assert shown <= mine, (group.id, shown - mine)
                assert set(re.findall(r"\{[^}]*\}", part["fr"])) == set(
                    re.findall(r"\{[^}]*\}", part["en"])
                ), group.id


@pytest.fixture(scope="module")
def real_bundle_features(tmp_path_factory):
    """Every feature the code computes: the application's (with the Kaggle vocabularies) and the
    history's."""
    from credit.events import categories
    from credit.features import aggregate_history
    from credit.features.vector import application_feature_names
    from tests.unit.tiny_tables import write_tiny_dir
    from training.data import load_tables

    history = aggregate_history(load_tables(write_tiny_dir(tmp_path_factory.mktemp("tiny"))))
    return application_feature_names(categories()) + list(history.columns)
