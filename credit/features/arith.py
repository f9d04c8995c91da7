"""Small numeric helpers shared by the feature modules."""
from __future__ import annotations

import numpy as np
import pandas as pd


def divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Division where a zero or missing denominator gives missing, not infinity."""
    return numerator / denominator.where(denominator != 0, np.nan)
