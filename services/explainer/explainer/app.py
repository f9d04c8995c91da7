"""The explainer's worker: its models and its agent, declared once."""

from __future__ import annotations

from adapters.faust_worker import Send, Worker
from credit.monitoring import Meter, instance_name
from explainer.agents import register_agents
from explainer.batch import SERVICE
from explainer.models import Explainers
from explainer.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None,
    explainers: Explainers | None = None,
    *,
    send: Send | None = None,
    consumer=None,
    meter: Meter | None = None,
) -> Worker:
    """The worker (`.app` is its Faust app); refuses to start (raises BundleError) when there is
    no valid bundle.

    `send` replaces the producer and `consumer` the decisions' consumer (tests)."""
    settings = settings or get_settings()
    if explainers is None:
        explainers = Explainers(settings.models_dir)
        explainers.load_latest()
    worker = Worker(SERVICE, settings, meter or Meter(SERVICE, instance_name()), send, consumer)
    register_agents(worker, explainers)
    return worker
