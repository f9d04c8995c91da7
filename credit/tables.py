"""The seven Kaggle "Home Credit Default Risk" tables: their columns and how to read them.

Every reading error names the file and the column, so a bad export is fixed at its source
instead of being debugged from a pandas stack trace.
"""
from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

# File stem -> schema name in kaggle_columns.json (train and test share one schema).
FILES = {
    "application_train": "application",
    "application_test": "application",
    "bureau": "bureau",
    "bureau_balance": "bureau_balance",
    "previous_application": "previous_application",
    "POS_CASH_balance": "POS_CASH_balance",
    "installments_payments": "installments_payments",
    "credit_card_balance": "credit_card_balance",
}
# Kaggle codes meaning "not applicable / not available".
MISSING_CODES = ("XNA", "XAP")
# Kaggle's DAYS_* sentinel for "no date" (DAYS_EMPLOYED: not employed or unknown).
DAYS_SENTINEL = 365243


class DataError(ValueError):
    """A data file that cannot be used, with the file and column at fault."""

    def __init__(self, file: str, message: str, column: str | None = None):
        where = f"{file}, column {column}" if column else file
        super().__init__(f"{where}: {message}")
        self.file, self.column = file, column


@cache
def schema(name: str) -> dict[str, str]:
    """Column -> kind (key, target, number, category, flag) for one schema, in Kaggle order."""
    text = resources.files("credit").joinpath("kaggle_columns.json").read_text()
    return json.loads(text)[name]


def columns_of(stem: str) -> dict[str, str]:
    """The expected columns of one file: the test file is the train file without TARGET."""
    cols = schema(FILES[stem])
    if stem == "application_test":
        return {c: k for c, k in cols.items() if k != "target"}
    return cols


def coerce(frame: pd.DataFrame, stem: str, file: str | None = None) -> pd.DataFrame:
    """Give a frame of one table its schema types and Kaggle missing codes.

    Used for CSV files and for online events alike, so both paths see identical values.
    Numbers become float64, flags 1.0/0.0, categories strings with XNA/XAP as missing.
    """
    file = file or f"{stem}.csv"
    out = {}
    for column, kind in columns_of(stem).items():
        if column not in frame:
            continue
        values = frame[column]
        if kind == "category":
            out[column] = values.astype("object").where(~values.isin(MISSING_CODES) & values.notna(), None)
        elif kind == "flag":
            out[column] = _flag(values, file, column)
        else:
            out[column] = _number(values, file, column, integer=kind == "key")
    result = pd.DataFrame(out, index=frame.index)
    if "TARGET" in result:
        _check_target(result["TARGET"], file)
    return result


def _number(values: pd.Series, file: str, column: str, integer: bool) -> pd.Series:
    numbers = values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(file, f"non-numeric value {values.iloc[row]!r} at data row {row + 1}", column)
    if integer:
        if numbers.isna().any():
            raise DataError(file, f"missing id at data row {int(np.argmax(numbers.isna().to_numpy())) + 1}", column)
        return numbers.astype("int64")
    return numbers.astype("float64")


def _flag(values: pd.Series, file: str, column: str) -> pd.Series:
    mapped = values.map({"Y": 1.0, "N": 0.0, 1: 1.0, 0: 0.0, 1.0: 1.0, 0.0: 0.0, True: 1.0, False: 0.0})
    bad = mapped.isna() & values.notna()
    if bad.any():
        raise DataError(file, f"expected Y or N, found {values[bad].iloc[0]!r}", column)
    return mapped.astype("float64")


def _check_target(target: pd.Series, file: str) -> None:
    bad = ~target.isin([0.0, 1.0])
    if bad.any():
        raise DataError(file, f"TARGET must be 0 or 1, found {target[bad].iloc[0]!r}", "TARGET")


def read_table(directory: Path, stem: str) -> pd.DataFrame:
    """Read and type-check one CSV of the data directory."""
    path = Path(directory) / f"{stem}.csv"
    if not path.is_file():
        raise DataError(path.name, f"file not found in {directory}")
    _check_header(path, stem)
    try:
        frame = pd.read_csv(path, usecols=list(columns_of(stem)), low_memory=False)
    except pd.errors.ParserError as error:
        raise DataError(path.name, f"malformed CSV ({error})") from None
    if frame.empty:
        raise DataError(path.name, "the table has a header but no rows")
    return coerce(frame, stem, path.name)


def _check_header(path: Path, stem: str) -> None:
    try:
        header = list(pd.read_csv(path, nrows=0).columns)
    except pd.errors.EmptyDataError:
        raise DataError(path.name, "the file is empty") from None
    expected = columns_of(stem)
    if len(header) == 1 and len(expected) > 1:
        sep = next((s for s in (";", "\t", "|") if s in header[0]), None)
        hint = f" (found {sep!r})" if sep else ""
        raise DataError(path.name, f"wrong delimiter: expected commas{hint}")
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(path.name, f"required column missing (and {len(missing) - 1} more)" if len(missing) > 1
                        else "required column missing", missing[0])
    extra = [c for c in header if c not in expected]
    if extra:
        log.warning("%s: ignoring %d unknown column(s): %s", path.name, len(extra), ", ".join(extra[:10]))


def read_tables(directory: Path, stems=tuple(FILES)) -> dict[str, pd.DataFrame]:
    """Read the Kaggle files of a data directory, keyed by file stem."""
    return {stem: read_table(directory, stem) for stem in stems}
