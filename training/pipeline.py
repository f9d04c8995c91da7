"""Training, stage by stage: features -> cross-validation -> calibration -> threshold -> bundle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from credit.calibration import calibrate
from credit.features import aggregate_history, build_features, fit_vocabularies, model_matrix
from credit.features.external_scores import ScoreImputer
from credit.features.sources import model_features
from credit.input_policy import group_choices, policy_record
from credit.segments import age_band
from training.baseline import PUBLIC_RECIPE_AUC, plain_lightgbm_aucs
from training.calibration import fit_calibrator
from training.cross_validation import Capacity, cross_validate, cross_validate_repeated, fit_final
from training.explanations import reference_contributions, reference_stats
from training.export import write_bundle
from training.imputation import fit_imputer
from training.metrics import model_metrics
from training.monotone import monotone_constraints


@dataclass
class Options:
    cost_fn: float = 10.0
    cost_fp: float = 1.0
    capacity: Capacity = field(default_factory=Capacity)
    seed: int = 42
    groups: dict[str, str] = field(
        default_factory=group_choices
    )  # input policy option groups: include/exclude
    repeats: int = (
        1  # the repeated protocol: as many K-folds (different seeds) for the AUC's mean ± std
    )


def train_bundle(
    tables: dict[str, pd.DataFrame],
    fingerprint: str,
    out_dir: Path,
    options: Options,
    progress=lambda it, desc: it,
):
    """Train on the application_train rows and write the bundle; returns it with the out-of-fold
    PDs."""
    train = tables["application_train"]
    history = aggregate_history(tables, lambda it: progress(it, "history aggregates"))
    frame, vocabularies, imputer = training_frame(
        train, tables["application_test"], history, options.groups, options.seed
    )
    features = model_features(list(frame.columns), options.groups)
    x, y = model_matrix(frame, features), train["TARGET"].to_numpy(dtype="int64")

    cv = cross_validate(
        x,
        y,
        features,
        options.capacity,
        options.seed,
        lambda it: progress(it, "cross-validation folds"),
    )
    calibrator = fit_calibrator(cv.oof_margin, y)
    oof_pd = calibrate(cv.oof_margin, calibrator)
    metrics = model_metrics(y, cv, oof_pd, options.cost_fn, options.cost_fp, fairness_groups(train))
    if options.repeats > 1:
        metrics["repeated_auc"] = _repeated_auc(x, y, features, cv, options, progress)
        metrics["repeated_auc"]["plain_lightgbm"] = _spread(
            plain_lightgbm_aucs(
                train, y, options.capacity, [options.seed + r for r in range(options.repeats)]
            )
        )
        metrics["repeated_auc"]["public_recipe"] = PUBLIC_RECIPE_AUC
    booster = fit_final(x, y, features, options.capacity, cv.final_rounds, options.seed)
    contributions, base_value = reference_contributions(
        booster,
        calibrator,
        x,
        features,
        train["SK_ID_CURR"],
        lambda it: progress(it, "reference explanations"),
    )

    manifest = {
        **_identity(fingerprint),
        "features": features,
        "vocabularies": vocabularies,
        "threshold": metrics["threshold"],
        "cost_fn": options.cost_fn,
        "cost_fp": options.cost_fp,
        "metrics": metrics,
        "training_rows": int(len(y)),
        "trees": cv.final_rounds,
        "capacity": vars(options.capacity),
        "monotone": {f: d for f, d in zip(features, monotone_constraints(features)) if d},
        "input_policy": policy_record(options.groups),
        "reference_stats": reference_stats(frame[features], y, vocabularies),
        "base_value": base_value,
    }
    clients = pd.concat([train["SK_ID_CURR"], tables["application_test"]["SK_ID_CURR"]])
    bundle = write_bundle(
        out_dir,
        manifest,
        booster,
        calibrator,
        train.assign(OOF_PD=oof_pd),
        history[history.index.isin(clients)],
        contributions,
        imputer,
    )
    return bundle, oof_pd


def training_frame(
    train: pd.DataFrame,
    unlabelled: pd.DataFrame,
    history: pd.DataFrame,
    groups: Mapping[str, str],
    seed: int,
) -> tuple[pd.DataFrame, dict, ScoreImputer]:
    """The training applications' features, with the fitted state the bundle keeps: the category
    vocabularies and the estimates of missing external scores, fitted on the features of the
    training and the `unlabelled` applications (no TARGET is read)."""
    vocabularies = fit_vocabularies(train)
    applications = pd.concat([train.drop(columns="TARGET"), unlabelled], ignore_index=True)
    everyone = build_features(applications, history, vocabularies)
    imputer = fit_imputer(everyone, groups, seed)
    # the training rows' features, built once: the estimates are added to them as build_features
    # adds them
    frame = everyone.iloc[: len(train)].set_axis(train.index)
    return frame.assign(**imputer.filled(frame)), vocabularies, imputer


def _repeated_auc(x, y, features: list[str], cv, options: Options, progress) -> dict:
    """The repeated protocol's AUC over the first seed's folds and options.repeats - 1 more K-folds.

    Only a measure: the bundle's model, calibration and threshold come from the first seed.
    """
    seeds = [options.seed + r for r in range(1, options.repeats)]
    more = cross_validate_repeated(
        x,
        y,
        features,
        options.capacity,
        seeds,
        lambda it: progress(it, "repeated cross-validation folds"),
    )
    aucs = [a for run in (cv, *more) for a in run.fold_auc]
    return {"repeats": options.repeats, **_spread(aucs), "folds": aucs}


def _spread(aucs: list[float]) -> dict:
    return {"mean": float(np.mean(aucs)), "std": float(np.std(aucs, ddof=1))}


def fairness_groups(train: pd.DataFrame) -> dict[str, pd.Series]:
    """The groups fairness is measured over: sex and age band, read from the data, never model
    inputs."""
    return {
        "gender": train["CODE_GENDER"].fillna("unknown"),
        "age band": age_band(train["DAYS_BIRTH"]),
    }


def _identity(fingerprint: str) -> dict:
    """A model version that says when it was made and from which data."""
    created = datetime.now(UTC)
    return {
        "model_version": f"{created:%Y%m%d-%H%M%S}-{fingerprint[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint,
    }
