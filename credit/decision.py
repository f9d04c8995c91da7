"""The lending policy: a PD at or above the threshold is refused; close to it, a person decides."""

from __future__ import annotations

import numpy as np

GRANTED, REFUSED = "granted", "refused"
DECIDED, TO_REVIEW = (
    "decided",
    "to_review",
)  # decided automatically, or proposed and waiting for a reviewer
# Within 10 % of the threshold the decision could easily have gone the other way: a reviewer
# decides.
# That is about 5 % of the training population (20 % would send 10 % of applications to reviewers).
REVIEW_BAND = 0.1


def decide(probability_of_default, threshold: float) -> np.ndarray:
    """'granted' or 'refused' for each PD (for a case to review: the proposed decision)."""
    return np.where(np.asarray(probability_of_default) >= threshold, REFUSED, GRANTED)


def in_review_band(probability_of_default, threshold: float, band: float = REVIEW_BAND):
    """Whether each PD is close enough to the threshold that a person should decide (band: share of
    the threshold)."""
    return np.abs(np.asarray(probability_of_default) - threshold) <= band * threshold


def statuses(probability_of_default, threshold: float, band: float) -> np.ndarray:
    """'decided' or 'to_review' for each PD."""
    return np.where(in_review_band(probability_of_default, threshold, band), TO_REVIEW, DECIDED)
