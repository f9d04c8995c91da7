"""Benchmark: feature computation and training at scale, and the online path vs the batch path.

python benchmarks/training_speed.py [--clients 300000] [--out benchmarks/results]
Writes training_speed.json and training_speed.md. Alternatives are compared as ratios
measured in the same run (this machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.bundle import ONNX_INPUT, ONNX_OUTPUT  # noqa: E402
from credit.features import (
    aggregate_history,
    build_features,
    client_histories,
    features_online,
    model_matrix,
)  # noqa: E402
from training.cross_validation import FAST  # noqa: E402
from training.data import demo_data, fingerprint, load_tables  # noqa: E402
from training.pipeline import Options, train_bundle  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(results: dict, name: str, fn):
    start = time.perf_counter()
    value = fn()
    results[name] = {
        "seconds": round(time.perf_counter() - start, 3),
        "peak_rss_mb": round(peak_mb()),
    }
    print(f"{name}: {results[name]}", flush=True)
    return value


def rate(fn, items: int, repeat: int = 3) -> float:
    """Best-of-`repeat` items per second."""
    best = min(elapsed(fn) for _ in range(repeat))
    return items / best


def elapsed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def online_vs_batch(tables, history, bundle, n: int = 2000) -> dict:
    apps = tables["application_train"].head(n)
    events = [
        {k: (None if v != v else v) for k, v in row.items()}
        for row in apps.drop(columns="TARGET").to_dict("records")
    ]
    records = client_histories(history, apps["SK_ID_CURR"])
    fitted = bundle.vocabularies, bundle.features, bundle.imputer
    vocab, features, imputer = fitted
    batch = rate(lambda: build_features(apps, history, vocab, imputer), n)
    micro = rate(
        lambda: [features_online(events[i : i + 64], records, *fitted) for i in range(0, n, 64)],
        n,
    )
    single = rate(lambda: [features_online([e], records, *fitted) for e in events[:200]], 200)
    return {
        "batch_rows_per_s": round(batch),
        "online_batch64_rows_per_s": round(micro),
        "online_single_rows_per_s": round(single),
        "batch_over_online_single": round(batch / single, 1),
    }


def onnx_vs_lightgbm(tables, history, bundle, n: int = 5000) -> dict:
    x = model_matrix(
        build_features(
            tables["application_train"].head(n), history, bundle.vocabularies, bundle.imputer
        ),
        bundle.features,
    )
    x32 = x.astype(np.float32)
    native = lgb.Booster(model_file=str(bundle.file("lightgbm")))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        str(bundle.file("onnx")), options, providers=["CPUExecutionProvider"]
    )
    onnx_batch = rate(lambda: session.run([ONNX_OUTPUT], {ONNX_INPUT: x32}), n)
    native_batch = rate(lambda: native.predict(x, num_threads=1), n)
    onnx_one = rate(
        lambda: [session.run([ONNX_OUTPUT], {ONNX_INPUT: x32[i : i + 1]}) for i in range(500)], 500
    )
    native_one = rate(
        lambda: [native.predict(x[i : i + 1], num_threads=1) for i in range(500)], 500
    )
    return {
        "trees": bundle.manifest["trees"],
        "features": len(bundle.features),
        "onnx_batch_rows_per_s": round(onnx_batch),
        "lightgbm_batch_rows_per_s": round(native_batch),
        "onnx_single_ms": round(1000 / onnx_one, 4),
        "lightgbm_single_ms": round(1000 / native_one, 4),
        "onnx_over_lightgbm_batch": round(onnx_batch / native_batch, 2),
        "onnx_over_lightgbm_single": round(onnx_one / native_one, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict = {"machine": machine(), "clients": args.clients, "stages": {}}
    stages = results["stages"]
    reused = (Path("data/demo") / f"seed7-clients{args.clients}").is_dir()
    directory = timed(
        stages,
        "demo data (reused from an earlier run)" if reused else "generate and write demo data",
        lambda: demo_data(clients=args.clients, seed=7),
    )
    tables = timed(stages, "read and validate 8 CSVs", lambda: load_tables(directory))
    results["rows"] = {stem: len(frame) for stem, frame in tables.items()}
    history = timed(stages, "history aggregates (6 tables)", lambda: aggregate_history(tables))
    bundle, _ = timed(
        stages,
        "train --fast (features, 3-fold CV, final model, bundle)",
        lambda: train_bundle(
            tables, fingerprint(directory), Path("/tmp/bench-models"), Options(capacity=FAST)
        ),
    )
    results["model"] = {
        "oof_auc": round(bundle.manifest["metrics"]["oof_auc"], 4),
        "threshold": bundle.threshold,
    }
    results["features_online_vs_batch"] = online_vs_batch(tables, history, bundle)
    results["scoring_onnx_vs_lightgbm"] = onnx_vs_lightgbm(tables, history, bundle)
    write_results(args.out, "training_speed", results)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
