"""What every browser session of one server process shares: store, feed, bundle, model, population.

Built once per process (heavy: the reference population, the models) and kept in pn.state.cache;
sessions only read from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from adapters.prometheus import serve_metrics
from credit.bundle import Bundle, open_bundle
from credit.compare import Population
from credit.explain.explanation import Explainer
from credit.features import client_histories
from credit.reconciliation import Reconciliation
from credit.simulation import Simulator
from dashboard.feed import OPS_TOPICS, Feed
from dashboard.ops_history import OpsHistory
from dashboard.reviews import Reviews
from dashboard.settings import Settings
from dashboard.store import Store


@dataclass
class Context:
    settings: Settings
    store: Store
    feed: Feed  # the client topics
    ops_feed: Feed  # ops.metrics, ops.alerts, dead letters
    reviews: Reviews  # publishes reviewers' decisions to loan-reviews
    ops_history: OpsHistory  # the last day of reports, for the operations page
    bundle: Bundle
    explainer: Explainer
    population: Population
    contributions: pd.DataFrame  # reference clients' group contributions, rows as in the population
    history: pd.DataFrame  # client history aggregates by SK_ID_CURR (for simulations)

    @cached_property
    def simulator(self) -> Simulator:
        """What-if simulations, scored by the model the scorer service runs (opened on first
        use)."""
        from adapters.onnx_scorer import OnnxScorer

        return Simulator(
            OnnxScorer(self.bundle.path),
            self.explainer,
            lambda clients: client_histories(self.history, clients),
        )


def build_context(settings: Settings, start_feed: bool = True) -> Context:
    bundle = open_bundle(settings.models_dir, settings.model_version)
    settings.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(settings.store_path)
    feed = Feed(
        store,
        settings.kafka_bootstrap,
        settings.feed_group,
        metrics_interval_s=settings.metrics_interval_s,
    )
    ops_feed = Feed(
        store,
        settings.kafka_bootstrap,
        settings.ops_feed_group,
        metrics_interval_s=settings.metrics_interval_s,
        topics=OPS_TOPICS,
        service="dashboard-ops",
        reconciliation=Reconciliation(settings.reconcile_after_s),
    )
    if start_feed:
        feed.start()
        ops_feed.start()
        serve_metrics(
            [feed.meter, ops_feed.meter], settings.metrics_port, settings.metrics_host
        )  # while the process runs
    history = pd.read_parquet(bundle.file("history")).set_index("SK_ID_CURR")
    reviews = Reviews(store, settings.kafka_bootstrap, settings.users_file)
    return Context(
        settings,
        store,
        feed,
        ops_feed,
        reviews,
        OpsHistory(store),
        bundle,
        Explainer(bundle),
        Population.from_bundle(bundle),
        pd.read_parquet(bundle.file("contributions")),
        history,
    )
