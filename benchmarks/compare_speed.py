"""Benchmark: the dashboard's comparisons (credit.compare) on a 300,000-client reference population.

python benchmarks/compare_speed.py [--clients 300000] [--out benchmarks/results]
The population is synthetic (numpy, Kaggle-like ranges and category shares) so the benchmark needs
no data. Each query is timed best of 5 (warm); a distribution's first call per feature, which fills
its cache, is timed once (cold). Writes compare_speed.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import RESULTS, machine, write_results  # noqa: E402
from credit.compare import Population, main_groups  # noqa: E402
from credit.schema import DAYS_SENTINEL  # noqa: E402

CATEGORIES = {  # column: (values, shares), roughly application_train's
    "NAME_CONTRACT_TYPE": (["Cash loans", "Revolving loans"], [0.9, 0.1]),
    "NAME_FAMILY_STATUS": (
        ["Married", "Single / not married", "Civil marriage", "Separated", "Widow"],
        [0.64, 0.15, 0.1, 0.06, 0.05],
    ),
    "NAME_EDUCATION_TYPE": (
        [
            "Secondary / secondary special",
            "Higher education",
            "Incomplete higher",
            "Lower secondary",
            "Academic degree",
        ],
        [0.71, 0.243, 0.033, 0.0125, 0.0015],
    ),
    "NAME_INCOME_TYPE": (
        ["Working", "Commercial associate", "Pensioner", "State servant"],
        [0.52, 0.23, 0.18, 0.07],
    ),
}


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idle = rng.random(n) < 0.18
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100_000, 100_000 + n),
            "TARGET": (rng.random(n) < 0.08).astype(float),
            "PD": rng.beta(1.2, 12, n),
            "DAYS_BIRTH": -rng.uniform(20, 69, n) * 365.25,
            "DAYS_EMPLOYED": np.where(
                idle, DAYS_SENTINEL, -np.minimum(rng.exponential(2400, n), 17_000).round()
            ),
            "AMT_INCOME_TOTAL": np.exp(rng.normal(11.9, 0.5, n)).round(-2),
            "AMT_CREDIT": np.exp(rng.normal(13.1, 0.7, n)),
            "AMT_ANNUITY": np.exp(rng.normal(10.1, 0.5, n)),
            "CNT_CHILDREN": rng.poisson(0.4, n).astype(float),
            "REGION_RATING_CLIENT": rng.choice([1.0, 2.0, 3.0], n, p=[0.1, 0.74, 0.16]),
            "EXT_SOURCE_2": np.where(rng.random(n) < 0.002, np.nan, rng.beta(4, 3, n)),
        }
    )
    for column, (values, shares) in CATEGORIES.items():
        frame[column] = rng.choice(
            np.array(values, dtype=object), n, p=np.array(shares) / sum(shares)
        )
    frame.loc[rng.random(n) < 0.0001, "AMT_ANNUITY"] = np.nan
    return frame


def best_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(min(times) * 1000, 3)


def once_ms(fn) -> float:
    return best_ms(fn, repeat=1)


def run(n: int) -> dict:
    frame = synthetic(n)
    client = frame.iloc[12345].drop(["TARGET", "PD"]).to_dict()
    client["SK_ID_CURR"] = 1  # a new client, not one of the reference rows
    build = best_ms(lambda: Population(frame))
    people = Population(frame)
    groups = pd.DataFrame(
        np.random.default_rng(1).normal(0, 0.01, (100, 28)), columns=[f"g{i}" for i in range(28)]
    )
    filters = {
        "NAME_CONTRACT_TYPE": "Cash loans",
        "AGE_BAND": ["25-34", "35-44"],
        "INCOME_BAND": "Q2",
    }
    return {
        "Population(frame)": build,
        "percentile": best_ms(lambda: people.percentile(0.08)),
        "similar k=20": best_ms(lambda: people.similar(client, k=20)),
        "similar k=100": best_ms(lambda: people.similar(client, k=100)),
        "distribution AMT_CREDIT, first call (cold)": once_ms(
            lambda: people.distribution("AMT_CREDIT", 5e5)
        ),
        "distribution AMT_CREDIT": best_ms(lambda: people.distribution("AMT_CREDIT", 5e5)),
        "distribution AGE_YEARS, first call (cold)": once_ms(
            lambda: people.distribution("AGE_YEARS", 41.0)
        ),
        "distribution AGE_YEARS": best_ms(lambda: people.distribution("AGE_YEARS", 41.0)),
        "distribution NAME_INCOME_TYPE, first call (cold)": once_ms(
            lambda: people.distribution("NAME_INCOME_TYPE", "Working")
        ),
        "distribution NAME_INCOME_TYPE": best_ms(
            lambda: people.distribution("NAME_INCOME_TYPE", "Working")
        ),
        "segment (3 filters)": best_ms(lambda: people.segment(filters)),
        "segment + describe": best_ms(lambda: people.describe(people.segment(filters))),
        "segment_options": best_ms(lambda: people.segment_options("fr")),
        "main_groups (100 neighbours x 28 groups)": best_ms(lambda: main_groups(groups)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    timings = run(args.clients)
    for name, ms in timings.items():
        print(f"{name:50s} {ms:9.3f} ms")
    write_results(
        args.out,
        "compare_speed",
        {"machine": machine(), "clients": args.clients, "milliseconds": timings},
    )


if __name__ == "__main__":
    main()
