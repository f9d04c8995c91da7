"""Scoring: validated application events in, decision events out, whatever runs the model.

The rules are here (features, inputs the model can hold, calibration, the decision and its review
band); the model's runtime is an adapter (adapters/onnx_scorer.py) that only turns model inputs
into raw margins. The scorer service, the dashboard's simulations and the benchmarks share them.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from credit.bundle import Bundle, load_bundle
from credit.calibration import calibrate
from credit.decision import REVIEW_BAND, decide, statuses
from credit.events import ApplicationScored, now
from credit.features import features_online


class Scorer(ABC):
    """Scores micro-batches with the model of one bundle (refuses an invalid bundle).

    PDs within review_band (a share of the threshold) of the threshold are left to a reviewer.
    """

    def __init__(self, bundle_path, review_band: float = REVIEW_BAND):
        self.bundle: Bundle = load_bundle(bundle_path)
        self.review_band = review_band

    @abstractmethod
    def margins(self, x: np.ndarray) -> np.ndarray:
        """The model's raw log-odds for rows of the bundle's features."""

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated PDs of model inputs (rows of the bundle's features)."""
        return calibrate(self.margins(x), self.bundle.calibrator)

    def score(
        self,
        applications: Sequence[Mapping],
        histories: Mapping[int, Mapping],
        review_band: float | None = None,
    ) -> list[ApplicationScored]:
        """Decisions for validated application events (dicts), in order; histories: aggregates by
        client id.

        review_band: another band than the scorer's, for the dashboard's simulations, which apply
        the band the scorer service used for the client's decision.
        """
        band = self.review_band if review_band is None else review_band
        started = time.perf_counter()
        x = features_online(
            applications,
            histories,
            self.bundle.vocabularies,
            self.bundle.features,
            self.bundle.imputer,
        )
        self._check_representable(x)
        featured = time.perf_counter()
        pd_ = self.probabilities(x)
        inferred = time.perf_counter()
        decisions, status = (
            decide(pd_, self.bundle.threshold),
            statuses(pd_, self.bundle.threshold, band),
        )
        timings = {
            "features_ms": (featured - started) * 1000 / len(x),
            "inference_ms": (inferred - featured) * 1000 / len(x),
        }
        decided_at = now()
        return [
            self._event(app, float(p), str(d), str(s), band, row, timings, decided_at)
            for app, p, d, s, row in zip(applications, pd_, decisions, status, x.tolist())
        ]

    def _check_representable(self, x: np.ndarray) -> None:
        """Refuse inputs the model's float32 would turn into infinities (raises, naming the
        feature)."""
        with np.errstate(over="ignore"):
            bad = np.isinf(x.astype(np.float32))
        if bad.any():
            column = int(np.argwhere(bad)[0][1])
            raise ValueError(
                f"feature {self.bundle.features[column]} is beyond the model's float32 range"
            )

    def _event(
        self,
        app: Mapping,
        pd_: float,
        decision: str,
        status: str,
        band: float,
        row: list[float],
        timings: dict,
        decided_at: datetime,
    ) -> ApplicationScored:
        return ApplicationScored(
            application_id=app["application_id"],
            client_id=app["SK_ID_CURR"],
            probability_of_default=pd_,
            decision=decision,
            threshold=self.bundle.threshold,
            model_version=self.bundle.model_version,
            decided_at=decided_at,
            submitted_at=app["submitted_at"],
            timings_ms=timings,
            status=status,
            review_band=band,
            features=[None if v != v else v for v in row],  # NaN: missing
        )
