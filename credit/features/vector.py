"""The model input vector: application features joined with the client's history aggregates.

The same application code builds it for training (whole tables, `build_features`) and for
scoring (a micro-batch of JSON events, `features_online`), so both give identical vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from credit.features.application import application_features
from credit.features.external_scores import FILLED, SCORES, ScoreImputer
from credit.schema import columns_of
from credit.values import event_columns, typed_columns


def build_features(
    applications: pd.DataFrame,
    history: pd.DataFrame,
    vocabularies: Mapping[str, list[str]],
    imputer: ScoreImputer | None = None,
) -> pd.DataFrame:
    """All features of typed application rows; clients absent from `history` get missing history.
    The filled external scores only with the bundle's `imputer`."""
    own = pd.DataFrame(application_features(applications, vocabularies), index=applications.index)
    theirs = history.reindex(applications["SK_ID_CURR"].to_numpy())
    theirs.index = applications.index
    frame = pd.concat([own, theirs], axis=1)
    return frame.assign(**imputer.filled(frame)) if imputer else frame


def features_online(
    events: Sequence[Mapping],
    histories: Mapping[int, Mapping],
    vocabularies: Mapping[str, list[str]],
    features: Sequence[str],
    imputer: ScoreImputer | None = None,
) -> np.ndarray:
    """Model inputs (rows in event order, columns in `features` order) for application events.

    `histories` maps SK_ID_CURR to that client's history record (as on the client-history
    topic); a client without one is scored with missing history features. The filled external
    scores need the bundle's `imputer`. Bad values raise credit.schema.DataError naming the field.
    """
    filled = any(f in FILLED for f in features)
    if filled and imputer is None:
        raise ValueError("the filled external scores need the bundle's imputer")
    apps = typed_columns(event_columns(events), "application_test", "application event")
    own = application_features(apps, vocabularies)
    records = [histories.get(client) or {} for client in apps["SK_ID_CURR"].tolist()]

    def column(feature: str) -> np.ndarray:
        if feature in own:
            return own[feature]
        return np.array([r.get(feature) for r in records], dtype="float64")

    if filled:
        own.update(imputer.filled({f: column(f) for f in (*SCORES, *imputer.inputs)}))
    return as_model_input(np.column_stack([column(f) for f in features]))


def application_feature_names(vocabularies: Mapping[str, list[str]]) -> list[str]:
    """Names of the features computed from the application alone, in build order."""
    empty = {column: np.array([]) for column in columns_of("application_test")}
    return [*application_features(empty, vocabularies), *FILLED]


def model_matrix(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The model inputs of a feature frame: `features` in order (see as_model_input)."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise KeyError(f"feature(s) not computed: {', '.join(missing[:5])}")
    return as_model_input(frame[list(features)].to_numpy(dtype="float64"))


def as_model_input(matrix: np.ndarray) -> np.ndarray:
    """Inputs rounded to float32 values (held in float64).

    ONNX Runtime's tree ensembles compare in float32. Rounding the inputs once, here, for
    training and every runtime alike, means ONNX and native LightGBM walk the same paths.
    """
    return matrix.astype("float32").astype("float64")
