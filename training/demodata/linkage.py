"""How many child rows a parent has: measured where the sample links, and expanded for
generation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.demodata.marginals import frequencies, rounded

CLIENT_CHILDREN = (
    "bureau",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
)
MONTHLY = ("POS_CASH_balance", "installments_payments", "credit_card_balance")
MONTH = 30.4375  # days
# Most recent months kept per loan in the monthly tables: bounds their size. A choice (Kaggle
# keeps up to 96): the sample's monthly rows are random subsets and cannot tell.
MAX_MONTHS = 36


def rows_per_parent(child_keys: pd.Series, parent_keys: pd.Series) -> dict:
    """Share of parents with rows and the rows-per-parent frequencies of those that have some.

    Only parents inside the child's key range count: previous_application covers the
    SK_ID_CURR <= 100999 block only, and its clients elsewhere have no chance of rows.
    """
    covered = parent_keys[parent_keys.between(child_keys.min(), child_keys.max())].unique()
    counts = child_keys[child_keys.isin(covered)].value_counts()
    return {
        "parents": int(len(covered)),
        "parents_with_rows": int(len(counts)),
        "share_with_rows": rounded(len(counts) / max(len(covered), 1)),
        "mean_rows": rounded(counts.mean()) if len(counts) else 0.0,
        "rows_per_parent": frequencies(counts),
    }


def measure_linkage(apps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> dict:
    """Rows per client of each client-level table, rows per bureau loan, rows per previous loan."""
    out = {
        stem: {
            "parent": "SK_ID_CURR",
            **rows_per_parent(tables[stem]["SK_ID_CURR"], apps["SK_ID_CURR"]),
        }
        for stem in CLIENT_CHILDREN
    }
    out["bureau_balance"] = {
        "parent": "SK_ID_BUREAU",
        **rows_per_parent(
            tables["bureau_balance"]["SK_ID_BUREAU"], tables["bureau"]["SK_ID_BUREAU"]
        ),
    }
    for stem in MONTHLY:
        per_loan = tables[stem]["SK_ID_PREV"].value_counts()
        out[stem]["rows_per_previous_loan"] = {
            "mean": rounded(per_loan.mean()),
            "max": int(per_loan.max()),
        }
    return out


def draw_counts(profile: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """Rows for each of n parents: none with the measured probability, else from the frequencies."""
    values, shares = zip(*profile["rows_per_parent"])
    shares = np.asarray(shares) / np.sum(shares)
    counts = np.asarray(values, dtype="int64")[rng.choice(len(values), size=n, p=shares)]
    return np.where(rng.random(n) < profile["share_with_rows"], counts, 0)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parent position, 0-based rank within the parent) of every child row."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - starts[parent]
