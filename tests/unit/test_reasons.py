"""Reason sentences (golden, French and English), their choice, the summary and the dictionary."""
from __future__ import annotations

import pytest

from credit.explain.dictionary import DictionaryError, group_of, groups, unit
from credit.explain.reasons import Reference, explain_group, top_reasons, with_direction
from credit.explain.summary import summarise

pytestmark = pytest.mark.unit
NAN = float("nan")
NBSP = "\u00a0"
REFERENCE = Reference(
    medians={"INST_RECENT_LATE_COUNT": 0.0, "INST_LATE_COUNT": 1.0, "EMPLOYED_YEARS": 4.2,
             "EXT_SOURCE_MEAN": 0.52, "CREDIT_INCOME_RATIO": 3.2},
    default_rates={"NAME_EDUCATION_TYPE": {"Lower secondary": 0.109}}, default_rate=0.081,
    vocabularies={"NAME_EDUCATION_TYPE": ["Secondary / secondary special", "Higher education", "Lower secondary"]})


def sentence(group_id: str, values: dict, points: dict | None = None, direction: str = "raises") -> dict:
    group = next(g for g in groups() if g.id == group_id)
    return with_direction(explain_group(group, values, points or {}, REFERENCE), direction)


def test_late_repayments_are_counted_over_the_last_twelve_months():
    text = sentence("instalments", {"INST_COUNT": 40.0, "INST_LATE_COUNT": 5.0, "INST_RECENT_COUNT": 12.0,
                                    "INST_RECENT_LATE_COUNT": 3.0},
                    {"INST_RECENT_LATE_COUNT": 0.02, "INST_LATE_COUNT": 0.001})
    assert text["fr"] == ("Les remboursements passés ont été en retard 3 fois sur 12 échéances des 12 derniers mois "
                          "(médiane des clients : 0), ce qui augmente le risque.")
    assert text["en"] == ("Past repayments were late 3 times out of 12 instalments in the last 12 months "
                          "(median client: 0), which raises the risk.")


def test_the_sentence_follows_the_feature_that_moves_the_risk_most():
    values = {"INST_COUNT": 40.0, "INST_LATE_COUNT": 5.0, "INST_RECENT_COUNT": 12.0, "INST_RECENT_LATE_COUNT": 3.0}
    text = sentence("instalments", values, {"INST_RECENT_LATE_COUNT": 0.001, "INST_LATE_SHARE": 0.03}, "lowers")
    assert text["fr"] == ("Les remboursements passés ont été en retard 5 fois sur 40 échéances "
                          "(médiane des clients : 1), ce qui réduit le risque.")


def test_a_client_without_history_is_told_so():
    text = sentence("instalments", {"INST_COUNT": NAN, "INST_RECENT_COUNT": NAN}, {"INST_COUNT": 0.01})
    assert text == {"fr": "Aucun historique de remboursement chez nous, ce qui augmente le risque.",
                    "en": "No repayment history with us, which raises the risk."}


def test_kaggles_not_employed_sentinel_reads_as_no_job_not_as_a_thousand_years():
    # DAYS_EMPLOYED = 365243 becomes a missing DAYS_EMPLOYED with DAYS_EMPLOYED_ANOM = 1 (credit.features).
    text = sentence("employment", {"DAYS_EMPLOYED": NAN, "EMPLOYED_YEARS": NAN, "DAYS_EMPLOYED_ANOM": 1.0},
                    {"DAYS_EMPLOYED_ANOM": -0.01}, "lowers")
    assert text == {"fr": "Le client ne déclare pas d'emploi (retraité ou sans emploi), ce qui réduit le risque.",
                    "en": "The client declares no job (pensioner or not working), which lowers the risk."}


def test_employment_is_stated_in_years_with_the_median_and_unknown_employment_is_said_so():
    text = sentence("employment", {"EMPLOYED_YEARS": 1.5, "DAYS_EMPLOYED_ANOM": 0.0})
    assert text["fr"] == (f"Le client occupe son emploi actuel depuis 18{NBSP}mois (médiane des clients : 4{NBSP}ans), "
                          "ce qui augmente le risque.")
    unknown = sentence("employment", {"EMPLOYED_YEARS": NAN, "DAYS_EMPLOYED_ANOM": 0.0})
    assert unknown["en"] == "Time in the current job is not stated, which raises the risk."


