"""Write the versioned model bundle: manifest, ONNX and native models, calibrator, reference
data."""

from __future__ import annotations

import json
import platform
from importlib.metadata import version
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit.bundle import FILES, MANIFEST, ONNX_INPUT, ONNX_OUTPUT, load_bundle, sha256
from credit.features.external_scores import ScoreImputer

ONNX_OPSET = 15  # highest opset onnxmltools converts LightGBM to
LIBRARIES = ("lightgbm", "onnxmltools", "onnx", "onnxruntime", "scikit-learn", "pandas", "numpy")


def float32_thresholds(booster: lgb.Booster) -> lgb.Booster:
    """The same model with every split threshold rounded down to a float32 value.

    ONNX stores thresholds in float32. For a float32 input x (see credit.features.model_matrix),
    x <= t holds exactly when x <= (largest float32 <= t), so the rounded model takes the same
    path as the original on every input, and ONNX and LightGBM then agree exactly.
    """
    lines = booster.model_to_string().split("\n")
    if any(line.startswith("num_cat=") and line != "num_cat=0" for line in lines):
        raise ValueError("categorical splits are not supported: categories are encoded as codes")
    for i, line in enumerate(lines):
        if line.startswith("threshold="):
            values = np.array(line[len("threshold=") :].split(), dtype="float64")
            lines[i] = "threshold=" + " ".join(
                repr(float(v)) for v in _round_down_to_float32(values)
            )
    # tree_sizes gives each tree's byte length, which the new text changes: LightGBM then reads
    # trees in order.
    return lgb.Booster(
        model_str="\n".join(line for line in lines if not line.startswith("tree_sizes="))
    )


def _round_down_to_float32(values: np.ndarray) -> np.ndarray:
    nearest = values.astype("float32")
    above = nearest.astype("float64") > values
    return np.where(above, np.nextafter(nearest, np.float32(-np.inf)), nearest).astype("float64")


def to_onnx(booster: lgb.Booster, n_features: int):
    """ONNX model returning P(default) as a plain [N, 2] tensor with a dynamic batch size."""
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    model = convert_lightgbm(
        booster,
        initial_types=[(ONNX_INPUT, FloatTensorType([None, n_features]))],
        target_opset=ONNX_OPSET,
        zipmap=False,
    )
    # Only the probabilities are used (the decision is the domain's policy); the label output's
    # fixed shape {1} would make ONNX Runtime warn on every batch.
    labels = [output for output in model.graph.output if output.name != ONNX_OUTPUT]
    for output in labels:
        model.graph.output.remove(output)
    return model


def write_bundle(
    out_dir: Path,
    manifest: dict,
    booster: lgb.Booster,
    calibrator: dict,
    reference: pd.DataFrame,
    history: pd.DataFrame,
    contributions: pd.DataFrame,
    imputer: ScoreImputer,
):
    """Write every file of the bundle, then the manifest with their checksums; returns the loaded
    bundle."""
    path = Path(out_dir) / manifest["model_version"]
    path.mkdir(parents=True, exist_ok=False)
    booster = float32_thresholds(booster)
    booster.save_model(path / FILES["lightgbm"])
    (path / FILES["onnx"]).write_bytes(
        to_onnx(booster, len(manifest["features"])).SerializeToString()
    )
    (path / FILES["calibrator"]).write_text(json.dumps(calibrator, indent=1))
    reference.to_parquet(path / FILES["reference"], index=False)
    history.reset_index().to_parquet(path / FILES["history"], index=False)
    contributions.to_parquet(path / FILES["contributions"], index=False)
    (path / FILES["imputer"]).write_text(imputer.to_json())
    manifest = {
        **manifest,
        "libraries": library_versions(),
        "files": {name: sha256(path / name) for name in FILES.values()},
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return load_bundle(path)


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{name: version(name) for name in LIBRARIES}}
