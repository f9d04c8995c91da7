"""Simulations of loan terms, with a fake scorer whose PD follows known rules, so the right answer
is known."""

from __future__ import annotations

import pandas as pd
import pytest

from credit.simulation import AMOUNT, TERM
from tests.fakes import SIMULATED_CLIENT as CLIENT
from tests.fakes import RuleScorer as FakeScorer
from tests.fakes import by_annuity, simulator
from tests.fakes import loan_application as application

pytestmark = pytest.mark.unit


def test_a_simulation_scores_and_explains_the_changed_application_with_the_clients_history():
    sim = simulator()
    decision, explanation = sim.simulate(
        application(), {"AMT_ANNUITY": 9_000.0, "AMT_INCOME_TOTAL": 95_000.0}, review_band=0
    )
    (sent,), histories = sim.scorer.calls[0]
    assert (sent["AMT_ANNUITY"], sent["AMT_INCOME_TOTAL"], sent["AMT_CREDIT"]) == (
        9_000.0,
        95_000.0,
        240_000.0,
    )
    assert (
        sent["NAME_CONTRACT_TYPE"] == "Cash loans" and sent["submitted_at"].tzinfo is not None
    )  # decoded event
    assert histories == {CLIENT: {"BUREAU_LOAN_COUNT": 3.0}}
    assert (decision.probability_of_default, decision.decision) == (0.09, "granted")
    assert explanation.reasons[0].text["en"] == "annuity 9000" and explanation.decision == "granted"


def test_no_change_gives_the_applications_own_decision_and_a_client_without_history_has_none():
    sim = simulator(
        history=pd.DataFrame({"X": []}, index=pd.Index([], name="SK_ID_CURR", dtype="int64"))
    )
    decision, _ = sim.simulate(application(), {}, review_band=0)
    assert (decision.probability_of_default, decision.decision) == (0.12, "refused")
    assert sim.scorer.calls[0][1] == {}


@pytest.mark.parametrize(
    "changes, field_name",
    [
        ({"AMT_CREDIT": -5.0}, "AMT_CREDIT"),
        ({"AMT_ANNUITY": 0}, "AMT_ANNUITY"),
        ({"AMT_INCOME_TOTAL": None}, "AMT_INCOME_TOTAL"),
        ({"AMT_GOODS_PRICE": float("inf")}, "AMT_GOODS_PRICE"),
        ({"DAYS_BIRTH": -12_000}, "DAYS_BIRTH"),
    ],
)
def test_a_wrong_change_is_refused_naming_the_field_and_nothing_is_scored(changes, field_name):
    sim = simulator()
    with pytest.raises(ValueError, match=field_name):
        sim.simulate(application(), changes)
    assert sim.scorer.calls == []


def test_the_largest_granted_amount_at_the_same_term_is_suggested():
    # An annuity of 12 000 is refused; at the same term, 17 % less money pays 9 960; the term would
    # need 25 % more.
    suggestion = simulator().smallest_grant(application(), review_band=0)
    assert suggestion.kind == AMOUNT and suggestion.change == pytest.approx(0.17)
    assert suggestion.changes == {"AMT_CREDIT": 199_200, "AMT_ANNUITY": 9_960.0}
    assert suggestion.repayments == pytest.approx(
        20
    ) and suggestion.probability_of_default == pytest.approx(0.0996)


def test_a_longer_term_is_suggested_when_it_is_the_smaller_change():
    # Any loan below 235 000 is riskier here: a smaller amount only helps far down (38 %); 25
    # repayments do (25 %).
    sim = simulator(
        FakeScorer(
            lambda app: by_annuity(app) + (0.05 if 150_000 < app["AMT_CREDIT"] < 235_000 else 0)
        )
    )
    suggestion = sim.smallest_grant(application(), review_band=0)
    assert suggestion.kind == TERM and suggestion.change == pytest.approx(0.25)
    assert (
        suggestion.changes == {"AMT_CREDIT": 240_000.0, "AMT_ANNUITY": 9_600.0}
        and suggestion.repayments == 25
    )


def test_the_grid_finds_a_granted_amount_that_bisection_would_miss():
    # Granted only between 190 000 and 200 000: smaller loans are refused again (the PD is not
    # monotone overall).
    sim = simulator(
        FakeScorer(lambda app: by_annuity(app) + (0.5 if app["AMT_CREDIT"] < 190_000 else 0))
    )
    suggestion = sim.smallest_grant(application(annuity=12_000.0), longest=1.2, review_band=0)
    assert suggestion.kind == AMOUNT and suggestion.changes["AMT_CREDIT"] == 199_200


def test_every_candidate_is_scored_in_one_batch_within_the_search_range():
    sim = simulator()
    sim.smallest_grant(
        application(credit=240_000.0, annuity=24_000.0), review_band=0
    )  # a loan in 10 repayments
    ((sent, _),) = sim.scorer.calls
    credits = [app["AMT_CREDIT"] for app in sent[1:81]]
    assert credits[0] == 237_600 and credits[-1] == 48_000  # 1 % to 80 % less
    assert [round(app["AMT_CREDIT"] / app["AMT_ANNUITY"]) for app in sent[81:]] == list(
        range(11, 21)
    )  # to 2x the term


def test_beyond_the_search_range_there_is_no_suggestion():
    # A loan in 10 repayments of 24 000 needs 59 % less money, or 25 repayments (more than twice the
    # term).
    sim = simulator()
    assert sim.smallest_grant(application(annuity=24_000.0), review_band=0).changes == {
        "AMT_CREDIT": 98_400,
        "AMT_ANNUITY": 9_840.0,
    }
    assert sim.smallest_grant(application(annuity=24_000.0), floor=0.5, review_band=0) is None


def test_no_suggestion_for_a_granted_application_or_when_nothing_grants():
    assert simulator().smallest_grant(application(annuity=9_000.0), review_band=0) is None
    assert simulator(FakeScorer(lambda app: 0.5)).smallest_grant(application()) is None


def test_a_simulated_pd_in_the_scorers_review_band_goes_to_a_reviewer():
    sim = simulator()
    decision, _ = sim.simulate(
        application(), {"AMT_ANNUITY": 9_500.0}, review_band=0.1
    )  # PD 9.5 %, threshold 10 %
    assert (decision.decision, decision.status, decision.review_band) == (
        "granted",
        "to_review",
        0.1,
    )
    decision, _ = sim.simulate(
        application(), {"AMT_ANNUITY": 9_500.0}, review_band=0.01
    )  # a narrower band
    assert (decision.decision, decision.status) == ("granted", "decided")


def test_the_suggestion_is_an_automatic_grant_not_a_proposal_left_to_a_reviewer():
    # With a 15 % band, PDs from 8.5 % to 11.5 % go to a reviewer: the annuity must fall below
    # 8 500, not 10 000.
    suggestion = simulator().smallest_grant(application(), review_band=0.15)
    assert suggestion.kind == AMOUNT and suggestion.change == pytest.approx(0.30)
    assert (
        suggestion.changes["AMT_ANNUITY"] == 8_400.0 and suggestion.probability_of_default < 0.085
    )
    # a proposed grant is not a grant yet: it still gets a suggestion
    assert simulator().smallest_grant(application(annuity=9_500.0), review_band=0.1) is not None
