"""The letter for the client, read back from the PDF as a client's software would: what it says, in
both languages."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from credit.events import ApplicationExplained
from credit.explain.dictionary import PLACEHOLDER, groups
from credit.explain.wording import money
from credit.simulation import AMOUNT, TERM, Suggestion
from dashboard.catalogue import flat_keys, words
from dashboard.client_reasons import plain
from dashboard.formats import repayments
from dashboard.letter import Facts, _font, letter

pytestmark = pytest.mark.unit
WHEN = datetime(2026, 12, 1, 10, tzinfo=UTC)
RAISES = [
    {
        "fr": "Les scores des bureaux de crédit externes sont plus bas que ceux de 80 % de nos "
        "clients, ce qui augmente le risque.",
        "en": "The scores from external credit bureaus are lower than those of 80% of our clients, "
        "which raises the risk.",
    },
    {
        "fr": "L'annuité de ce crédit (9 000 €) représente 31 % du revenu (+2,1 pts), ce qui "
        "augmente le risque.",
        "en": "This loan's annuity (€9,000) is 31% of the income (+2.1 pts), which raises the "
        "risk.",
    },
]
LOWERS = [
    {
        "fr": "Un emploi depuis 12 ans, ce qui réduit le risque.",
        "en": "Employed for 12 years, which lowers the risk.",
    }
]
CUT = Suggestion(AMOUNT, 0.12, {"AMT_CREDIT": 158_400, "AMT_ANNUITY": 7_920.0}, 20.0, 0.09)
LONGER = Suggestion(TERM, 0.5, {"AMT_CREDIT": 180_000, "AMT_ANNUITY": 6_000.0}, 30.0, 0.09)


def explanation(decision: str = "refused", status: str = "decided") -> ApplicationExplained:
    reasons = [
        {"group": f"up{i}", "direction": "raises", "points": 0.03, "text": t}
        for i, t in enumerate(RAISES)
    ]
    reasons += [{"group": "job", "direction": "lowers", "points": -0.01, "text": t} for t in LOWERS]
    return ApplicationExplained(
        application_id="app-42",
        client_id=100_001,
        model_version="v1",
        probability_of_default=0.123,
        decision=decision,
        threshold=0.104,
        base_value=0.08,
        contributions=[{"group": "up0", "points": 0.03}],
        feature_points=[0.03],
        reasons=reasons,
        summary={"fr": "f", "en": "e"},
        decided_at=WHEN,
        explained_at=WHEN,
        status=status,
    )


def facts(in_force: str | None = "refused", reviewed_at: datetime | None = None) -> Facts:
    return Facts(
        100_001, "app-42", 180_000.0, 9_000.0, WHEN, in_force, reviewed_at, date(2026, 12, 2)
    )


def text_of(pdf: bytes) -> str:
    """The PDF's text, its line breaks and no-break spaces as plain spaces."""
    from pypdf import PdfReader

    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_refusal_letter_gives_the_decision_its_reasons_and_the_smaller_loan_that_would_be_granted(
    lang,
):
    text, catalogue = text_of(letter(explanation(), facts(), CUT, lang)), words("letter")[lang]
    assert flat(catalogue["reasons"]["refused"]) in text
    assert (
        "regrettons de ne pas pouvoir" if lang == "fr" else "we regret that we cannot grant it"
    ) in text
    for reason in RAISES:
        assert flat(plain(reason[lang])) in text
    assert flat(plain(LOWERS[0][lang])) not in text  # a refusal's reasons are what raised the risk
    assert flat(money(158_400, lang)) in text and flat(money(180_000, lang)) in text
    assert flat(catalogue["suggest_next"]) in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_longer_term_that_would_be_granted_is_given_in_repayments_and_their_amount_not_in_months(
    lang,
):
    """AMT_ANNUITY is "Loan annuity": how often it falls the data does not say, so the letter counts
    repayments."""
    text = text_of(letter(explanation(), facts(), LONGER, lang))
    assert all(
        flat(part) in text
        for part in (
            repayments(30, lang),
            repayments(20, lang),
            money(6_000, lang),
            money(9_000, lang),
        )
    )
    assert (
        "30 échéances de 6 000 € au lieu de 20 échéances de 9 000 €"
        if lang == "fr"
        else "30 repayments of €6,000 instead of 20 repayments of €9,000"
    ) in text
    assert not {"mois", "mensualité", "mensualités"} & set(
        text.lower().replace("d'un mois", "").split()
    )
    assert not {"month", "months", "monthly"} & set(text.lower().replace("one month", "").split())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_gives_the_right_to_a_persons_review_to_be_heard_and_to_contest_and_how(lang):
    text = text_of(letter(explanation(), facts(), None, lang))
    catalogue = words("letter")[lang]
    assert flat(catalogue["rights"]) in text
    how = catalogue["how"].format(application="app-42", contact=catalogue["contact"])
    assert flat(how) in text  # reply, or the adviser or the branch, with the reference
    for right in (
        ("réexamine", "point de vue", "contester", "article 22")
        if lang == "fr"
        else ("a person", "point of view", "contest", "Article 22")
    ):
        assert right in text
    assert flat(catalogue["suggestion_title"]) not in text  # no suggestion found, none promised


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_grant_letter_gives_what_lowered_the_risk_and_no_suggestion(lang):
    text = text_of(letter(explanation("granted"), facts("granted"), CUT, lang))
    assert flat(words("letter")[lang]["decision"]["granted"].split("{")[0]) in text
    assert flat(plain(LOWERS[0][lang])) in text and flat(plain(RAISES[0][lang])) not in text
    assert flat(money(158_400, lang)) not in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_case_left_to_a_reviewer_says_no_decision_is_made_yet_and_the_client_can_be_heard_now(
    lang,
):
    text = text_of(letter(explanation("refused", "to_review"), facts(None), CUT, lang))
    catalogue = words("letter")[lang]
    assert (
        "aucune décision n'est prise" if lang == "fr" else "no decision has been made yet"
    ) in text
    assert flat(catalogue["rights_to_review"]) in text
    assert flat(catalogue["suggestion_title"]) not in text  # nothing refused yet
    assert all(flat(plain(r[lang])) in text for r in RAISES + LOWERS)


