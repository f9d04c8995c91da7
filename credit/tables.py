"""Reading the Kaggle CSV files of a data directory.

Every reading error names the file and the column, so a bad export is fixed at its source
instead of being debugged from a pandas stack trace.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from credit.schema import FILES, DataError, columns_of
from credit.values import typed_columns

log = logging.getLogger(__name__)


def coerce(frame: pd.DataFrame, stem: str, file: str | None = None) -> pd.DataFrame:
    """A frame of one table with its schema types (see credit.values.typed_columns)."""
    return pd.DataFrame(typed_columns(frame, stem, file or f"{stem}.csv"), index=frame.index)


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
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise DataError(path.name, f"required column missing{more}", missing[0])
    extra = [c for c in header if c not in expected]
    if extra:
        log.warning(
            "%s: ignoring %d unknown column(s): %s", path.name, len(extra), ", ".join(extra[:10])
        )


def read_tables(directory: Path, stems=tuple(FILES)) -> dict[str, pd.DataFrame]:
    """Read the Kaggle files of a data directory, keyed by file stem."""
    return {stem: read_table(directory, stem) for stem in stems}
