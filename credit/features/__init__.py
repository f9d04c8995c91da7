"""Feature engineering, written once for training (batch) and scoring (online)."""

from credit.features.application import PROTECTED, fit_vocabularies
from credit.features.history import HISTORY_STEMS, aggregate_history, client_histories
from credit.features.sources import model_features
from credit.features.vector import build_features, features_online, model_matrix

__all__ = [
    "PROTECTED",
    "HISTORY_STEMS",
    "aggregate_history",
    "build_features",
    "client_histories",
    "features_online",
    "fit_vocabularies",
    "model_features",
    "model_matrix",
]
