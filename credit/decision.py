"""The lending policy: a PD at or above the threshold is refused."""
from __future__ import annotations

import numpy as np

GRANTED, REFUSED = "granted", "refused"


def decide(probability_of_default, threshold: float) -> np.ndarray:
    """'granted' or 'refused' for each PD."""
    return np.where(np.asarray(probability_of_default) >= threshold, REFUSED, GRANTED)
