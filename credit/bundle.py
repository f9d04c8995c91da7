"""The model bundle: one directory per model version, the contract between training and services.

Services load it with `load_bundle`, which refuses a bundle that is incomplete, altered, or
built by feature code that differs from the code now running.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow.parquet as pq

from credit.features.external_scores import ScoreImputer
from credit.features.sources import policy_breaches
from credit.features.vector import application_feature_names

MANIFEST = "bundle.json"
FILES = {
    "onnx": "model.onnx",
    "lightgbm": "model.lgb.txt",
    "calibrator": "calibrator.json",
    "reference": "reference.parquet",
    "history": "history.parquet",
    "contributions": "contributions.parquet",  # reference clients' PD and grouped contributions
    "imputer": "imputer.json",  # the estimates of missing external scores
}
# Names of model.onnx's input (the bundle's features, float32) and output (P(repaid), P(default)).
ONNX_INPUT, ONNX_OUTPUT = "features", "probabilities"
REQUIRED_KEYS = (
    "model_version",
    "features",
    "threshold",
    "cost_fn",
    "cost_fp",
    "metrics",
    "data_fingerprint",
    "created_at",
    "libraries",
    "vocabularies",
    "reference_stats",
    "base_value",
    "files",
)


class BundleError(Exception):
    """A model bundle that services must not use, with what is wrong."""


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict

    model_version = property(lambda self: self.manifest["model_version"])
    features = property(lambda self: list(self.manifest["features"]))
    threshold = property(lambda self: float(self.manifest["threshold"]))
    vocabularies = property(lambda self: self.manifest["vocabularies"])

    def file(self, kind: str) -> Path:
        return self.path / FILES[kind]

    @cached_property
    def imputer(self) -> ScoreImputer:
        return ScoreImputer.read(self.file("imputer"))

    @cached_property
    def calibrator(self) -> dict:
        return json.loads(self.file("calibrator").read_text())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_bundle(path: Path | str) -> Bundle:
    """Open and validate a bundle directory; BundleError says what is wrong."""
    path = Path(path)
    manifest = _read_manifest(path)
    for name in FILES.values():
        if not (path / name).is_file():
            raise BundleError(f"{path}: {name} is missing")
        if sha256(path / name) != manifest["files"].get(name):
            raise BundleError(
                f"{path}: {name} does not match its checksum in {MANIFEST} "
                "(altered or partial copy)"
            )
    if path.name != manifest["model_version"]:
        raise BundleError(
            f"{path}: directory name differs from model_version {manifest['model_version']!r}"
        )
    _check_features(path, manifest)
    return Bundle(path, manifest)


def _read_manifest(path: Path) -> dict:
    if not (path / MANIFEST).is_file():
        raise BundleError(f"{path}: {MANIFEST} is missing (not a model bundle)")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except json.JSONDecodeError as error:
        raise BundleError(f"{path / MANIFEST}: not valid JSON ({error})") from None
    missing = [key for key in REQUIRED_KEYS if key not in manifest]
    if missing:
        raise BundleError(f"{path / MANIFEST}: missing key(s) {', '.join(missing)}")
    return manifest


def _check_features(path: Path, manifest: dict) -> None:
    """The bundle's features must be exactly what this code computes, in the bundle's order."""
    computed = application_feature_names(manifest["vocabularies"])
    computed += [c for c in pq.read_schema(path / FILES["history"]).names if c != "SK_ID_CURR"]
    expected = manifest["features"]
    unknown = [f for f in expected if f not in computed]
    if unknown:
        raise BundleError(
            f"{path}: feature(s) {', '.join(unknown[:5])} are not computed by this code version"
        )
    if len(set(expected)) != len(expected):
        raise BundleError(f"{path}: duplicate feature names in {MANIFEST}")
    # the estimates read only model inputs, which the input policy judges
    unjudged = set(json.loads((path / FILES["imputer"]).read_text())["inputs"]) - set(expected)
    if unjudged:
        raise BundleError(
            f"{path}: the external scores' estimates read field(s) that are not model inputs: "
            f"{', '.join(sorted(unjudged)[:5])}"
        )


def check_input_policy(bundle: Bundle) -> Bundle:
    """The bundle's inputs keep the input policy now in force, under the group choices it records.

    BundleError names each feature that breaks it and the rule.

    Services that explain or score call it after load_bundle: a model trained before a field was
    excluded (or with an option group the policy does not know) must not be used.
    """
    record = bundle.manifest.get("input_policy")
    if not record:
        raise BundleError(
            f"{bundle.path}: {MANIFEST} records no input policy "
            "(trained before credit/input_policy.json)"
        )
    breaches = policy_breaches(bundle.features, record["groups"])
    if breaches:
        raise BundleError(
            f"{bundle.path}: the inputs break the input policy: {'; '.join(breaches[:5])}"
        )
    return bundle


def latest_bundle(models_dir: Path | str) -> Path:
    """The most recently created bundle directory under models_dir."""
    candidates = sorted(
        Path(models_dir).glob(f"*/{MANIFEST}"),
        key=lambda m: json.loads(m.read_text()).get("created_at", ""),
    )
    if not candidates:
        raise BundleError(
            f"{models_dir}: no model bundle found (run `make demo` or `python -m training`)"
        )
    return candidates[-1].parent


def find_bundle(models_dir: Path | str, version: str | None = None) -> Path:
    """The bundle directory of `version` under models_dir, or the newest one when no version is
    given; models_dir may also be a bundle directory itself."""
    models_dir = Path(models_dir)
    if version:
        return models_dir / version
    return models_dir if (models_dir / MANIFEST).is_file() else latest_bundle(models_dir)


def open_bundle(models_dir: Path | str, version: str | None = None) -> Bundle:
    """The bundle find_bundle chooses, opened and validated (BundleError says what is wrong)."""
    return load_bundle(find_bundle(models_dir, version))
