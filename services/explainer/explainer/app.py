"""The explainer's one Faust app, with its topics declared once."""
from __future__ import annotations

import faust

from adapters.prometheus import serve_from_worker
from credit.monitoring import Meter, instance_name
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS, OPS_ALERTS, OPS_METRICS
from explainer.agents import register_agents
from explainer.batch import SERVICE
from explainer.models import Explainers
from explainer.settings import Settings, get_settings


def create_app(settings: Settings | None = None, explainers: Explainers | None = None) -> faust.App:
    """The worker app; refuses to start (raises BundleError) when there is no valid bundle."""
    settings = settings or get_settings()
    if explainers is None:
        explainers = Explainers(settings.models_dir, settings.threads)
        explainers.load_latest()
    app = faust.App(
        "explainer", broker=f"kafka://{settings.kafka_bootstrap}", store="memory://", datadir=str(settings.data_dir),
        key_serializer="raw", value_serializer="raw", topic_partitions=settings.partitions,
        producer_acks=-1, web_port=settings.web_port, web_host="127.0.0.1",
        # Explanations are ~8 KB: the default 16 KB batches would send two per broker round trip.
        producer_max_batch_size=settings.producer_batch_bytes,
    )
    topics = {name: app.topic(name, key_type=bytes, value_type=bytes, partitions=settings.partitions)
              for name in (LOAN_DECISIONS, LOAN_EXPLANATIONS, DECISIONS_DLQ, OPS_METRICS, OPS_ALERTS)}
    meter = Meter(SERVICE, instance_name())
    register_agents(app, topics, explainers, settings, meter)
    serve_from_worker(app, meter, settings.metrics_port, settings.metrics_host)
    app.explainer_topics, app.explainer_meter = topics, meter  # tests replace these topics' sends
    return app