def test_missing_external_scores_and_categories_compared_by_default_rate():
    assert sentence("external_scores", {"EXT_SOURCE_MEAN": NAN})["fr"] == (
        "Aucun score de solvabilité externe n'est disponible pour ce client, ce qui augmente le risque.")
    text = sentence("education", {"NAME_EDUCATION_TYPE": 2.0})
    assert text["fr"] == (f"Niveau d'études : Niveau collège (taux de défaut de ce niveau : 10,9{NBSP}%, "
                          f"ensemble des clients : 8,1{NBSP}%), ce qui augmente le risque.")
    assert text["en"].startswith("Education: Lower secondary school (default rate at this level: 10.9%, all clients: 8.1%)")


def test_a_group_with_nothing_known_still_gets_a_sentence_naming_it():
    text = sentence("addresses", {}, {}, "lowers")
    assert text["fr"] == "Cohérence des adresses : information incomplète, ce qui réduit le risque."


def test_top_reasons_are_at_most_four_each_way_largest_first_and_ignore_tiny_effects():
    grouped = {f"up{i}": 0.01 * (i + 1) for i in range(6)} | {f"down{i}": -0.002 * (i + 1) for i in range(3)}
    grouped |= {"tiny": 0.0001, "tiny_down": -0.0004}
    reasons = top_reasons(grouped)
    assert [g for g, _, _ in reasons] == ["up5", "up4", "up3", "up2", "down2", "down1", "down0"]
    assert {d for _, d, p in reasons if p > 0} == {"raises"} and {d for _, d, p in reasons if p < 0} == {"lowers"}


def test_summary_names_decision_threshold_main_factors_and_says_a_reviewer_decides_a_case_to_review():
    reasons = [{"group": "instalments", "direction": "raises"}, {"group": "external_scores", "direction": "raises"},
               {"group": "age", "direction": "raises"}, {"group": "employment", "direction": "lowers"}]
    near = summarise(0.081, "refused", 0.075, 0.056, reasons, to_review=True)
    assert near["fr"] == (f"Refus proposé : la probabilité de défaut estimée est de 8,1{NBSP}%, au-dessus du seuil de "
                          f"7,5{NBSP}% fixé par la politique de crédit. Ce qui pèse le plus contre la demande : historique "
                          "de remboursement des crédits précédents et scores de solvabilité externes ; ce qui compte le "
                          "plus en sa faveur : ancienneté dans l'emploi. La probabilité est si proche du seuil qu'un "
                          "conseiller habilité décide : il confirme ou change la proposition, en la justifiant.")
    assert summarise(0.081, "refused", 0.075, 0.056, reasons)["en"].startswith("Application refused: ")
    far = summarise(0.02, "granted", 0.075, 0.056, reasons[3:])
    assert far["en"] == ("Application granted: the estimated probability of default is 2.0%, below the 7.5% threshold "
                         "set by the credit policy. What weighs most against the application: no notable factor; what "
                         "counts most in its favour: time in employment. For comparison, a typical client has a "
                         "probability of default of 5.6%.")


def test_every_computed_feature_has_one_group_and_a_label_and_gender_has_none(real_bundle_features):
    owners = group_of(real_bundle_features)
    assert len(owners) == len(real_bundle_features)
    assert all(unit(f) for f in real_bundle_features)
    with pytest.raises(DictionaryError, match="protected"):
        group_of(["CODE_GENDER"])
    with pytest.raises(DictionaryError, match="exactly one"):
        group_of(["A_FEATURE_NOBODY_KNOWS"])


def test_every_sentence_shows_only_features_of_its_own_group_in_both_languages(real_bundle_features):
    import re
    for group in groups():
        mine = {f for f in real_bundle_features if group.owns(f)}
        for s in group.sentences:
            shown = {m for lang in ("fr", "en") for m in re.findall(r"\{(?:\w+:)?([A-Z0-9_]+)", s.text[lang])}
            assert shown <= mine, (group.id, shown - mine)
            assert set(re.findall(r"\{[^}]*\}", s.text["fr"])) == set(re.findall(r"\{[^}]*\}", s.text["en"])), group.id


@pytest.fixture(scope="module")
def real_bundle_features(tmp_path_factory):
    """Every feature the code computes: the application's (with the Kaggle vocabularies) and the history's."""
    from credit.events import categories
    from credit.features import aggregate_history
    from credit.features.vector import application_feature_names
    from tests.unit.tiny_tables import write_tiny_dir
    from training.data import load_tables

    history = aggregate_history(load_tables(write_tiny_dir(tmp_path_factory.mktemp("tiny"))))
    return application_feature_names(categories()) + list(history.columns)
