"""The model input vector: application features joined with the client's history aggregates.

One function builds it for training (the whole table) and for scoring (a micro-batch of
events), which is what makes the two paths give identical vectors.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from credit.features.application import application_features
from credit.features.history import history_frame
from credit.tables import coerce, columns_of


def build_features(applications: pd.DataFrame, history: pd.DataFrame,
                   vocabularies: Mapping[str, list[str]]) -> pd.DataFrame:
    """All features of typed application rows; clients absent from `history` get missing history."""
    own = application_features(applications, vocabularies)
    theirs = history.reindex(applications["SK_ID_CURR"].to_numpy())
    theirs.index = applications.index
    return pd.concat([own, theirs], axis=1)


def build_features_online(events: Sequence[Mapping], histories: Mapping[int, Mapping],
                          vocabularies: Mapping[str, list[str]], features: Sequence[str]) -> pd.DataFrame:
    """Model inputs, in `features` order, for application events (JSON-like dicts).

    `histories` maps SK_ID_CURR to that client's history record; a client without one is
    scored with missing history features.
    """
    applications = coerce(pd.DataFrame.from_records(list(events)), "application_test", "application event")
    own_columns = set(application_feature_names(vocabularies))
    history = history_frame(histories, [f for f in features if f not in own_columns])
    return build_features(applications, history, vocabularies)[list(features)]


def application_feature_names(vocabularies: Mapping[str, list[str]]) -> list[str]:
    """Names of the features computed from the application alone, in build order."""
    empty = coerce(pd.DataFrame(columns=list(columns_of("application_test"))), "application_test")
    return list(application_features(empty, vocabularies).columns)


def model_matrix(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The model inputs: `features` in order, as float32 values (held in float64).

    ONNX Runtime's tree ensembles compare in float32. Rounding the inputs once, here, for
    training and every runtime alike, means ONNX and native LightGBM walk the same paths.
    """
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise KeyError(f"feature(s) not computed: {', '.join(missing[:5])}")
    return frame[list(features)].to_numpy(dtype="float32").astype("float64")
