"""python -m training [--data DIR] --out DIR: train a model bundle and print its report."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from credit.input_policy import PolicyError, group_choices, policy
from credit.schema import DataError
from training.cross_validation import FAST, Capacity
from training.data import demo_data, fingerprint, load_tables
from training.pipeline import Options, train_bundle
from training.report import write_report


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument(
        "--data",
        type=Path,
        help="directory of the seven Kaggle CSVs (default: generated demo data)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("models"),
        help="where bundles are written (default: models)",
    )
    parser.add_argument(
        "--fast", action="store_true", help="3 folds, faster learning rate: for demos and CI"
    )
    parser.add_argument(
        "--cost-fn", type=float, default=10.0, help="cost of a missed default (default 10)"
    )
    parser.add_argument(
        "--cost-fp", type=float, default=1.0, help="cost of refusing a good client (default 1)"
    )
    parser.add_argument(
        "--demo-clients", type=int, default=20_000, help="size of generated demo data"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--protocol",
        choices=("single", "repeated"),
        default="single",
        help="repeated: also 2 more K-folds with other seeds, "
        "for the AUC's mean ± std in the report",
    )
    add_group_options(parser)
    return parser.parse_args(argv)


def add_group_options(parser: argparse.ArgumentParser) -> None:
    """--include-group / --exclude-group: the input policy's option groups (defaults in
    credit/input_policy.json)."""
    groups = policy()["groups"]
    defaults = ", ".join(f"{name}: {spec['default']}" for name, spec in groups.items())
    for choice in ("include", "exclude"):
        parser.add_argument(
            f"--{choice}-group",
            action="append",
            default=[],
            choices=list(groups),
            metavar="GROUP",
            help=f"{choice} an option group of the input policy ({', '.join(groups)}; "
            f"repeatable; defaults: {defaults})",
        )


def progress(iterable, desc: str):
    return tqdm(iterable, desc=desc, unit="step", file=sys.stderr)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    data = args.data or demo_data(clients=args.demo_clients, seed=args.seed)
    try:
        tables = load_tables(data, lambda it: progress(it, "reading tables"))
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        groups = group_choices(args.include_group, args.exclude_group)
    except PolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    options = Options(
        cost_fn=args.cost_fn,
        cost_fp=args.cost_fp,
        capacity=FAST if args.fast else Capacity(),
        seed=args.seed,
        groups=groups,
        repeats=3 if args.protocol == "repeated" else 1,
    )
    bundle, _ = train_bundle(tables, fingerprint(data), args.out, options, progress)
    print(write_report(bundle.path / "report", bundle.manifest))
    print(f"Model bundle: {bundle.path}\nReport: {bundle.path / 'report' / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
