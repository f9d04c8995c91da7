"""What the reference clients look like, and which way a client's value leans among them.

A value leans the way the reference clients who share it do: the default rate of clients with the
same category, or of clients on the same side of the median, against the rate of all clients. A
reason quotes a comparison only when its value leans the way the model's attribution goes
(credit.explain.reasons); the statistics are computed at training (training/explanations.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True)
class Reference:
    """Feature medians, default rates by category and around the median, and percentiles."""

    medians: Mapping[str, float]
    default_rates: Mapping[str, Mapping[str, float]]  # feature -> value_key -> share of defaults
    default_rate: float
    vocabularies: Mapping[str, list[str]]
    around_median: Mapping[str, Sequence[float | None]] = field(
        default_factory=dict
    )  # feature -> (below, above)
    quantiles: Mapping[str, Sequence[float]] = field(
        default_factory=dict
    )  # feature -> percentiles 0, 1, ... 100
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # see once

    def category(self, feature: str, code: float) -> str | None:
        words = self.vocabularies.get(feature)
        return (
            None
            if words is None or missing(code) or not 0 <= code < len(words)
            else words[int(code)]
        )

    def default_rate_of(self, feature: str, value: float) -> float | None:
        """Share of defaults among reference clients with this value of the feature."""
        key = self.category(feature, value) if feature in self.vocabularies else value_key(value)
        return self.default_rates.get(feature, {}).get(key)

    def side_rate(self, feature: str, value: float) -> float | None:
        """Share of defaults among reference clients on the value's side of the median; None at the
        median."""
        median, rates = self.medians.get(feature), self.around_median.get(feature)
        if missing(value) or median is None or rates is None or value == median:
            return None
        return rates[1] if value > median else rates[0]

    def share_above(self, feature: str, value: float) -> float | None:
        """Share of reference clients whose value is higher than this one."""
        levels = self.quantiles.get(feature)
        if missing(value) or not levels:
            return None
        percentiles, ranks = self.once(("percentiles", feature), lambda: _curve(levels))
        return float(1.0 - np.interp(value, percentiles, ranks))

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """make(), computed the first time `key` is asked of this reference: what derives from its
        statistics alone (their texts, their arrays) is the same for every client."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]


def _curve(levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles and their ranks as the arrays np.interp would otherwise build on every call."""
    return np.asarray(levels, dtype="float64"), np.linspace(0.0, 1.0, len(levels))


def leaning(rate: float | None, overall: float) -> str | None:
    """'raises' when clients sharing the value default more than all clients, as the sentence writes
    the rates (one decimal of a percent); 'lowers' when less; None when they read the same."""
    if rate is None:
        return None
    difference = round(rate * 100, 1) - round(overall * 100, 1)
    return "raises" if difference > 0 else "lowers" if difference < 0 else None


def reference_of(stats: dict, vocabularies: Mapping[str, list[str]]) -> Reference:
    """A bundle's reference_stats; bundles trained before the rates around the median have none."""
    return Reference(
        stats["medians"],
        stats["default_rates"],
        stats["default_rate"],
        vocabularies,
        stats.get("around_median", {}),
        stats.get("quantiles", {}),
    )


def value_key(value: float) -> str | None:
    """How a numeric value is written as a key of default_rates ('2.0')."""
    return None if missing(value) else repr(float(value))


def missing(value) -> bool:
    return value is None or value != value  # NaN is the only value unequal to itself
