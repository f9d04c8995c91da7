"""What every browser session of one server process shares: store, feed, bundle, model, population.

Built once per process (heavy: the reference population, the models) and kept in pn.state.cache;
sessions only read from it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from adapters.prometheus import serve_metrics
from credit.bundle import Bundle, latest_bundle, load_bundle
from credit.compare import Population
from credit.explain.explanation import Explainer
from credit.reconciliation import Reconciliation
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

    @property
    def scorer(self):
        from adapters.onnx_scorer import OnnxScorer  # the scoring code the scorer service runs, for simulations

        if not hasattr(self, "_scorer"):
            self._scorer = OnnxScorer(self.bundle.path)
        return self._scorer


def build_context(settings: Settings, start_feed: bool = True) -> Context:
    path = settings.models_dir / settings.model_version if settings.model_version else latest_bundle(settings.models_dir)
    bundle = load_bundle(path)
    settings.store_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(settings.store_path)
    feed = Feed(store, settings.kafka_bootstrap, settings.feed_group, metrics_interval_s=settings.metrics_interval_s)
    ops_feed = Feed(store, settings.kafka_bootstrap, settings.ops_feed_group, metrics_interval_s=settings.metrics_interval_s,
                    topics=OPS_TOPICS, service="dashboard-ops",
                    reconciliation=Reconciliation(settings.reconcile_after_s))
    if start_feed:
        feed.start()
        ops_feed.start()
        serve_metrics([feed.meter, ops_feed.meter], settings.metrics_port, settings.metrics_host)  # while the process runs
    history = pd.read_parquet(bundle.file("history")).set_index("SK_ID_CURR")
    reviews = Reviews(store, settings.kafka_bootstrap, settings.users_file)
    return Context(settings, store, feed, ops_feed, reviews, OpsHistory(store), bundle, Explainer(bundle),
                   Population.from_bundle(bundle), pd.read_parquet(bundle.file("contributions")), history)
