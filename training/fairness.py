"""python -m training.fairness --data DIR: what each input choice costs, and whom it refuses.

Under the repeated protocol (R seeds x stratified K-fold, training.cross_validation), for each
variant of the inputs: AUC (mean ± std over the R x K folds), the business cost at the variant's
own threshold, the approval rate, and approval rate, TPR and FPR by sex and by age band.
Writes benchmarks/results/fairness.json and fairness.md (training/fairness_report.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from credit.calibration import calibrate
from credit.features import (
    aggregate_history,
    build_features,
    fit_vocabularies,
    model_features,
    model_matrix,
)
from credit.input_policy import INCLUDE, group_choices
from training.age_proxies import age_proxies
from training.calibration import fit_calibrator
from training.cross_validation import FAST, Capacity, cross_validate_repeated
from training.data import fingerprint, load_tables
from training.evaluate import fairness
from training.fairness_report import render
from training.imputation import fit_imputer
from training.pipeline import fairness_groups
from training.threshold import choose_threshold, cost_at

SEEDS = (42, 7, 2024)
ALL = {"age": INCLUDE, "family": INCLUDE, "building": INCLUDE}


@dataclass(frozen=True)
class Variant:
    name: str
    groups: dict[str, str]
    without_age_proxies: bool = False
    about: str = ""


def variants() -> tuple[Variant, ...]:
    """The input choices compared: each option group removed in turn from all of them, and the
    policy's defaults."""
    return (
        Variant(
            "current inputs",
            ALL,
            about="every admitted field, with age, family situation and building statistics",
        ),
        Variant("without age", {**ALL, "age": "exclude"}),
        Variant(
            "without age and its proxies",
            {**ALL, "age": "exclude"},
            True,
            about="also without the fields that stand in for age most (training/age_proxies.py)",
        ),
        Variant("without family situation", {**ALL, "family": "exclude"}),
        Variant("without building statistics", {**ALL, "building": "exclude"}),
        Variant(
            "policy defaults",
            group_choices(),
            about="the option groups as credit/input_policy.json sets them",
        ),
    )


@dataclass
class Sample:
    frame: pd.DataFrame  # without the filled external scores: their estimates follow each variant
    y: np.ndarray
    groups: dict[str, pd.Series]
    age_years: np.ndarray = field(repr=False)


def prepare(tables: dict[str, pd.DataFrame], progress=lambda it, desc: it) -> Sample:
    train = tables["application_train"]
    history = aggregate_history(tables, lambda it: progress(it, "history aggregates"))
    frame = build_features(train, history, fit_vocabularies(train))
    return Sample(
        frame,
        train["TARGET"].to_numpy(dtype="int64"),
        fairness_groups(train),
        (-train["DAYS_BIRTH"] / 365.25).to_numpy(dtype="float64"),
    )


def measure(
    sample: Sample,
    capacity: Capacity,
    seeds=SEEDS,
    chosen: tuple[Variant, ...] | None = None,
    cost_fn: float = 10.0,
    cost_fp: float = 1.0,
    progress=lambda it, desc: it,
) -> dict:
    """The fairness report's numbers: the age proxies found, then every variant under the repeated
    protocol."""
    columns = list(sample.frame.columns)
    without_age = model_features(columns, {**ALL, "age": "exclude"})
    proxies = age_proxies(sample.frame, without_age, sample.age_years)
    results = []
    for variant in progress(chosen or variants(), "variants"):
        without = proxies["proxies"] if variant.without_age_proxies else ()
        imputer = fit_imputer(sample.frame, variant.groups, seeds[0], without)
        frame = sample.frame.assign(**imputer.filled(sample.frame))
        features = model_features(list(frame.columns), variant.groups, without)
        x = model_matrix(frame, features)
        runs = cross_validate_repeated(
            x,
            sample.y,
            features,
            capacity,
            list(seeds),
            lambda it, variant=variant: progress(it, f"{variant.name}: folds"),
        )
        results.append(
            {
                "name": variant.name,
                "about": variant.about,
                "groups": variant.groups,
                "without": proxies["proxies"] if variant.without_age_proxies else [],
                "features": len(features),
                **_summary(runs, sample, cost_fn, cost_fp),
            }
        )
    for (
        result
    ) in results:  # the same seeds give the same splits: fold-by-fold differences are paired
        gaps = np.subtract(result["fold_auc"], results[0]["fold_auc"])
        result["auc_gap_to_first"] = (
            _spread(gaps) if result is not results[0] else {"mean": 0.0, "std": 0.0}
        )
    return {
        "protocol": {
            "repeats": len(seeds),
            "folds": capacity.folds,
            "seeds": list(seeds),
            "capacity": vars(capacity),
            "cost_fn": cost_fn,
            "cost_fp": cost_fp,
        },
        "rows": int(len(sample.y)),
        "default_rate": float(sample.y.mean()),
        "age_proxies": proxies,
        "variants": results,
    }


def _summary(runs, sample: Sample, cost_fn: float, cost_fp: float) -> dict:
    """AUC over all folds; threshold, cost and rates per repeat (each on its own out-of-fold PDs),
    then mean ± std."""
    aucs = [a for run in runs for a in run.fold_auc]
    per_repeat = []
    for run in runs:
        pd_ = calibrate(run.oof_margin, fit_calibrator(run.oof_margin, sample.y))
        threshold = choose_threshold(sample.y, pd_, cost_fn, cost_fp)
        per_repeat.append(
            {
                "threshold": threshold,
                "cost": cost_at(sample.y, pd_, threshold, cost_fn, cost_fp),
                "approval_rate": float((pd_ < threshold).mean()),
                "by_group": fairness(sample.y, pd_, threshold, sample.groups),
            }
        )
    return {
        "auc": _spread(aucs),
        "fold_auc": aucs,
        **{
            key: _spread([r[key] for r in per_repeat])
            for key in ("threshold", "cost", "approval_rate")
        },
        "by_group": _mean_rates([r["by_group"] for r in per_repeat]),
    }


def _spread(values) -> dict:
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
    }


def _mean_rates(repeats: list[dict]) -> dict:
    """Each group's rates averaged over the repeats (None where a group has no defaulter or no good
    client)."""
    out = {}
    for attribute, groups in repeats[0].items():
        out[attribute] = {
            group: {key: _mean([r[attribute][group][key] for r in repeats]) for key in rates}
            for group, rates in groups.items()
        }
    return out


def _mean(values):
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.fairness",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data", type=Path, required=True, help="directory of the seven Kaggle CSVs"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results"), help="where fairness.json/.md go"
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="FAST capacity's learning rate and rounds (5 folds still)",
    )
    parser.add_argument("--folds", type=int, default=5, help="folds per repeat (default 5)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=len(SEEDS),
        choices=range(1, len(SEEDS) + 1),
        help=f"seeds (different splits), default {len(SEEDS)}",
    )
    args = parser.parse_args(argv)

    def progress(iterable, desc):
        return tqdm(iterable, desc=desc, unit="step", file=sys.stderr, leave=False)

    tables = load_tables(args.data, lambda it: progress(it, "reading tables"))
    capacity = replace(FAST if args.fast else Capacity(), folds=args.folds)
    report = measure(prepare(tables, progress), capacity, SEEDS[: args.repeats], progress=progress)
    report["data_fingerprint"] = fingerprint(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fairness.json").write_text(json.dumps(report, indent=1))
    (args.out / "fairness.md").write_text(text := render(report))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
