"""The lending policy: a PD at or above the threshold is refused."""
from __future__ import annotations

import numpy as np

GRANTED, REFUSED = "granted", "refused"


def decide(probability_of_default, threshold: float) -> np.ndarray:
    """'granted' or 'refused' for each PD."""
    return np.where(np.asarray(probability_of_default) >= threshold, REFUSED, GRANTED)


NEAR_BAND = 0.2  # within 20 % of the threshold, a person should look at the file


def near_threshold(probability_of_default: float, threshold: float, band: float = NEAR_BAND) -> bool:
    """Whether a PD is close enough to the threshold that the decision could easily have gone the other way."""
    return abs(probability_of_default - threshold) <= band * threshold
