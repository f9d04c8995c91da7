"""Typing raw values of the Kaggle schema, the same way for CSV files and for JSON events.

Works on plain numpy arrays column by column, so typing one event costs microseconds,
not the per-column overhead of pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np
import pandas as pd

from credit.schema import MISSING_CODES, DataError, columns_of

Columns = dict[str, np.ndarray]


def typed_columns(source: Mapping, stem: str, file: str) -> Columns:
    """Schema-typed arrays of the columns of `source` (a DataFrame or column -> values).

    Numbers become float64 (ids int64), Y/N flags 1.0/0.0, categories objects with
    XNA/XAP and blanks as None. Bad values raise DataError naming the column and row.
    """
    out = {}
    for column, kind in columns_of(stem).items():
        if column in source:
            out[column] = _TYPERS[kind](np.asarray(source[column]), file, column)
    return out


def event_columns(events: Sequence[Mapping]) -> dict[str, list]:
    """Column -> values of JSON-like application events (absent keys are missing)."""
    columns = tuple(columns_of("application_test"))
    if events and all(len(event) >= len(columns) for event in events):
        try:  # events that hold every column (validated ones): one C-level lookup per event
            rows = map(itemgetter(*columns), events)
            return dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True))
        except KeyError:
            pass
    return {column: [event.get(column) for event in events] for column in columns}


def _category(values: np.ndarray, file: str, column: str) -> np.ndarray:
    values = values.astype(object)
    missing = pd.isna(values)
    for code in MISSING_CODES:  # elementwise ==: far cheaper than np.isin on a few values
        missing |= values == code
    return np.where(missing, None, values)


def _flag(values: np.ndarray, file: str, column: str) -> np.ndarray:
    values = values.astype(object)
    yes, no = (values == "Y") | (values == 1), (values == "N") | (values == 0)
    bad = ~(yes | no | pd.isna(values))
    if bad.any():
        raise DataError(file, f"expected Y or N, found {values[bad][0]!r}", column)
    return np.where(yes, 1.0, np.where(no, 0.0, np.nan))


def _number(values: np.ndarray, file: str, column: str) -> np.ndarray:
    try:
        return values.astype("float64")  # None -> nan; "abc" raises
    except (TypeError, ValueError):
        numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
        row = int(np.argmax(np.isnan(numbers) & ~pd.isna(values)))
        raise DataError(
            file, f"non-numeric value {values.tolist()[row]!r} at data row {row + 1}", column
        ) from None


def _key(values: np.ndarray, file: str, column: str) -> np.ndarray:
    numbers = _number(values, file, column)
    if np.isnan(numbers).any():
        raise DataError(
            file, f"missing id at data row {int(np.argmax(np.isnan(numbers))) + 1}", column
        )
    return numbers.astype("int64")


def _target(values: np.ndarray, file: str, column: str) -> np.ndarray:
    numbers = _number(values, file, column)
    bad = ~np.isin(numbers, (0.0, 1.0))
    if bad.any():
        raise DataError(file, f"TARGET must be 0 or 1, found {float(numbers[bad][0]):g}", column)
    return numbers


_TYPERS = {"category": _category, "flag": _flag, "number": _number, "key": _key, "target": _target}
