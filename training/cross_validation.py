"""Stratified K-fold LightGBM with out-of-fold predictions and early stopping."""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from training.monotone import monotone_constraints


@dataclass(frozen=True)
class Capacity:
    """How big the model may grow; explanation speed grows with trees x leaves x depth^2.

    Chosen by AUC: the best mean out-of-fold AUC of benchmarks/explain_capacity.py's grid under the
    repeated protocol on the real sample, and the fastest to explain (docs/decisions.md).
    """

    learning_rate: float = 0.03
    num_leaves: int = 4
    max_depth: int = 2
    max_rounds: int = 3000
    early_stopping: int = 150
    folds: int = 5


FAST = Capacity(learning_rate=0.08, max_rounds=400, early_stopping=40, folds=3)


def lgb_params(capacity: Capacity, seed: int, names: list[str], constrained: bool = True) -> dict:
    # No class weights or oversampling: the raw scores stay close to probabilities.
    return {
        "monotone_constraints": monotone_constraints(names) if constrained else [],
        "monotone_constraints_method": "intermediate",
        "objective": "binary",
        "learning_rate": capacity.learning_rate,
        "num_leaves": capacity.num_leaves,
        "max_depth": capacity.max_depth,
        "min_child_samples": 40,
        # random thresholds and a third of the features per tree: on 5,852 applications they keep
        # trees from learning noise (+0.004 out-of-fold AUC under the repeated protocol)
        "extra_trees": True,
        "feature_fraction": 0.3,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 5.0,
        "seed": seed,
        "deterministic": True,
        "num_threads": 2,
        "verbosity": -1,
    }


@dataclass
class CrossValidation:
    oof_margin: np.ndarray  # out-of-fold raw scores (log-odds), one per training row
    fold_auc: list[float]
    best_rounds: list[int]

    @property
    def final_rounds(self) -> int:
        # The final model sees (k)/(k-1) times more rows than each fold model: let it grow a bit
        # more.
        k = len(self.best_rounds)
        return max(1, round(np.mean(self.best_rounds) * k / (k - 1)))


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    capacity: Capacity,
    seed: int,
    progress=iter,
    constrained: bool = True,
) -> CrossValidation:
    """Out-of-fold log-odds for every row, AUC and best number of trees per fold (`constrained`:
    with the monotone constraints of training.monotone)."""
    oof = np.zeros(len(y))
    aucs, rounds = [], []
    splits = StratifiedKFold(capacity.folds, shuffle=True, random_state=seed).split(x, y)
    for train, valid in progress(list(splits)):
        booster = lgb.train(
            lgb_params(capacity, seed, names, constrained),
            lgb.Dataset(x[train], y[train], feature_name=names),
            num_boost_round=capacity.max_rounds,
            valid_sets=[lgb.Dataset(x[valid], y[valid])],
            callbacks=[lgb.early_stopping(capacity.early_stopping, verbose=False)],
        )
        oof[valid] = booster.predict(x[valid], raw_score=True, num_iteration=booster.best_iteration)
        aucs.append(float(roc_auc_score(y[valid], oof[valid])))
        rounds.append(int(booster.best_iteration))
    return CrossValidation(oof, aucs, rounds)


def cross_validate_repeated(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    capacity: Capacity,
    seeds: list[int],
    progress=iter,
) -> list[CrossValidation]:
    """The repeated protocol: one stratified K-fold per seed (different splits), len(seeds) x K fold
    AUCs."""
    return [cross_validate(x, y, names, capacity, seed, progress) for seed in seeds]


def fit_final(
    x: np.ndarray, y: np.ndarray, names: list[str], capacity: Capacity, rounds: int, seed: int
) -> lgb.Booster:
    """The production model: all training rows, the number of trees cross-validation chose."""
    return lgb.train(
        lgb_params(capacity, seed, names),
        lgb.Dataset(x, y, feature_name=names),
        num_boost_round=rounds,
    )
