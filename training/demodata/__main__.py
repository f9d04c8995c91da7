"""Write demo CSV files in the Kaggle schema.

python -m training.demodata --out DIR [--seed 42] [--clients 10000] [--test-share 0.25]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from training.demodata.generate import TABLES, iter_tables, write_table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Generate Kaggle-schema demo data from the measured profile."
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for the <table>.csv files"
    )
    parser.add_argument("--seed", type=int, default=42, help="same seed, same files")
    parser.add_argument("--clients", type=int, default=10_000, help="clients in train + test")
    parser.add_argument(
        "--test-share", type=float, default=0.25, help="share of clients in application_test"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written, default_rate = {}, float("nan")
    with tqdm(total=len(TABLES), unit="table") as progress:
        for name, frame in iter_tables(args.clients, args.seed, args.test_share):
            progress.set_description(f"writing {name}")
            written[write_table(frame, args.out, name)] = len(frame)
            if name == "application_train":
                default_rate = frame["TARGET"].mean()
            progress.update()
    for path, rows in written.items():
        print(f"{path}: {rows:,} rows")
    print(f"default rate (application_train TARGET): {default_rate:.4f}")


if __name__ == "__main__":
    main()
