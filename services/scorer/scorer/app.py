"""The scorer's one Faust app: its topics and the client-history lookup, declared once."""
from __future__ import annotations

import faust

from adapters.onnx_scorer import LightGBMScorer, OnnxScorer
from adapters.prometheus import serve_from_worker
from credit.bundle import check_input_policy, latest_bundle
from credit.monitoring import DriftWindow, Meter, drift_window, instance_name
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS, OPS_ALERTS, OPS_METRICS
from scorer.agents import register_agents
from scorer.batch import SERVICE
from scorer.history import HistoryCache
from scorer.settings import Settings, get_settings


def create_app(settings: Settings | None = None, scorer: OnnxScorer | None = None) -> faust.App:
    """The worker app; refuses to start (raises) when the model bundle is invalid.

    A scorer given (tests) comes without drift watching: drift needs the bundle's reference.
    """
    settings = settings or get_settings()
    drift = DriftWindow({})
    if scorer is None:
        bundle = settings.models_dir / settings.model_version if settings.model_version else latest_bundle(settings.models_dir)
        scorer = (LightGBMScorer if settings.runtime == "lightgbm" else OnnxScorer)(bundle, settings.review_band)
        check_input_policy(scorer.bundle)
        drift = drift_window(scorer.bundle, settings.drift_window, settings.drift_minimum)
    app = faust.App(
        "scorer", broker=f"kafka://{settings.kafka_bootstrap}", store=settings.store, datadir=str(settings.data_dir),
        key_serializer="raw", value_serializer="raw", topic_partitions=settings.partitions,
        producer_acks=-1, web_port=settings.web_port, web_host="127.0.0.1",
    )
    topics = {name: app.topic(name, key_type=bytes, value_type=bytes, partitions=settings.partitions)
              for name in (LOAN_APPLICATIONS, LOAN_DECISIONS, APPLICATIONS_DLQ, OPS_METRICS, OPS_ALERTS)}
    history = HistoryCache(settings.kafka_bootstrap)
    meter = Meter(SERVICE, instance_name())
    register_agents(app, topics, history, scorer, settings, meter, drift)
    serve_from_worker(app, meter, settings.metrics_port, settings.metrics_host)
    app.scorer_topics, app.scorer_history, app.scorer_meter = topics, history, meter  # tests replace topics' sends
    return app
