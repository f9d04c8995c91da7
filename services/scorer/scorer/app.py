"""The scorer's worker: its model, its client-history lookup and its agents, declared once."""

from __future__ import annotations

from adapters.faust_worker import Send, Worker
from adapters.onnx_scorer import LightGBMScorer, OnnxScorer
from credit.bundle import check_input_policy, find_bundle
from credit.monitoring import DriftWindow, Meter, drift_window, instance_name
from scorer.agents import register_agents
from scorer.batch import SERVICE
from scorer.history import HistoryCache
from scorer.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None,
    scorer: OnnxScorer | None = None,
    *,
    send: Send | None = None,
    consumer=None,
    history: HistoryCache | None = None,
    meter: Meter | None = None,
) -> Worker:
    """The worker (`.app` is its Faust app); refuses to start (raises) when the model bundle is
    invalid.

    A scorer given (tests) comes without drift watching: drift needs the bundle's reference.
    `send` replaces the producer, `consumer` the applications' consumer and `history` the
    client-history topic (tests)."""
    settings = settings or get_settings()
    drift = DriftWindow({})
    if scorer is None:
        bundle = find_bundle(settings.models_dir, settings.model_version)
        runtime = LightGBMScorer if settings.runtime == "lightgbm" else OnnxScorer
        scorer = runtime(bundle, settings.review_band)
        check_input_policy(scorer.bundle)
        drift = drift_window(scorer.bundle, settings.drift_window, settings.drift_minimum)
    worker = Worker(SERVICE, settings, meter or Meter(SERVICE, instance_name()), send, consumer)
    register_agents(worker, history or HistoryCache(settings.kafka_bootstrap), scorer, drift)
    return worker
