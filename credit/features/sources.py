"""Where each model feature comes from: the source fields and history tables the input policy
judges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from credit import input_policy
from credit.features.application import DERIVED_FROM, raw_inputs
from credit.features.history import SOURCE_TABLES


def feature_sources(features: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Feature -> its source fields (application) or tables (history); an unknown feature is its own
    source."""
    return {feature: _sources(feature) for feature in features}


def _sources(feature: str) -> tuple[str, ...]:
    if feature in DERIVED_FROM:
        return DERIVED_FROM[feature]
    if feature in raw_inputs():
        return (feature,)
    for prefix, tables in SOURCE_TABLES.items():  # longest prefixes first
        if feature.startswith(prefix):
            return tables
    return (feature,)


def model_features(
    features: Sequence[str], groups: Mapping[str, str], without: Iterable[str] = ()
) -> list[str]:
    """The computed features a model may use under the policy's group choices, minus sources in
    `without`."""
    return input_policy.allowed(feature_sources(features), groups, without)


def policy_breaches(features: Sequence[str], groups: Mapping[str, str]) -> list[str]:
    """Sentences naming each feature whose sources the policy forbids (empty: the inputs keep the
    policy)."""
    return input_policy.breaches(feature_sources(features), groups)