def test_a_decision_a_reviewer_made_says_so_with_its_date():
    text = text_of(
        letter(
            explanation(),
            facts("refused", datetime(2026, 12, 1, 15, tzinfo=UTC)),
            None,
            "fr",
        )
    )
    assert "prise par un conseiller habilité le 1er décembre 2026" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_model_points_probability_or_pd_reaches_the_client(lang):
    text = text_of(letter(explanation(), facts(), CUT, lang)).lower()
    assert "pts" not in text and "point" not in text.replace("point de vue", "").replace(
        "point of view", ""
    )
    assert "probab" not in text and "12,3" not in text and "12.3" not in text


def test_points_are_stripped_from_a_reason_in_any_form():
    assert (
        plain("Revenu (+8,6 pts), ce qui réduit le risque.") == "Revenu, ce qui réduit le risque."
    )
    assert plain("Income -0.0 pts, which lowers the risk.") == "Income, which lowers the risk."
    assert (
        plain("Situation familiale (taux de défaut 7,5 %)")
        == "Situation familiale (taux de défaut 7,5 %)"
    )


def test_french_accents_oe_the_euro_sign_and_no_break_spaces_are_in_the_text_and_the_font():
    from fontTools.ttLib import TTFont

    pdf = letter(explanation(), facts(), CUT, "fr")
    text = text_of(pdf)
    assert all(c in text for c in "éèàçœ€ê") and "180 000 €" in text
    glyphs = TTFont(_font("DejaVuSans.ttf")).getBestCmap()
    written = (
        "".join(value for value in words("letter")["fr"].values() if isinstance(value, str))
        + "\u00a0"
    )
    assert not {
        c for c in written if ord(c) not in glyphs
    }  # every character is drawn, none replaced


def test_the_letter_has_the_same_texts_in_both_languages():
    assert flat_keys(words("letter")["fr"]) == flat_keys(words("letter")["en"])
    assert len(words("letter")["fr"]["months"]) == len(words("letter")["en"]["months"]) == 12


def stored_file(reviewed_to: str | None = None) -> dict:
    """A refused application in a store, as the client file reads it; reviewed_to: a reviewer's
    decision after."""
    from credit.events import ApplicationReviewed
    from dashboard.store import Store
    from tests.fakes import SimulationContext as FakeContext
    from tests.fakes import loan_application as simulated_application

    context, asked = (
        FakeContext(),
        simulated_application(),
    )  # refused: an annuity of 12 000 is a PD of 12 %
    decision = context.simulator.scorer.score([asked.model_dump()], {}, review_band=0)[0]
    events = [asked, decision, *context.simulator.explainer.explain([decision])]
    if reviewed_to:
        events.append(
            ApplicationReviewed(
                application_id=asked.application_id,
                client_id=asked.SK_ID_CURR,
                kind="contestation",
                reviewer="rachel",
                before="refused",
                after=reviewed_to,
                justification="Revenus stables vérifiés sur pièces.",
            )
        )
    store = Store()
    store.upsert(events)
    return context, store.client_file(asked.SK_ID_CURR)


def test_the_letter_of_a_stored_refusal_gives_the_simulations_smallest_grant():
    from dashboard.letter import facts_of, letter_for, suggested

    context, found = stored_file()
    suggestion = context.simulator.smallest_grant(found.application, found.decision.review_band)
    text = text_of(letter_for(context, found, "fr"))
    assert suggestion and flat(suggested(suggestion, facts_of(found, date.today()), "fr")) in text


def test_a_refusal_a_reviewer_turned_into_a_grant_reads_as_a_persons_grant_with_no_suggestion():
    from dashboard.letter import letter_for

    context, found = stored_file(reviewed_to="granted")
    text = text_of(letter_for(context, found, "en"))
    assert "is granted" in text and "made by an authorised adviser" in text
    assert flat(words("letter")["en"]["suggestion_title"]) not in text


