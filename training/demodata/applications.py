"""Application rows: key numerics through the Gaussian copula, everything else by stratum."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit.schema import DAYS_SENTINEL
from training.demodata.application_rules import make_plausible
from training.demodata.copula import sample_copula
from training.demodata.employment import draw_sentinel
from training.demodata.frames import sample_table
from training.demodata.marginals import inverse_cdf
from training.demodata.risk import draw_target

FIRST_CLIENT_ID = 100002  # Kaggle's first SK_ID_CURR
# Spread of the client's history propensity (lognormal, mean 1): a choice, the sample's
# partial histories cannot measure how much clients differ within a TARGET class.
PROPENSITY_SIGMA = 0.5


@dataclass(frozen=True)
class Clients:
    """What the history tables need to know about each client, by position."""

    ids: np.ndarray
    target: np.ndarray  # drawn for every client; hidden in application_test
    propensity: np.ndarray  # multiplies the client's chance of late / refused / overdue rows

    def position(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(ids) - FIRST_CLIENT_ID


def generate_applications(profile: dict, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """n application rows with SK_ID_CURR and TARGET, train and test alike."""
    table = profile["tables"]["application"]
    uniforms = sample_copula(profile["copula"], n, rng)
    birth = inverse_cdf(table["columns"]["DAYS_BIRTH"], uniforms["DAYS_BIRTH"])
    sentinel = draw_sentinel(profile["days_employed_sentinel"], birth, rng)
    labels = np.where(sentinel, "sentinel", "employed")
    values = sample_table(table, n, rng, labels, same_value=_same_value_groups(table["columns"]))
    values.update(_key_numerics(table, uniforms, sentinel, rng))
    values["SK_ID_CURR"] = FIRST_CLIENT_ID + np.arange(n)
    apps = pd.DataFrame(values, copy=False)  # copy=False: no block consolidation of 122 columns
    make_plausible(apps, profile, rng)
    target = draw_target(apps, profile["default_model"], profile["default_rate"], rng)
    # Re-wrap the same arrays: inserting a column into a 122-block frame would copy them all.
    return pd.DataFrame({**{c: apps[c].to_numpy() for c in apps}, "TARGET": target}, copy=False)


def make_clients(apps: pd.DataFrame, rng: np.random.Generator) -> Clients:
    propensity = np.exp(PROPENSITY_SIGMA * rng.standard_normal(len(apps)) - PROPENSITY_SIGMA**2 / 2)
    return Clients(apps["SK_ID_CURR"].to_numpy(), apps["TARGET"].to_numpy(), propensity)


def _key_numerics(
    table: dict, uniforms: dict, sentinel: np.ndarray, rng: np.random.Generator
) -> dict:
    # Overall marginals, except DAYS_EMPLOYED: its copula column was measured without the sentinel.
    employed = table["strata"]["groups"]["employed"]["columns"]
    out = {}
    for column, u in uniforms.items():
        marginal = employed[column] if column == "DAYS_EMPLOYED" else table["columns"][column]
        values = inverse_cdf(marginal, u).astype("float64")
        values[rng.random(len(u)) < marginal["null"]] = np.nan
        out[column] = values
    out["DAYS_EMPLOYED"] = np.where(sentinel, DAYS_SENTINEL, out["DAYS_EMPLOYED"])
    return out


def _same_value_groups(columns: dict) -> list[list[str]]:
    """The _AVG/_MODE/_MEDI of one building measure, and the 30/60-day social circle counts,
    are drawn from one uniform so a row's three statistics agree (a choice, not measured)."""
    groups: dict[str, list[str]] = {}
    for column in columns:
        stem = re.sub(r"_(AVG|MODE|MEDI)$|_(30|60)_", "_", column)
        groups.setdefault(stem, []).append(column)
    return [g for g in groups.values() if len(g) > 1]
