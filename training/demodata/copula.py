"""A Gaussian copula for the key application numerics: their rank correlations, kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from credit.schema import DAYS_SENTINEL

KEY_NUMERICS = (
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
    "DAYS_ID_PUBLISH",
    "DAYS_REGISTRATION",
    "DAYS_LAST_PHONE_CHANGE",
    "REGION_RATING_CLIENT",
    "REGION_RATING_CLIENT_W_CITY",
    "REGION_POPULATION_RELATIVE",
    "CNT_CHILDREN",
)


def normal_scores(values: pd.Series) -> pd.Series:
    """van der Waerden scores Φ⁻¹(rank / (n + 1)) of the present values; missing stays missing."""
    ranks = values.rank(method="average")  # ties share their mean rank; missing stays missing
    return pd.Series(ndtri(ranks.to_numpy() / (values.notna().sum() + 1)), index=values.index)


def measure_copula(apps: pd.DataFrame, columns=KEY_NUMERICS) -> dict:
    """Correlation of normal scores (pairwise complete; the sentinel counts as missing)."""
    scores = pd.DataFrame(
        {c: normal_scores(apps[c].replace(DAYS_SENTINEL, np.nan)) for c in columns}
    )
    corr = _nearest_correlation(scores.corr().fillna(0.0).to_numpy())
    return {
        "columns": list(columns),
        "method": "pearson correlation of normal scores",
        "correlation": [[round(float(x), 4) for x in row] for row in corr],
    }


def _nearest_correlation(corr: np.ndarray) -> np.ndarray:
    # Pairwise-complete estimates need not be positive definite; clip the spectrum and rescale.
    values, vectors = np.linalg.eigh((corr + corr.T) / 2)
    fixed = vectors @ np.diag(np.clip(values, 1e-4, None)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def sample_copula(profile: dict, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Correlated uniforms, one array per key numeric, to feed the marginals' inverse CDF."""
    corr = np.asarray(profile["correlation"])
    # Rounding to 4 decimals can nudge an eigenvalue below zero: fix again before Cholesky.
    factor = np.linalg.cholesky(_nearest_correlation(corr))
    normals = rng.standard_normal((n, len(corr))) @ factor.T
    return {column: ndtr(normals[:, i]) for i, column in enumerate(profile["columns"])}
