"""Simulations on the real bundle: an unchanged application scores as the scorer did, a suggestion
really grants."""

from __future__ import annotations

import pandas as pd
import pytest

from adapters.onnx_scorer import OnnxScorer
from credit.explain.explanation import ADDS_UP, Explainer, adds_up
from credit.features import client_histories
from credit.simulation import AMOUNT, Simulator, granted_automatically
from tests.json_rows import decided

pytestmark = pytest.mark.model
REFUSED_TRIED = 12  # refused real applications searched for a suggestion


@pytest.fixture(scope="module")
def simulator(real_bundle, real_history):
    return Simulator(
        OnnxScorer(real_bundle.path),
        Explainer(real_bundle),
        lambda clients: client_histories(real_history, clients),
    )


@pytest.fixture(scope="module")
def refused(simulator, real_history, real_data_dir):
    """Real applications the scorer refuses, with the scorer's decisions."""
    raw = pd.read_csv(real_data_dir / "application_test.csv").head(400)
    received, decisions = decided(simulator.scorer, raw, real_history)
    found = [(r, d) for r, d in zip(received, decisions) if d.decision == "refused"]
    assert len(found) >= REFUSED_TRIED
    return found[:REFUSED_TRIED]


def test_an_unchanged_application_gets_the_scorers_pd_and_an_explanation_that_adds_up(
    simulator, refused
):
    for application, decision in refused:
        simulated, explanation = simulator.simulate(application, {})
        assert simulated.probability_of_default == pytest.approx(
            decision.probability_of_default, abs=1e-9
        )
        assert (simulated.decision, simulated.status) == ("refused", decision.status)
        assert simulated.features == decision.features
        assert explanation.reasons and adds_up(explanation) <= ADDS_UP


def test_a_suggestion_is_granted_automatically_when_simulated_and_the_next_larger_amount_is_not(
    simulator, refused
):
    suggestions = [
        (application, simulator.smallest_grant(application)) for application, _ in refused
    ]
    found = [(a, s) for a, s in suggestions if s is not None]
    assert found, "no refused application could be turned into a grant within the search range"
    for application, suggestion in found:
        decision, explanation = simulator.simulate(application, suggestion.changes)
        assert (
            decision.decision == explanation.decision == "granted" and decision.status == "decided"
        )
        assert decision.probability_of_default == pytest.approx(
            suggestion.probability_of_default, abs=1e-9
        )
        assert 0 < suggestion.change <= 1
        if suggestion.kind == AMOUNT and suggestion.change > 0.01 + 1e-9:
            kept = 1 - round(
                suggestion.change - 0.01, 10
            )  # one step less of a cut: refused, or it would be suggested
            bigger = {
                "AMT_CREDIT": round(application.AMT_CREDIT * kept),
                "AMT_ANNUITY": round(application.AMT_ANNUITY * kept, 2),
            }
            assert not granted_automatically(
                simulator.simulate(application, bigger)[0]
            )  # refused, or to review
