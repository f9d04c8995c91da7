"""The explainer's one Faust app, with its topics declared once."""

from __future__ import annotations

from adapters.faust_worker import Send, Worker
from credit.monitoring import Meter, instance_name
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from explainer.agents import register_agents
from explainer.batch import SERVICE
from explainer.models import Explainers
from explainer.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None,
    explainers: Explainers | None = None,
    *,
    send: Send | None = None,
    meter: Meter | None = None,
):
    """The worker app; refuses to start (raises BundleError) when there is no valid bundle.

    `send` replaces the topics' sends (tests)."""
    settings = settings or get_settings()
    if explainers is None:
        explainers = Explainers(settings.models_dir, settings.threads)
        explainers.load_latest()
    worker = Worker(
        SERVICE,
        settings,
        (LOAN_DECISIONS, LOAN_EXPLANATIONS, DECISIONS_DLQ),
        meter or Meter(SERVICE, instance_name()),
        send,
        # Explanations are ~8 KB: the default 16 KB batches would send two per
        # broker round trip.
        producer_max_batch_size=settings.producer_batch_bytes,
    )
    register_agents(worker, explainers)
    return worker.app
