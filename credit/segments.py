"""Segments of the reference population a relationship manager can filter on, with readable options.

Each filter is turned into integer codes once (-1: no value); a mask is then a table lookup per
filter, fast enough to recompute at every click on 300,000 clients.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.explain.dictionary import category_label
from credit.explain.wording import money
from credit.similarity import derive, numbers

# Age bands in years, left-closed: the dashboard's segments and the training report's fairness
# rates.
AGE_BANDS = [0, 25, 35, 45, 55, 65, 200]
AGE_LABELS = {
    "<25": ("moins de 25 ans", "under 25"),
    "25-34": ("25 à 34 ans", "25 to 34"),
    "35-44": ("35 à 44 ans", "35 to 44"),
    "45-54": ("45 à 54 ans", "45 to 54"),
    "55-64": ("55 à 64 ans", "55 to 64"),
    "65+": ("65 ans et plus", "65 and over"),
}
INCOME_BANDS = 5  # quantile bands of declared income, "Q1" (lowest) to "Q5"
REGION_RATINGS = (1, 2, 3)
CATEGORIES = ("NAME_CONTRACT_TYPE", "NAME_FAMILY_STATUS", "NAME_EDUCATION_TYPE")
FILTERS = {
    "NAME_CONTRACT_TYPE": {"fr": "Type de crédit", "en": "Loan type"},
    "AGE_BAND": {"fr": "Tranche d'âge", "en": "Age band"},
    "INCOME_BAND": {"fr": "Tranche de revenu", "en": "Income band"},
    "NAME_FAMILY_STATUS": {"fr": "Situation familiale", "en": "Family status"},
    "NAME_EDUCATION_TYPE": {"fr": "Niveau d'études", "en": "Education level"},
    "REGION_RATING_CLIENT": {"fr": "Note de la région de résidence", "en": "Rating of home region"},
}


@dataclass(frozen=True)
class SegmentFilter:
    key: str  # what segment() takes
    label: str
    options: tuple[tuple[object, str], ...]  # (value segment() takes, its label)


def _income_edges(income: np.ndarray) -> np.ndarray:
    """Quintile limits rounded to 3 significant digits, so the labels are the real limits."""
    known = income[~np.isnan(income)]
    if not len(known):
        return np.array([])
    edges = np.quantile(known, np.linspace(0, 1, INCOME_BANDS + 1)[1:-1])
    return np.unique([float(f"{edge:.3g}") for edge in edges])


def _codes(values: np.ndarray, edges: Iterable[float]) -> np.ndarray:
    """Band number of each value (edges are lower limits, left-closed), -1 where missing."""
    codes = np.searchsorted(np.asarray(edges, dtype="float64"), values, side="right")
    return np.where(np.isnan(values), -1, codes).astype("int16")


def age_band_codes(age_years: np.ndarray) -> np.ndarray:
    """Each age's band, an index into AGE_LABELS; -1 where unknown or outside every band."""
    age = np.asarray(age_years, dtype="float64")
    return np.where(
        (age < AGE_BANDS[0]) | (age >= AGE_BANDS[-1]), -1, _codes(age, AGE_BANDS[1:-1])
    ).astype("int16")


def age_band(days_birth: pd.Series) -> pd.Series:
    """The age band of each DAYS_BIRTH, as categories named like AGE_LABELS' keys (NaN: none)."""
    codes = age_band_codes(-days_birth.to_numpy(dtype="float64") / 365.25)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(AGE_LABELS)), index=days_birth.index
    )


class Segments:
    def __init__(self, frame: pd.DataFrame):
        income = numbers(frame, "AMT_INCOME_TOTAL")
        self._income_edges = _income_edges(income)
        age, rating = derive(frame, "AGE_YEARS"), numbers(frame, "REGION_RATING_CLIENT")
        self._values = {
            "AGE_BAND": list(AGE_LABELS),
            "REGION_RATING_CLIENT": list(REGION_RATINGS),
            "INCOME_BAND": [f"Q{i + 1}" for i in range(len(self._income_edges) + 1)],
        }
        self._codes = {
            "AGE_BAND": age_band_codes(age),
            "INCOME_BAND": _codes(income, self._income_edges),
            "REGION_RATING_CLIENT": np.where(
                np.isin(rating, REGION_RATINGS), rating - 1, -1
            ).astype("int16"),
        }
        for column in CATEGORIES:
            self._values[column] = (
                frame[column].value_counts().index.tolist()
            )  # most frequent first
            self._codes[column] = pd.Categorical(
                frame[column], categories=self._values[column]
            ).codes

    def mask(self, filters: Mapping[str, object]) -> np.ndarray:
        """Clients in every filter's chosen value(s); a filter set to None or [] does not filter."""
        mask = np.ones(len(self._codes["AGE_BAND"]), dtype=bool)
        for key, chosen in filters.items():
            if key not in self._values:
                raise KeyError(f"unknown segment filter {key!r}; known: {', '.join(FILTERS)}")
            chosen = [chosen] if np.isscalar(chosen) else [] if chosen is None else list(chosen)
            if not chosen:
                continue
            allowed = np.zeros(
                len(self._values[key]) + 1, dtype=bool
            )  # the extra last one: code -1
            allowed[[i for i, value in enumerate(self._values[key]) if value in chosen]] = True
            mask &= allowed[self._codes[key]]
        return mask

    def options(self, lang: str = "fr") -> list[SegmentFilter]:
        labels = {
            "AGE_BAND": [AGE_LABELS[v][lang == "en"] for v in self._values["AGE_BAND"]],
            "INCOME_BAND": _income_labels(self._income_edges, lang),
            "REGION_RATING_CLIENT": [
                f"{'note' if lang == 'fr' else 'rating'} {v}" for v in REGION_RATINGS
            ],
        }
        labels.update(
            {c: [category_label(c, v, lang) for v in self._values[c]] for c in CATEGORIES}
        )
        return [
            SegmentFilter(key, FILTERS[key][lang], tuple(zip(self._values[key], labels[key])))
            for key in FILTERS
        ]


def _income_labels(edges: np.ndarray, lang: str) -> list[str]:
    shown = [money(edge, lang) for edge in edges]
    if not shown:
        return ["tous" if lang == "fr" else "all"]
    below, between, above = (
        ("moins de {}", "{} à {}", "{} et plus")
        if lang == "fr"
        else ("under {}", "{} to {}", "{} and over")
    )
    middle = [between.format(low, high) for low, high in zip(shown, shown[1:])]
    return [below.format(shown[0]), *middle, above.format(shown[-1])]
