"""Which reference clients resemble a client, on the features a person would call similar.

Numbers are compared in robust units (difference / interquartile range, fitted once on the
reference); money on a log scale, since 10 000 apart matters for a small income, not a large one.
A different category, a reference value that is missing, or one client working and the other not
each count MISMATCH units apart. A feature the client did not state is left out and the distance
is averaged over the features that remain, so clients with gaps still get neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL

MISMATCH = 1.0  # in robust units: as far apart as one interquartile range


@dataclass(frozen=True)
class SimilarityFeature:
    name: str
    label: dict  # {"fr": ..., "en": ...}
    kind: str  # "number" or "category"


SIMILARITY_FEATURES = (
    SimilarityFeature("AGE_YEARS", {"fr": "Âge", "en": "Age"}, "number"),
    SimilarityFeature(
        "AMT_INCOME_TOTAL", {"fr": "Revenu déclaré", "en": "Declared income"}, "number"
    ),
    SimilarityFeature("AMT_CREDIT", {"fr": "Montant du crédit", "en": "Loan amount"}, "number"),
    SimilarityFeature("AMT_ANNUITY", {"fr": "Annuité du crédit", "en": "Loan annuity"}, "number"),
    SimilarityFeature(
        "EMPLOYED_YEARS",
        {"fr": "Ancienneté dans l'emploi actuel", "en": "Time in current job"},
        "number",
    ),
    SimilarityFeature(
        "CNT_CHILDREN", {"fr": "Nombre d'enfants", "en": "Number of children"}, "number"
    ),
    SimilarityFeature(
        "NAME_CONTRACT_TYPE", {"fr": "Type de crédit", "en": "Loan type"}, "category"
    ),
    SimilarityFeature(
        "NAME_FAMILY_STATUS", {"fr": "Situation familiale", "en": "Family status"}, "category"
    ),
    SimilarityFeature(
        "NAME_EDUCATION_TYPE", {"fr": "Niveau d'études", "en": "Education level"}, "category"
    ),
)
_NUMBERS = [f for f in SIMILARITY_FEATURES if f.kind == "number"]
_CATEGORIES = [f for f in SIMILARITY_FEATURES if f.kind == "category"]
_LOG = {"AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY"}


def numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats, NaN where missing or absent (a client's row may lack it or hold None)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy("float64")


def derive(frame: pd.DataFrame, feature: str) -> np.ndarray:
    """A raw column, or AGE_YEARS / EMPLOYED_YEARS made from one; not employed is NaN for
    employment."""
    if feature == "AGE_YEARS":
        return -numbers(frame, "DAYS_BIRTH") / 365.25
    if feature in ("EMPLOYED_YEARS", "DAYS_EMPLOYED"):
        days = numbers(frame, "DAYS_EMPLOYED")
        days = np.where(days == DAYS_SENTINEL, np.nan, days)
        return days if feature == "DAYS_EMPLOYED" else -days / 365.25
    if pd.api.types.is_numeric_dtype(frame[feature]):
        return numbers(frame, feature)
    return frame[feature].to_numpy(object)


def _comparable(frame: pd.DataFrame) -> np.ndarray:
    """The numeric similarity features, one column each, money as log."""
    columns = [
        derive(frame, f.name) if f.name.endswith("_YEARS") else numbers(frame, f.name)
        for f in _NUMBERS
    ]
    return np.column_stack(
        [np.log1p(c) if f.name in _LOG else c for f, c in zip(_NUMBERS, columns)]
    )


def _robust_scale(values: np.ndarray) -> np.ndarray:
    """IQR per column; the standard deviation where the IQR is 0, and 1 where both are."""
    q1, q3 = np.nanpercentile(values, [25, 75], axis=0)
    scale = np.where(q3 > q1, q3 - q1, np.nanstd(values, axis=0))
    return np.where(np.nan_to_num(scale) > 0, scale, 1.0)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


class Neighbourhood:
    """Reference clients in robust units, ready for one vectorised distance per query."""

    def __init__(self, frame: pd.DataFrame):
        raw = _comparable(frame)
        self.size = len(frame)
        self._scale = _robust_scale(raw)
        scaled = raw / self._scale
        self._gap = np.isnan(scaled)  # a missing reference value: always a mismatch
        self._z = np.nan_to_num(scaled).astype("float32")
        self._idle = numbers(frame, "DAYS_EMPLOYED") == DAYS_SENTINEL  # not employed
        self._codes, self._vocabularies = {}, {}
        for feature in _CATEGORIES:
            codes, uniques = pd.factorize(frame[feature.name])  # missing -> -1, never a match
            self._codes[feature.name] = codes
            self._vocabularies[feature.name] = {value: i for i, value in enumerate(uniques)}

    def distances(self, client: Mapping) -> tuple[np.ndarray, tuple[SimilarityFeature, ...]]:
        """Distance of every reference client to `client`, and the features it was judged on."""
        squares, used = np.zeros(self.size, "float32"), []
        self._add_numbers(pd.DataFrame([dict(client)]), squares, used)
        self._add_categories(client, squares, used)
        if not used:
            raise ValueError("the client states none of the similarity features")
        return np.sqrt(squares / len(used)), tuple(used)

    def _add_numbers(self, row: pd.DataFrame, squares: np.ndarray, used: list) -> None:
        values = (_comparable(row) / self._scale)[0].astype("float32")
        idle = bool(numbers(row, "DAYS_EMPLOYED")[0] == DAYS_SENTINEL)
        for j, feature in enumerate(_NUMBERS):
            if (
                feature.name == "EMPLOYED_YEARS" and idle
            ):  # not employed: a state, close only to itself
                squares += np.where(self._idle, 0.0, MISMATCH**2).astype("float32")
            elif np.isnan(values[j]):
                continue
            else:
                squares += np.where(self._gap[:, j], MISMATCH**2, (self._z[:, j] - values[j]) ** 2)
            used.append(feature)

    def _add_categories(self, client: Mapping, squares: np.ndarray, used: list) -> None:
        for feature in _CATEGORIES:
            value = client.get(feature.name)
            if _missing(value):
                continue
            code = self._vocabularies[feature.name].get(
                value, -2
            )  # a value no one has matches no one
            squares += np.where(self._codes[feature.name] == code, 0.0, MISMATCH**2).astype(
                "float32"
            )
            used.append(feature)
