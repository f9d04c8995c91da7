"""How a client compares with the reference clients: PD standing, similar clients, distributions,
segments.

The reference is the training population (the bundle's reference.parquet), whose outcomes are known.
What the queries need is computed in Population's constructor, or once per feature on its first
distribution, so each query on 300,000 clients takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.bundle import Bundle
from credit.segments import SegmentFilter, Segments
from credit.similarity import Neighbourhood, SimilarityFeature, derive

HISTOGRAM_BINS = 30
NOT_GROUPS = (
    "SK_ID_CURR",
    "PD",
)  # the columns of contributions.parquet that are not readable groups


@dataclass(frozen=True)
class SimilarClients:
    index: np.ndarray  # positions in the reference (and in contributions.parquet), nearest first
    ids: np.ndarray  # their SK_ID_CURR
    distance: np.ndarray  # in robust units, averaged over `features`
    default_rate: float  # share of them who defaulted
    mean_pd: float
    k: int
    features: tuple[
        SimilarityFeature, ...
    ]  # what similarity was judged on: the ones the client stated


class Population:
    def __init__(self, reference: pd.DataFrame, pd_column: str = "PD"):
        self._frame = reference
        self._target = reference["TARGET"].to_numpy("float64")
        self._pd = reference[pd_column].to_numpy("float64")
        self._ids = reference["SK_ID_CURR"].to_numpy()
        self._sorted_pd = np.sort(self._pd[~np.isnan(self._pd)])
        self._known = np.flatnonzero(
            ~np.isnan(self._target)
        )  # neighbours and distributions need an outcome
        known = reference if len(self._known) == len(reference) else reference.iloc[self._known]
        self._neighbourhood = Neighbourhood(known)
        self._segments = Segments(reference)
        self._views: dict[
            str, tuple[dict, np.ndarray | None]
        ] = {}  # feature -> distribution, on first use

    @classmethod
    def from_bundle(cls, bundle: Bundle, pd_column: str = "OOF_PD") -> Population:
        """Out-of-fold PDs by default: the final model's PDs on its own training rows are
        overconfident."""
        return cls(pd.read_parquet(bundle.file("reference")), pd_column)

    def __len__(self) -> int:
        return len(self._frame)

    def sample(self, n: int, seed: int = 0) -> pd.DataFrame:
        """At most n reference clients drawn at random (for charts), with their PD as column PD."""
        rows = np.random.default_rng(seed).choice(
            len(self._frame), min(n, len(self._frame)), replace=False
        )
        return self._frame.iloc[rows].assign(PD=self._pd[rows])

    def percentile(self, pd_: float) -> float:
        """Share (0-100) of reference clients with a lower PD."""
        return (
            100.0 * float(np.searchsorted(self._sorted_pd, pd_, side="left")) / len(self._sorted_pd)
        )

    def similar(self, client: Mapping, k: int = 20) -> SimilarClients:
        """The k reference clients nearest to `client` (raw application columns), nearest first."""
        distance, features = self._neighbourhood.distances(client)
        own = self._ids[self._known] == client.get(
            "SK_ID_CURR"
        )  # the client's own past row would show its outcome
        distance[own] = np.inf
        if min(k, len(distance) - int(own.sum())) < 1:
            raise ValueError(
                f"no neighbour to give: k={k}, "
                f"{len(distance) - int(own.sum())} other reference clients"
            )
        k = min(k, len(distance) - int(own.sum()))
        nearest = np.argpartition(distance, k - 1)[:k]
        nearest = nearest[np.argsort(distance[nearest], kind="stable")]
        rows = self._known[nearest]
        return SimilarClients(
            rows,
            self._ids[rows],
            distance[nearest],
            float(self._target[rows].mean()),
            float(np.nanmean(self._pd[rows])),
            k,
            features,
        )

    def distribution(self, feature: str, value: object = None) -> dict:
        """Repaid and defaulted clients over a raw column, AGE_YEARS or EMPLOYED_YEARS, with `value`
        marked.

        Numbers: histogram (the 1 % tails fall in the end bins) and the value's percentile
        (mid-rank). Categories: counts and default rate per category, most frequent first. Clients
        without a value (or not employed, for employment) are counted under "missing".
        """
        if feature not in self._views:
            values, defaulted = (
                derive(self._frame, feature)[self._known],
                self._target[self._known] == 1,
            )
            self._views[feature] = (_tally if values.dtype == object else _histogram)(
                values, defaulted
            )
        view, ordered = self._views[feature]
        shown = {
            key: part.tolist()
            if isinstance(part, np.ndarray)
            else dict(part)
            if isinstance(part, dict)
            else part
            for key, part in view.items()
        }  # copies: the cached view stays as computed
        return {**shown, "feature": feature, "value": value, "percentile": _rank(ordered, value)}

    def segment(self, filters: Mapping[str, object]) -> np.ndarray:
        """Boolean mask over the reference rows; keys and values as segment_options() lists them."""
        return self._segments.mask(filters)

    def segment_options(self, lang: str = "fr") -> list[SegmentFilter]:
        return self._segments.options(lang)

    def describe(self, mask: np.ndarray) -> dict:
        """Size, default rate and mean PD of a segment."""
        target, pd_ = self._target[mask], self._pd[mask]
        return {
            "clients": int(mask.sum()),
            "default_rate": float(np.nanmean(target)) if len(target) else None,
            "mean_pd": float(np.nanmean(pd_)) if len(pd_) else None,
        }


def value_of(client: Mapping, feature: str) -> object:
    """The client's value of a feature distribution() accepts (AGE_YEARS from DAYS_BIRTH, ...)."""
    value = (
        derive(pd.DataFrame([dict(client)]), feature)[0]
        if feature in client or feature.endswith("_YEARS")
        else None
    )
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def main_groups(contributions: pd.DataFrame, top: int = 3) -> list[tuple[str, float]]:
    """Groups with the largest mean absolute contribution (points) among these rows, with their
    signed mean."""
    points = contributions.drop(columns=[c for c in NOT_GROUPS if c in contributions])
    if points.empty:
        return []
    weight = points.abs().mean().sort_values(ascending=False, kind="stable")
    means = points.mean()
    return [(group, float(means[group])) for group in weight.index[:top]]