def rendered(template: str, lang: str) -> str:
    """A dictionary template with a value in each placeholder, as a reason would read."""
    return PLACEHOLDER.sub("7,5 %" if lang == "fr" else "7.5%", template)


def dictionary_reasons(lang: str) -> list[str]:
    """Every sentence of the label dictionary that has a comparison, said with it: fact, comparison,
    direction."""
    return [
        rendered(s.text[lang] + s.compare[lang], lang)
        + (", ce qui augmente le risque." if lang == "fr" else ", which raises the risk.")
        for g in groups()
        for s in g.sentences
        if s.compare
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_median_or_default_rate_of_other_clients_reaches_the_client_but_their_own_values_stay(
    lang,
):
    reasons = [
        {
            "group": f"g{i}",
            "direction": "raises",
            "points": 0.01,
            "text": {lang: t, ("en" if lang == "fr" else "fr"): t},
        }
        for i, t in enumerate(dictionary_reasons(lang))
    ]
    refused = explanation().model_copy(
        update={"reasons": [type(explanation().reasons[0])(**r) for r in reasons]}
    )
    text = text_of(letter(refused, facts(), None, lang)).lower()
    for word in (
        "médiane",
        "taux de défaut",
        "ensemble des clients",
        "median",
        "default rate",
        "all clients",
    ):
        assert word not in text
    assert all(
        flat(plain(r["text"][lang], lang)) in text_of(letter(refused, facts(), None, lang))
        for r in reasons
    )


def test_the_comparisons_stripped_are_the_dictionarys_and_a_rank_in_words_stays():
    assert (
        plain(
            "L'annuité de ce crédit (32 067 €) représente 18 % du revenu déclaré (médiane des "
            "clients : 16 %), ce qui augmente le risque.",
            "fr",
        )
        == "L'annuité de ce crédit (32 067 €) représente 18 % du revenu déclaré, ce qui augmente "
        "le risque."
    )
    assert (
        plain(
            "Niveau d'études : Études supérieures (taux de défaut de ce niveau : 5,6 %, ensemble "
            "des clients : 8,1 %), ce qui réduit le risque.",
            "fr",
        )
        == "Niveau d'études : Études supérieures, ce qui réduit le risque."
    )
    assert (
        plain(
            "This loan's annuity (€32,067) is 18% of the declared income (median client: 16%), "
            "which raises the risk.",
            "en",
        )
        == "This loan's annuity (€32,067) is 18% of the declared income, which raises the risk."
    )
    ranked = (
        "The client's average score from external credit bureaus is 0.31 out of 1, lower than 89% "
        "of our clients"
    )
    assert plain(ranked + ", which raises the risk.", "en") == ranked + ", which raises the risk."


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_says_once_what_the_risk_means(lang):
    text = text_of(letter(explanation(), facts(), CUT, lang))
    meaning = (
        "le risque estimé que le crédit ne puisse pas être remboursé"
        if lang == "fr"
        else "the estimated risk that the loan could not be repaid"
    )
    assert text.count(meaning) == 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_grant_letter_invites_questions_not_a_contest_nor_proof_of_income(lang):
    text = text_of(letter(explanation("granted"), facts("granted"), None, lang))
    catalogue = words("letter")[lang]
    assert (
        flat(catalogue["questions"].format(contact=catalogue["contact"], application="app-42"))
        in text
    )
    for word in (
        "contest",
        "réexamine",
        "justificatif",
        "proof of income",
        "point de vue",
        "point of view",
    ):
        assert word not in text.lower()


@pytest.mark.parametrize("case", ["granted", "refused", None])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_letter_says_how_to_reach_us_and_the_right_to_complain_to_the_cnil(lang, case):
    text = text_of(letter(explanation(), facts(case), None, lang))
    assert flat(words("letter")[lang]["contact"]) in text
    assert "CNIL" in text and "www.cnil.fr" in text
    assert (
        "Référence de votre demande : app-42"
        if lang == "fr"
        else "Reference of your application: app-42"
    ) in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_lenders_contact_from_the_settings_replaces_the_neutral_line(lang):
    from dashboard.letter import letter_for
    from dashboard.settings import Settings

    context, found = stored_file(reviewed_to="granted")
    context.settings = Settings(
        letter_contact={lang: "le 01 23 45 67 89" if lang == "fr" else "+33 1 23 45 67 89"}
    )
    text = text_of(letter_for(context, found, lang))
    assert ("contactez le 01 23 45 67 89" if lang == "fr" else "contact +33 1 23 45 67 89") in text
    assert flat(words("letter")[lang]["contact"]) not in text


def test_the_letter_reads_as_a_letter_in_both_languages():
    fr, en = (text_of(letter(explanation(), facts(), None, lang)) for lang in ("fr", "en"))
    assert (
        "Nous avons étudié avec attention votre demande de crédit de 180 000 €, reçue le 1er "
        "décembre 2026, et" in fr
    )
    assert "Dear Sir or Madam," in en and "Dear client" not in en
    assert " with it " not in en  # what the adviser reviews the file with is said
