"""The default signal: a logistic model of TARGET on normal scores of a few application fields.

Measured on the real sample, then used to draw TARGET for generated clients, so the demo
data keeps the real strength of EXT_SOURCE_*, age, employment and loan shape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from credit.schema import DAYS_SENTINEL
from training.demodata.copula import normal_scores
from training.demodata.marginals import rounded

# Missingness is itself a signal for these (the sentinel counts as a missing DAYS_EMPLOYED).
WITH_MISSING_FLAG = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "DAYS_EMPLOYED")


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator != 0)


def _raw_inputs(apps: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "EXT_SOURCE_1": apps["EXT_SOURCE_1"],
        "EXT_SOURCE_2": apps["EXT_SOURCE_2"],
        "EXT_SOURCE_3": apps["EXT_SOURCE_3"],
        "DAYS_BIRTH": apps["DAYS_BIRTH"],
        "DAYS_EMPLOYED": apps["DAYS_EMPLOYED"].where(apps["DAYS_EMPLOYED"] != DAYS_SENTINEL),
        "CREDIT_TERM": _ratio(apps["AMT_CREDIT"], apps["AMT_ANNUITY"]),
        "CREDIT_GOODS_RATIO": _ratio(apps["AMT_CREDIT"], apps["AMT_GOODS_PRICE"]),
        "REGION_RATING_CLIENT": apps["REGION_RATING_CLIENT"],
        "AMT_INCOME_TOTAL": apps["AMT_INCOME_TOTAL"],
        "DAYS_ID_PUBLISH": apps["DAYS_ID_PUBLISH"],
    }


def model_inputs(apps: pd.DataFrame) -> pd.DataFrame:
    """Standardized normal scores (missing → 0) plus missing flags; same code measures and
    generates."""
    out = {}
    for name, values in _raw_inputs(apps).items():
        scores = normal_scores(values.astype("float64"))
        out[name] = ((scores - scores.mean()) / scores.std()).fillna(0.0)
        if name in WITH_MISSING_FLAG:
            out[f"{name}_MISSING"] = values.isna().astype("float64")
    return pd.DataFrame(out, index=apps.index)


def fit_default_model(apps: pd.DataFrame) -> dict:
    """Fit on the rows that have a TARGET; coefficients per input, intercept and in-sample AUCs."""
    # Imported here: only measuring needs scikit-learn, generating must stay cheap to import.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    inputs, target = model_inputs(apps), apps["TARGET"]
    known = target.notna().to_numpy()
    model = LogisticRegression(C=1.0, max_iter=2000).fit(inputs[known], target[known])
    scores = model.decision_function(inputs[known])
    ext_mean = apps.loc[known, ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].mean(axis=1)
    return {
        "features": list(inputs.columns),
        "coefficients": [rounded(c) for c in model.coef_[0]],
        "intercept": rounded(model.intercept_[0]),
        "rows": int(known.sum()),
        "auc_in_sample": rounded(roc_auc_score(target[known], scores)),
        "auc_ext_source_mean": rounded(
            1 - roc_auc_score(target[known], ext_mean.fillna(ext_mean.mean()))
        ),
    }


def log_odds(apps: pd.DataFrame, model: dict) -> np.ndarray:
    """The model's linear predictor for each application row."""
    inputs = model_inputs(apps)[model["features"]].to_numpy()
    return inputs @ np.asarray(model["coefficients"]) + model["intercept"]


def draw_target(
    apps: pd.DataFrame, model: dict, default_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """TARGET (0/1) from the measured model, its intercept shifted so the expected rate is the
    measured one."""
    eta = log_odds(apps, model)
    low, high = -5.0, 5.0
    for _ in range(40):  # bisection: the mean probability rises with the shift
        shift = (low + high) / 2
        low, high = (shift, high) if expit(eta + shift).mean() < default_rate else (low, shift)
    return (rng.random(len(eta)) < expit(eta + (low + high) / 2)).astype("int64")
