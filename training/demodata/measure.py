"""Measure the real-row sample into profile.json: aggregate statistics only, never rows.

    python -m training.demodata.measure --data ../shared/data/home-credit-sample \
        --out training/demodata/profile.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from credit.schema import FILES, schema
from training.demodata.copula import measure_copula
from training.demodata.derived import measure_derived
from training.demodata.employment import employment_label, measure_sentinel
from training.demodata.frames import measure_table
from training.demodata.linkage import measure_linkage
from training.demodata.marginals import QUANTILE_PROBS, rounded
from training.demodata.risk import fit_default_model
from training.demodata.signals import measure_signals

# Per-stratum profiles where a column's missingness and values hinge on another column:
# pensioners (the sentinel) have no occupation, refused applications no due dates, etc.
STRATUM = "STRATUM"
STRATA = {
    "application": lambda f: employment_label(f["DAYS_EMPLOYED"]),
    "previous_application": lambda f: f["NAME_CONTRACT_STATUS"] + "|" + f["NAME_CONTRACT_TYPE"],
    "bureau": lambda f: f["CREDIT_ACTIVE"],
}


# profile.json: dicts longer than this many characters are written one key per line.
WRAP = 400


def read_sample(directory: Path) -> dict[str, pd.DataFrame]:
    """The eight CSV files, as plain pandas reads them; train and test also joined as
    'application'."""
    tables = {
        stem: pd.read_csv(Path(directory) / f"{stem}.csv", low_memory=False) for stem in FILES
    }
    tables["application"] = pd.concat(
        [tables["application_train"], tables["application_test"]], ignore_index=True
    )
    return tables


def measure_profile(directory: Path) -> dict:
    """Every figure the generator needs, measured on the sample in `directory`."""
    tables = read_sample(directory)
    apps, train = tables["application"], tables["application_train"]
    return {
        "source": "Home Credit real-row sample (see its PROVENANCE.md); aggregates only",
        "quantile_probs": list(QUANTILE_PROBS),
        "default_rate": rounded(train["TARGET"].mean()),
        "tables": {
            name: _measure_table(tables[name], name) for name in dict.fromkeys(FILES.values())
        },
        "days_employed_sentinel": measure_sentinel(apps),
        "copula": measure_copula(apps),
        "default_model": fit_default_model(apps),
        "linkage": measure_linkage(apps, tables),
        "signals": measure_signals(tables, train.set_index("SK_ID_CURR")["TARGET"]),
        "derived": measure_derived(tables),
    }


def _measure_table(frame: pd.DataFrame, name: str) -> dict:
    if name in STRATA:
        frame = frame.assign(**{STRATUM: STRATA[name](frame)})
    return measure_table(frame, schema(name), STRATUM if name in STRATA else None)


def to_json(value, indent: str = "") -> str:
    """Compact JSON, but a dict longer than WRAP characters gets one line per key: small to
    commit, and a re-measure shows which column's figures moved."""
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if not isinstance(value, dict) or len(compact) <= WRAP:
        return compact
    inner = indent + " "
    items = (
        f"{inner}{json.dumps(k, ensure_ascii=False)}:{to_json(v, inner)}" for k, v in value.items()
    )
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, required=True, help="directory of the Kaggle-schema CSV sample"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write profile.json")
    args = parser.parse_args(argv)
    profile = measure_profile(args.data)
    args.out.write_text(to_json(profile) + "\n")
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), "
        f"default rate {profile['default_rate']}"
    )


if __name__ == "__main__":
    main()
