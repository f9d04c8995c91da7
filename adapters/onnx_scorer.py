"""The bundle's model behind ONNX Runtime (and native LightGBM, only to measure ONNX against it).

The scoring rules are credit.scoring.Scorer's; these adapters only run the model.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from credit.bundle import ONNX_INPUT, ONNX_OUTPUT
from credit.calibration import margin_of
from credit.decision import REVIEW_BAND
from credit.scoring import Scorer


class OnnxScorer(Scorer):
    def __init__(self, bundle_path, review_band: float = REVIEW_BAND):
        super().__init__(bundle_path, review_band)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one core per worker process; scale out by partitions
        self.session = ort.InferenceSession(
            str(self.bundle.file("onnx")), options, providers=["CPUExecutionProvider"]
        )
        inputs = self.session.get_inputs()
        if inputs[0].name != ONNX_INPUT or inputs[0].shape[1] != len(self.bundle.features):
            raise ValueError(
                f"{self.bundle.path}: model.onnx does not take the bundle's "
                f"{len(self.bundle.features)} features"
            )

    def margins(self, x: np.ndarray) -> np.ndarray:
        return margin_of(
            self.session.run([ONNX_OUTPUT], {ONNX_INPUT: x.astype(np.float32)})[0][:, 1]
        )


class LightGBMScorer(Scorer):
    def __init__(self, bundle_path, review_band: float = REVIEW_BAND):
        import lightgbm as lgb

        super().__init__(bundle_path, review_band)
        self.booster = lgb.Booster(model_file=str(self.bundle.file("lightgbm")))

    def margins(self, x: np.ndarray) -> np.ndarray:
        return self.booster.predict(x, raw_score=True, num_threads=1)
