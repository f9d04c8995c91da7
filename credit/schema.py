"""The seven Kaggle "Home Credit Default Risk" tables: their files, columns and codes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

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
    """Data that cannot be used, with the file (or event) and column at fault."""

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
