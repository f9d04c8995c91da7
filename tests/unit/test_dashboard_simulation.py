"""Simulations of loan terms, with a fake scorer whose PD follows known rules, so the right answer is known."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from credit.decision import decide, statuses
from credit.events import ApplicationExplained, ApplicationReceived, ApplicationScored
from dashboard.simulation import AMOUNT, TERM, simulate, smallest_grant

pytestmark = pytest.mark.unit
THRESHOLD = 0.1
CLIENT = 100_001
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)


def by_annuity(app: dict) -> float:
    """Risk grows with the annuity: refused from an annuity of 10 000."""
    return app["AMT_ANNUITY"] / 100_000


@dataclass
class FakeScorer:
    pd_of: callable = by_annuity
    calls: list = field(default_factory=list)

    def score(self, applications, histories, review_band):
        self.calls.append((list(applications), dict(histories)))
        pds = [self.pd_of(app) for app in applications]
        return [ApplicationScored(application_id=app["application_id"], client_id=app["SK_ID_CURR"],
                                  probability_of_default=p, decision=str(d), threshold=THRESHOLD, model_version="fake",
                                  decided_at=WHEN, submitted_at=app["submitted_at"], timings_ms={},
                                  features=[app["AMT_CREDIT"], app["AMT_ANNUITY"]], status=str(status),
                                  review_band=review_band)
                for app, p, d, status in zip(applications, pds, decide(pds, THRESHOLD),
                                             statuses(pds, THRESHOLD, review_band))]


class FakeExplainer:
    def explain(self, decisions):
        return [ApplicationExplained(
            application_id=d.application_id, client_id=d.client_id, model_version="fake",
            probability_of_default=d.probability_of_default, decision=d.decision, threshold=d.threshold,
            base_value=0.08, contributions=[], feature_points=[],
            reasons=[{"group": "loan", "direction": "raises", "points": d.probability_of_default - 0.08,
                      "text": {"fr": f"annuité {d.features[1]:.0f}", "en": f"annuity {d.features[1]:.0f}"}}],
            summary={"fr": "", "en": ""}, decided_at=d.decided_at, explained_at=WHEN) for d in decisions]


@dataclass
class FakeContext:
    scorer: FakeScorer = field(default_factory=FakeScorer)
    explainer: FakeExplainer = field(default_factory=FakeExplainer)
    history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"BUREAU_LOAN_COUNT": [3.0]}, index=pd.Index([CLIENT], name="SK_ID_CURR")))


def application(credit=240_000.0, annuity=12_000.0, **more) -> ApplicationReceived:
    return ApplicationReceived(SK_ID_CURR=CLIENT, AMT_CREDIT=credit, AMT_ANNUITY=annuity, AMT_GOODS_PRICE=250_000.0,
                               AMT_INCOME_TOTAL=90_000.0, NAME_CONTRACT_TYPE="Cash loans", **more)


def test_a_simulation_scores_and_explains_the_changed_application_with_the_clients_history():
    context = FakeContext()
    decision, explanation = simulate(context, application(), {"AMT_ANNUITY": 9_000.0, "AMT_INCOME_TOTAL": 95_000.0},
                                     review_band=0)
    (sent,), histories = context.scorer.calls[0]
    assert (sent["AMT_ANNUITY"], sent["AMT_INCOME_TOTAL"], sent["AMT_CREDIT"]) == (9_000.0, 95_000.0, 240_000.0)
    assert sent["NAME_CONTRACT_TYPE"] == "Cash loans" and sent["submitted_at"].tzinfo is not None  # decoded event
    assert histories == {CLIENT: {"BUREAU_LOAN_COUNT": 3.0}}
    assert (decision.probability_of_default, decision.decision) == (0.09, "granted")
    assert explanation.reasons[0].text["en"] == "annuity 9000" and explanation.decision == "granted"


def test_no_change_gives_the_applications_own_decision_and_a_client_without_history_has_none():
    context = FakeContext(history=pd.DataFrame({"X": []}, index=pd.Index([], name="SK_ID_CURR", dtype="int64")))
    decision, _ = simulate(context, application(), {}, review_band=0)
    assert (decision.probability_of_default, decision.decision) == (0.12, "refused")
    assert context.scorer.calls[0][1] == {}


@pytest.mark.parametrize("changes, field_name", [({"AMT_CREDIT": -5.0}, "AMT_CREDIT"), ({"AMT_ANNUITY": 0}, "AMT_ANNUITY"),
                                           ({"AMT_INCOME_TOTAL": None}, "AMT_INCOME_TOTAL"),
                                           ({"AMT_GOODS_PRICE": float("inf")}, "AMT_GOODS_PRICE"),
                                           ({"DAYS_BIRTH": -12_000}, "DAYS_BIRTH")])
def test_a_wrong_change_is_refused_naming_the_field_and_nothing_is_scored(changes, field_name):
    context = FakeContext()
    with pytest.raises(ValueError, match=field_name):
        simulate(context, application(), changes)
    assert context.scorer.calls == []


def test_the_largest_granted_amount_at_the_same_term_is_suggested():
    # An annuity of 12 000 is refused; at the same term, 17 % less money pays 9 960; the term would need 25 % more.
    suggestion = smallest_grant(FakeContext(), application(), review_band=0)
    assert suggestion.kind == AMOUNT and suggestion.change == pytest.approx(0.17)
    assert suggestion.changes == {"AMT_CREDIT": 199_200, "AMT_ANNUITY": 9_960.0}
    assert suggestion.repayments == pytest.approx(20) and suggestion.probability_of_default == pytest.approx(0.0996)


def test_a_longer_term_is_suggested_when_it_is_the_smaller_change():
    # Any loan below 235 000 is riskier here: a smaller amount only helps far down (38 %); 25 repayments do (25 %).
    context = FakeContext(FakeScorer(lambda app: by_annuity(app) + (0.05 if 150_000 < app["AMT_CREDIT"] < 235_000 else 0)))
    suggestion = smallest_grant(context, application(), review_band=0)
    assert suggestion.kind == TERM and suggestion.change == pytest.approx(0.25)
    assert suggestion.changes == {"AMT_CREDIT": 240_000.0, "AMT_ANNUITY": 9_600.0} and suggestion.repayments == 25


def test_the_grid_finds_a_granted_amount_that_bisection_would_miss():
    # Granted only between 190 000 and 200 000: smaller loans are refused again (the PD is not monotone overall).
    context = FakeContext(FakeScorer(lambda app: by_annuity(app) + (0.5 if app["AMT_CREDIT"] < 190_000 else 0)))
    suggestion = smallest_grant(context, application(annuity=12_000.0), longest=1.2, review_band=0)
    assert suggestion.kind == AMOUNT and suggestion.changes["AMT_CREDIT"] == 199_200


def test_every_candidate_is_scored_in_one_batch_within_the_search_range():
    context = FakeContext()
    smallest_grant(context, application(credit=240_000.0, annuity=24_000.0), review_band=0)  # a loan in 10 repayments
    (sent, _), = context.scorer.calls
    credits = [app["AMT_CREDIT"] for app in sent[1:81]]
    assert credits[0] == 237_600 and credits[-1] == 48_000  # 1 % to 80 % less
    assert [round(app["AMT_CREDIT"] / app["AMT_ANNUITY"]) for app in sent[81:]] == list(range(11, 21))  # to 2x the term


def test_beyond_the_search_range_there_is_no_suggestion():
    # A loan in 10 repayments of 24 000 needs 59 % less money, or 25 repayments (more than twice the term).
    context = FakeContext()
    assert smallest_grant(context, application(annuity=24_000.0), review_band=0).changes == {
        "AMT_CREDIT": 98_400, "AMT_ANNUITY": 9_840.0}
    assert smallest_grant(context, application(annuity=24_000.0), floor=0.5, review_band=0) is None


def test_no_suggestion_for_a_granted_application_or_when_nothing_grants():
    assert smallest_grant(FakeContext(), application(annuity=9_000.0), review_band=0) is None
    assert smallest_grant(FakeContext(FakeScorer(lambda app: 0.5)), application()) is None


def test_a_simulated_pd_in_the_scorers_review_band_goes_to_a_reviewer():
    context = FakeContext()
    decision, _ = simulate(context, application(), {"AMT_ANNUITY": 9_500.0}, review_band=0.1)  # PD 9.5 %, threshold 10 %
    assert (decision.decision, decision.status, decision.review_band) == ("granted", "to_review", 0.1)
    decision, _ = simulate(context, application(), {"AMT_ANNUITY": 9_500.0}, review_band=0.01)  # a narrower band
    assert (decision.decision, decision.status) == ("granted", "decided")


def test_the_suggestion_is_an_automatic_grant_not_a_proposal_left_to_a_reviewer():
    # With a 15 % band, PDs from 8.5 % to 11.5 % go to a reviewer: the annuity must fall below 8 500, not 10 000.
    suggestion = smallest_grant(FakeContext(), application(), review_band=0.15)
    assert suggestion.kind == AMOUNT and suggestion.change == pytest.approx(0.30)
    assert suggestion.changes["AMT_ANNUITY"] == 8_400.0 and suggestion.probability_of_default < 0.085
    # a proposed grant is not a grant yet: it still gets a suggestion
    assert smallest_grant(FakeContext(), application(annuity=9_500.0), review_band=0.1) is not None


def test_the_simulation_shown_again_says_the_decision_a_reviewer_took_meanwhile_and_keeps_the_changes_typed():
    from credit.dead_letters import decode_application
    from credit.events import ApplicationReviewed
    from dashboard.store import Store
    from dashboard.views.simulation import Simulation

    context, app = FakeContext(), application()
    context.store = Store()
    [scored] = context.scorer.score([decode_application(app.to_bytes())], {}, 0.3)  # PD 0.12: left to a reviewer
    context.store.upsert([app, scored])
    view = Simulation(context, client_id=CLIENT)
    view.amount = 200_000.0
    recorded = lambda: view._result()[0][1][1].object  # noqa: E731 - the line under the gauge
    assert "décision enregistrée : ⏳ À examiner" in recorded()
    context.store.upsert([ApplicationReviewed(application_id=app.application_id, client_id=CLIENT, kind="review",
                                              reviewer="rachel", before="refused", after="granted",
                                              justification="Revenus stables vérifiés sur trois bulletins.")])
    view.catch_up()
    assert "décision enregistrée : ✔ Demande accordée" in recorded() and view.amount == 200_000.0
    newer = application(annuity=5_000.0)
    [later] = context.scorer.score([decode_application(newer.to_bytes())], {}, 0.3)
    context.store.upsert([newer, later.model_copy(update={"decided_at": WHEN + timedelta(days=1)})])
    view.catch_up()  # a newer application: it is the one simulated now
    assert view.application.application_id == newer.application_id and view.amount == newer.AMT_CREDIT