def _histogram(values: np.ndarray, defaulted: np.ndarray) -> tuple[dict, np.ndarray]:
    known = ~np.isnan(values)
    shown = values[known]
    edges = _edges(shown)
    clipped, bad = np.clip(shown, edges[0], edges[-1]), defaulted[known]
    view = {
        "kind": "number",
        "edges": edges,
        "repaid": np.histogram(clipped[~bad], edges)[0],
        "defaulted": np.histogram(clipped[bad], edges)[0],
        "missing": _missing(known, defaulted),
    }
    return view, np.sort(shown)


def _edges(values: np.ndarray) -> np.ndarray:
    """Bins over the 1st-99th percentiles; one per value for small whole numbers (children,
    ratings)."""
    low, high = np.quantile(values, [0.01, 0.99]) if len(values) else (0.0, 0.0)
    if np.all(values == np.round(values)) and high - low <= HISTOGRAM_BINS:
        return np.arange(np.floor(low), np.ceil(high) + 2) - 0.5
    return (
        np.linspace(low, high, HISTOGRAM_BINS + 1)
        if high > low
        else np.array([low - 0.5, low + 0.5])
    )


def _tally(values: np.ndarray, defaulted: np.ndarray) -> tuple[dict, None]:
    known = pd.notna(values)
    categories = pd.Series(values[known]).value_counts().index.to_numpy(object)
    codes = pd.Categorical(values, categories=categories).codes
    total = np.bincount(codes[known], minlength=len(categories))
    bad = np.bincount(codes[known & defaulted], minlength=len(categories))
    view = {
        "kind": "category",
        "categories": categories,
        "repaid": total - bad,
        "defaulted": bad,
        "default_rate": bad / np.maximum(total, 1),
        "missing": _missing(known, defaulted),
    }
    return view, None


def _missing(known: np.ndarray, defaulted: np.ndarray) -> dict:
    return {
        "repaid": int((~known & ~defaulted).sum()),
        "defaulted": int((~known & defaulted).sum()),
    }


def _rank(ordered: np.ndarray | None, value: object) -> float | None:
    """Percentile of a number among the reference's (mid-rank, so ties count half)."""
    if ordered is None or value is None or not len(ordered) or np.isnan(float(value)):
        return None
    below, up_to = np.searchsorted(ordered, value, "left"), np.searchsorted(ordered, value, "right")
    return 100.0 * (below + up_to) / 2 / len(ordered)
