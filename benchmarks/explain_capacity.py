"""Benchmark: model capacity vs out-of-fold AUC vs exact TreeSHAP explanation speed.

python benchmarks/explain_capacity.py [--clients 60000 | --data DIR] [--out benchmarks/results]
Trains a grid of LightGBM capacities under the repeated protocol (3 x stratified 5-fold, seeds
42-44, as `python -m training --protocol repeated`; the final model from the first seed's
trees), then times the explainer's exact TreeSHAP (credit.explain.path_shap, batches of 500 as
the worker's) and LightGBM's `booster.predict(rows, pred_contrib=True)` (one thread), and checks
them against each other and against the independent `shap` package. The capacity to choose is
the best mean out-of-fold AUC; the speeds say what it costs. Writes <name>.json, .md and .png.
All models are timed in one phase after training; alternatives are compared as ratios
measured in the same run (this machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.metrics import roc_auc_score

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from training_speed import elapsed, rate  # noqa: E402

from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.explain.path_shap import PathShap  # noqa: E402
from credit.features import aggregate_history, model_matrix  # noqa: E402
from credit.features.sources import model_features  # noqa: E402
from training.cross_validation import Capacity, cross_validate_repeated, fit_final  # noqa: E402
from training.data import demo_data, fingerprint, load_tables  # noqa: E402
from training.pipeline import Options, training_frame  # noqa: E402

PRODUCTION = (Capacity().learning_rate, Capacity().num_leaves, Capacity().max_depth)
GRID = [
    (0.03, 4, 2),
    (0.03, 8, 3),
    (0.03, 16, 4),
    (0.03, 24, 6),
    (0.03, 31, 8),
    (0.03, 63, -1),
    (0.08, 24, 6),
    (0.01, 24, 6),
]
SEEDS = (42, 43, 44)  # the repeated protocol: one stratified 5-fold per seed
EXPLAINER_BATCH = 500
START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - START:7.1f}s] {message}", flush=True)


def label(key: tuple) -> str:
    lr, leaves, depth = key
    return f"lr {lr} / {leaves} leaves / depth {'∞' if depth < 0 else depth}"


def load(clients: int, data: Path | None):
    directory = data or demo_data(clients=clients, seed=42)
    tables = load_tables(directory, lambda it: it)
    history = aggregate_history(tables, lambda it: it)
    train = tables["application_train"]
    options = Options()
    frame, _, _ = training_frame(
        train, tables["application_test"], history, options.groups, options.seed
    )
    features = model_features(list(frame.columns), options.groups)  # the production inputs
    return (
        model_matrix(frame, features),
        train["TARGET"].to_numpy(dtype="int64"),
        features,
        fingerprint(directory),
    )


def folds(name: str):
    def progress(items):
        for i, item in enumerate(items, 1):
            log(f"  {name}: fold {i}/{len(items)}")
            yield item

    return progress


def train(x, y, features, key: tuple) -> tuple[lgb.Booster, dict]:
    lr, leaves, depth = key
    capacity = Capacity(
        learning_rate=lr, num_leaves=leaves, max_depth=depth, max_rounds=5000, folds=5
    )
    start = time.perf_counter()
    runs = cross_validate_repeated(x, y, features, capacity, list(SEEDS), folds(label(key)))
    booster = fit_final(x, y, features, capacity, runs[0].final_rounds, SEEDS[0])
    fold_auc = [a for run in runs for a in run.fold_auc]
    result = {
        "learning_rate": lr,
        "num_leaves": leaves,
        "max_depth": depth,
        "trees": booster.num_trees(),
        "fold_best_rounds": [r for run in runs for r in run.best_rounds],
        "fold_auc": [round(a, 4) for a in fold_auc],
        "repeated_auc_mean": round(float(np.mean(fold_auc)), 4),
        "repeated_auc_std": round(float(np.std(fold_auc)), 4),
        "oof_auc_pooled_first_seed": round(float(roc_auc_score(y, runs[0].oof_margin)), 4),
        "train_seconds": round(time.perf_counter() - start, 1),
        **tree_shape(booster),
    }
    log(
        f"{label(key)}: {result['trees']} trees, AUC {result['repeated_auc_mean']} "
        f"± {result['repeated_auc_std']}"
    )
    return booster, result


def tree_shape(booster: lgb.Booster) -> dict:
    """Actual leaves and leaf depths; sum(leaves x depth^2) is the exact TreeSHAP cost per row."""
    shapes = [_leaf_depths(tree["tree_structure"], 0) for tree in booster.dump_model()["tree_info"]]
    depths = np.concatenate(shapes)
    return {
        "leaves_mean": round(float(np.mean([len(s) for s in shapes])), 1),
        "leaf_depth_mean": round(float(depths.mean()), 2),
        "leaf_depth_max": int(depths.max()),
        "tree_depth_mean": round(float(np.mean([s.max() for s in shapes])), 2),
        "treeshap_cost": int(sum(len(s) * int(s.max()) ** 2 for s in shapes)),
    }


def _leaf_depths(node: dict, depth: int) -> np.ndarray:
    if "leaf_index" in node or "left_child" not in node:
        return np.array([depth])
    return np.concatenate(
        [_leaf_depths(node["left_child"], depth + 1), _leaf_depths(node["right_child"], depth + 1)]
    )


def batched(fn, rows: np.ndarray, size: int):
    return lambda: [fn(rows[i : i + size]) for i in range(0, len(rows), size)]


def explain_speed(booster: lgb.Booster, rows: np.ndarray) -> dict:
    explain = lambda r: booster.predict(r, pred_contrib=True, num_threads=1)  # noqa: E731
    score = lambda r: booster.predict(r, raw_score=True, num_threads=1)  # noqa: E731
    try:
        ours = PathShap(booster).contributions
    except ValueError:  # trees deeper than its tables allow: the explainer refuses such a bundle
        ours = None
    singles = [elapsed(lambda i=i: explain(rows[i : i + 1])) for i in range(200)]
    result = {
        "path_shap_rows_per_s": ours and rate(batched(ours, rows, EXPLAINER_BATCH), len(rows)),
        "single_rows_per_s": 1 / float(np.median(singles)),
        "batch64_rows_per_s": rate(batched(explain, rows, 64), len(rows)),
        "batch1024_rows_per_s": rate(lambda: explain(rows), len(rows)),
        "score_batch64_rows_per_s": rate(batched(score, rows, 64), len(rows)),
    }
    result["explain_over_score_batch64"] = (
        result["batch64_rows_per_s"] / result["score_batch64_rows_per_s"]
    )
    contrib = explain(rows)
    result["additivity_max_abs_err"] = float(np.abs(contrib.sum(axis=1) - score(rows)).max())
    result["path_shap_max_abs_diff"] = ours and float(np.abs(ours(rows) - contrib).max())
    return {
        k: round(v, 3 if "over" in k else 1) if v is not None and "err" not in k else v
        for k, v in result.items()
    }


def shap_vs_lightgbm(booster: lgb.Booster, rows: np.ndarray) -> dict:
    """shap's TreeExplainer on a LightGBM booster just calls booster.predict(pred_contrib=True)
    (with the model's own num_threads); marking its parsed trees "internal" runs shap's own C++
    TreeSHAP instead."""
    import shap

    start = time.perf_counter()
    default, independent = shap.TreeExplainer(booster), shap.TreeExplainer(booster)
    independent.model.model_type = "internal"
    result = {
        "shap_version": shap.__version__,
        "shap_explainers_setup_s": round(time.perf_counter() - start, 2),
    }
    ours = lambda r: booster.predict(r, pred_contrib=True, num_threads=1)  # noqa: E731
    for name, explainer in (
        ("shap_default_delegates_to_lightgbm", default),
        ("shap_own_treeshap", independent),
    ):

        def theirs(r, explainer=explainer):
            return explainer.shap_values(r, check_additivity=False)

        result[name] = {f"batch{size}": _ratio(ours, theirs, rows, size) for size in (64, 1024)}
        values = _as_contrib(theirs(rows), explainer.expected_value)
        result[name]["max_abs_diff_vs_pred_contrib"] = float(np.abs(values - ours(rows)).max())
    return result


def _ratio(ours, theirs, rows: np.ndarray, size: int) -> dict:
    lgb_rate, shap_rate = (
        rate(batched(ours, rows, size), len(rows)),
        rate(batched(theirs, rows, size), len(rows)),
    )
    return {
        "lightgbm_rows_per_s": round(lgb_rate, 1),
        "shap_rows_per_s": round(shap_rate, 1),
        "shap_over_lightgbm": round(shap_rate / lgb_rate, 3),
    }


def _as_contrib(values, expected) -> np.ndarray:
    """shap's output as LightGBM's layout: one row per input, features then the bias column."""
    values = np.asarray(values[-1] if isinstance(values, list) else values)
    values = values[..., -1] if values.ndim == 3 else values
    bias = np.ravel(expected)[-1]
    return np.column_stack([values, np.full(len(values), bias)])


def write_report(results: dict, out: Path, name: str) -> None:
    chosen = max(results["models"], key=lambda m: m["repeated_auc_mean"])
    lines = [
        f"{results['machine']['rows']:,} training applications, {results['machine']['features']} "
        "features. AUC: mean ± std of the 15 out-of-fold AUCs (3 × stratified 5-fold). "
        f"Explanations/s: one thread; ours in batches of {EXPLAINER_BATCH} as the explainer's, "
        "LightGBM's `pred_contrib` in batches of 64. **Chosen by AUC: "
        f"{chosen['label']}** (production today: "
        f"{next(m['label'] for m in results['models'] if m['production'])}).",
        "",
        "| capacity | trees | AUC, 3 × 5-fold | explanations/s, ours | pred_contrib, batch 64 "
        "| ours / pred_contrib | mean leaves | leaf depth mean/max | Σ leaves·depth² |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results["models"]:
        s, ours = m["speed"], m["speed"]["path_shap_rows_per_s"]
        speed = (
            f"{ours:,.0f} | {s['batch64_rows_per_s']:,.0f} | {ours / s['batch64_rows_per_s']:.1f}×"
            if ours
            else f"refused: deeper than 12 | {s['batch64_rows_per_s']:,.0f} | –"
        )
        lines.append(
            f"| {m['label']} | {m['trees']} "
            f"| {m['repeated_auc_mean']:.4f} ± {m['repeated_auc_std']:.4f} | {speed} "
            f"| {m['leaves_mean']} | {m['leaf_depth_mean']}/{m['leaf_depth_max']} "
            f"| {m['treeshap_cost']:,} |"
        )
    write_results(out, name, results, "\n".join(lines) + "\n")
    plot(results["models"], out / f"{name}.png")


def plot(models: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    shown = sorted(
        (m for m in models if m["speed"]["path_shap_rows_per_s"]),  # the explainer serves them
        key=lambda m: m["speed"]["path_shap_rows_per_s"],
    )
    for i, m in enumerate(shown):
        x, y = m["speed"]["path_shap_rows_per_s"], m["repeated_auc_mean"]
        ax.errorbar(
            x,
            y,
            yerr=m["repeated_auc_std"] / np.sqrt(len(m["fold_auc"])),  # the mean's standard error
            fmt="o",
            capsize=3,
            color="tab:red" if m["production"] else "tab:blue",
        )
        ax.annotate(
            f"{m['label']}\n{m['trees']} trees",
            (x, y),
            fontsize=7,
            # alternately right and left of the point: neighbours' labels overlap otherwise
            xytext=(5, 4) if i % 2 else (-5, 4),
            ha="left" if i % 2 else "right",
            textcoords="offset points",
        )
    ax.set_xscale("log")
    ax.margins(x=0.35, y=0.15)
    ax.set_xlabel(f"explanations / s (exact TreeSHAP, batches of {EXPLAINER_BATCH}, 1 thread, log)")
    ax.set_ylabel("out-of-fold AUC, mean of 3 × 5 folds (bar: its standard error)")
    ax.set_title("LightGBM capacity: AUC vs exact TreeSHAP speed (red: production)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=60_000)
    parser.add_argument(
        "--data", type=Path, help="directory of the Kaggle CSVs (default: demo data)"
    )
    parser.add_argument(
        "--name", default="explain_capacity", help="results file name (default explain_capacity)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="LightGBM binary classifier")
    log(f"loading {args.data or f'demo data ({args.clients:,} clients)'} and building features")
    x, y, features, data = load(args.clients, args.data)
    log(f"{x.shape[0]:,} rows x {x.shape[1]} features, default rate {y.mean():.3f}")
    trained = [(key, *train(x, y, features, key)) for key in GRID]
    rows = x[np.random.default_rng(0).choice(len(x), 1024, replace=False)]
    models = []
    for key, booster, result in trained:
        result["speed"] = explain_speed(booster, rows)
        log(f"{label(key)}: {result['speed']}")
        models.append({"label": label(key), "production": key == PRODUCTION, **result})
    biggest = max(trained, key=lambda t: t[2]["treeshap_cost"])
    shap_check = {
        label(key): shap_vs_lightgbm(booster, rows)
        for key, booster, _ in trained
        if key in (PRODUCTION, biggest[0])
    }
    log(f"shap vs lightgbm: {json.dumps(shap_check, indent=1)}")
    results = {
        "machine": setting(args.clients, data, x),
        "models": models,
        "shap_vs_lightgbm": shap_check,
        "total_seconds": round(time.perf_counter() - START, 1),
    }
    write_report(results, args.out, args.name)
    log(f"done; wrote {args.out}/{args.name}.json, .md, .png")


def setting(clients: int, data: str, x: np.ndarray) -> dict:
    return machine(
        lightgbm=lgb.__version__,
        numpy=np.__version__,
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        clients=clients,
        data_fingerprint=data[:16],
        rows=int(x.shape[0]),
        features=int(x.shape[1]),
        explain_threads=1,
        folds=5,
        seeds=list(SEEDS),
        max_rounds=5000,
        early_stopping=150,
    )


if __name__ == "__main__":
    main()
