"""The bundle's model behind ONNX Runtime: application events in, decision events out."""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import onnxruntime as ort

from credit.bundle import ONNX_INPUT, ONNX_OUTPUT, Bundle, load_bundle
from credit.calibration import calibrate, margin_of
from credit.decision import REVIEW_BAND, decide, statuses
from credit.events import ApplicationScored, now
from credit.features import features_online


class OnnxScorer:
    """Scores micro-batches with the ONNX model of one bundle (refuses an invalid bundle).

    PDs within review_band (a share of the threshold) of the threshold are left to a reviewer.
    """

    def __init__(self, bundle_path, review_band: float = REVIEW_BAND):
        self.bundle: Bundle = load_bundle(bundle_path)
        self.review_band = review_band
        self._open_model()

    def _open_model(self) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one core per worker process; scale out by partitions
        self.session = ort.InferenceSession(str(self.bundle.file("onnx")), options, providers=["CPUExecutionProvider"])
        inputs = self.session.get_inputs()
        if inputs[0].name != ONNX_INPUT or inputs[0].shape[1] != len(self.bundle.features):
            raise ValueError(f"{self.bundle.path}: model.onnx does not take the bundle's {len(self.bundle.features)} features")

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated PDs of model inputs (rows of the bundle's features)."""
        raw = self.session.run([ONNX_OUTPUT], {ONNX_INPUT: x.astype(np.float32)})[0][:, 1]
        return calibrate(margin_of(raw), self.bundle.calibrator)

    def score(self, applications: Sequence[Mapping], histories: Mapping[int, Mapping],
              review_band: float | None = None) -> list[ApplicationScored]:
        """Decisions for validated application events, in order (review_band: another band than the scorer's,
        for the dashboard's simulations, which apply the band the scorer service used)."""
        band = self.review_band if review_band is None else review_band
        started = time.perf_counter()
        x = features_online(applications, histories, self.bundle.vocabularies, self.bundle.features)
        self._check_representable(x)
        featured = time.perf_counter()
        pd_ = self.probabilities(x)
        inferred = time.perf_counter()
        decisions, status = decide(pd_, self.bundle.threshold), statuses(pd_, self.bundle.threshold, band)
        timings = {"features_ms": (featured - started) * 1000 / len(x), "inference_ms": (inferred - featured) * 1000 / len(x)}
        decided_at = now()
        return [self._event(app, float(p), str(d), str(s), band, row, timings, decided_at)
                for app, p, d, s, row in zip(applications, pd_, decisions, status, x)]

    def _check_representable(self, x: np.ndarray) -> None:
        """Refuse inputs the model's float32 would turn into infinities (raises, naming the feature)."""
        with np.errstate(over="ignore"):
            bad = np.isinf(x.astype(np.float32))
        if bad.any():
            column = int(np.argwhere(bad)[0][1])
            raise ValueError(f"feature {self.bundle.features[column]} is beyond the model's float32 range")

    def _event(self, app: Mapping, pd_: float, decision: str, status: str, band: float, row: np.ndarray,
               timings: dict, decided_at: datetime) -> ApplicationScored:
        return ApplicationScored(
            application_id=app["application_id"], client_id=app["SK_ID_CURR"], probability_of_default=pd_,
            decision=decision, threshold=self.bundle.threshold, model_version=self.bundle.model_version,
            decided_at=decided_at, submitted_at=app["submitted_at"], timings_ms=timings, status=status,
            review_band=band,
            features=[None if np.isnan(v) else float(v) for v in row])


class LightGBMScorer(OnnxScorer):
    """The same scorer on native LightGBM: only for measuring ONNX Runtime against it."""

    def _open_model(self) -> None:
        import lightgbm as lgb

        self.booster = lgb.Booster(model_file=str(self.bundle.file("lightgbm")))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return calibrate(self.booster.predict(x, raw_score=True, num_threads=1), self.bundle.calibrator)
