"""Small numeric helpers shared by the feature modules."""

from __future__ import annotations

import numpy as np
import pandas as pd


def divide(numerator, denominator):
    """Division where a zero or missing denominator gives missing, not infinity.

    Keeps the type it is given: pandas Series (history aggregates) or numpy arrays (applications).
    """
    if isinstance(denominator, pd.Series):
        return numerator / denominator.where(denominator != 0, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator, dtype="float64") / np.where(
            denominator != 0, denominator, np.nan
        )
