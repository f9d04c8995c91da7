"""The training report: metrics as JSON, a readable Markdown page and its pictures."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def write_report(directory: Path, manifest: dict) -> str:
    """Write metrics.json, report.md, cost_curve.png and calibration.png; return the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    metrics = manifest["metrics"]
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=1))
    _plot_cost(directory / "cost_curve.png", metrics, manifest)
    _plot_calibration(directory / "calibration.png", metrics)
    text = render(manifest)
    (directory / "report.md").write_text(text)
    return text


def render(manifest: dict) -> str:
    m = manifest["metrics"]
    before, after = m["calibration_before"], m["calibration_after"]
    lines = [
        f"# Model {manifest['model_version']}",
        "",
        f"Trained on {manifest['training_rows']:,} applications "
        f"(default rate {m['default_rate']:.2%}), "
        f"{len(manifest['features'])} features, {manifest['trees']} trees. "
        f"Data fingerprint `{manifest['data_fingerprint'][:16]}`.",
        "",
        *_input_policy(manifest),
        "## Discrimination (out-of-fold)",
        *_repeated(m),
        f"- AUC out-of-fold{' (first seed)' if 'repeated_auc' in m else ''}: "
        f"**{m['oof_auc']:.4f}**",
        "- AUC per fold: " + ", ".join(f"{a:.4f}" for a in m["fold_auc"]),
        "",
        "## Calibration (out-of-fold)",
        "| | Brier score | calibration error (ECE) |",
        "|---|---:|---:|",
        f"| before (raw LightGBM) | {before['brier']:.5f} | {before['ece']:.5f} |",
        f"| after (Platt) | {after['brier']:.5f} | {after['ece']:.5f} |",
        "",
        "![calibration](calibration.png)",
        "",
        "## Decision threshold",
        f"A missed default costs {manifest['cost_fn']:g}, "
        f"a good client refused costs {manifest['cost_fp']:g}.",
        f"- chosen threshold: **PD ≥ {m['threshold']:.3f} → refused**",
        f"- cost per application at the threshold: {m['cost_per_application_at_threshold']:.4f}; "
        f"at 0.5: {m['cost_per_application_at_0_5']:.4f} "
        f"({1 - m['cost_per_application_at_threshold'] / m['cost_per_application_at_0_5']:.1%} "
        "lower)",
        "",
        "![cost curve](cost_curve.png)",
        "",
        *_confusion_table(m),
        "",
        *_fairness_tables(m["fairness"]),
    ]
    return "\n".join(lines) + "\n"


def _repeated(m: dict) -> list[str]:
    """The headline when measured: mean ± std of the repeated protocol's fold AUCs, with the same
    protocol's yardsticks."""
    if "repeated_auc" not in m:
        return []
    r = m["repeated_auc"]
    folds = f"{r['repeats']} seeds × {len(r['folds']) // r['repeats']} stratified folds"
    rows = [("this model", r)] + [
        (label, r[key])
        for label, key in (
            ("plain LightGBM: every raw application column, the excluded too", "plain_lightgbm"),
            ("public recipe (7 tables, 753 features; measured once, not rerun)", "public_recipe"),
        )
        if key in r
    ]
    return [
        f"Repeated protocol ({folds}), out-of-fold AUC, mean ± std over the folds:",
        "",
        "| model | AUC |",
        "|---|---:|",
        *(
            f"| {label} | {'**' * (i == 0)}{v['mean']:.4f} ± {v['std']:.4f}{'**' * (i == 0)} |"
            for i, (label, v) in enumerate(rows)
        ),
        "",
    ]


def _input_policy(manifest: dict) -> list[str]:
    record = manifest["input_policy"]
    groups = ", ".join(f"{group}: **{choice}d**" for group, choice in record["groups"].items())
    return [
        "## Input policy",
        f"Trained under input policy version {record['version']} "
        f"(`{record['sha256'][:12]}`, credit/input_policy.json); option groups {groups}. "
        "What each choice costs and whom it refuses: benchmarks/results/fairness.md.",
        "",
    ]


def _confusion_table(m: dict) -> list[str]:
    rows = ["| | threshold | 0.5 |", "|---|---:|---:|"]
    labels = {
        "granted_good_tn": "good client granted",
        "refused_good_fp": "good client refused",
        "granted_defaults_fn": "defaulter granted (missed)",
        "refused_defaults_tp": "defaulter refused",
    }
    for key, label in labels.items():
        rows.append(
            f"| {label} | {m['confusion_at_threshold'][key]:,} | {m['confusion_at_0_5'][key]:,} |"
        )
    return ["## Confusion matrix (out-of-fold)", *rows]


def _fairness_tables(fairness: dict) -> list[str]:
    lines = [
        "## Fairness at the threshold",
        "TPR: share of defaulters refused; FPR: share of good clients refused.",
        "",
    ]
    for attribute, groups in fairness.items():
        lines += [
            f"| {attribute} | clients | default rate | approval rate | TPR | FPR |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for group, r in groups.items():
            cells = [_pct(r[k]) for k in ("default_rate", "approval_rate", "tpr", "fpr")]
            lines.append(f"| {group} | {r['clients']:,} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _plot_cost(path: Path, metrics: dict, manifest: dict) -> None:
    curve = metrics["cost_curve"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(curve["threshold"], curve["cost"], color="#0072B2")
    ax.axvline(
        metrics["threshold"],
        color="#D55E00",
        linestyle="--",
        label=f"chosen {metrics['threshold']:.3f}",
    )
    ax.axvline(0.5, color="#999999", linestyle=":", label="0.5")
    ax.set(
        xlabel="threshold (refuse if PD ≥ threshold)",
        ylabel="cost per application",
        title=f"Business cost (missed default = {manifest['cost_fn']:g} × refused good client)",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_calibration(path: Path, metrics: dict) -> None:
    table = metrics["calibration_table"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    top = max(max(r["mean_pd"] for r in table), max(r["default_rate"] for r in table)) * 1.1
    ax.plot([0, top], [0, top], color="#999999", linestyle=":", label="perfect")
    ax.plot(
        [r["mean_pd"] for r in table],
        [r["default_rate"] for r in table],
        "o-",
        color="#0072B2",
        label="model",
    )
    ax.set(
        xlabel="mean predicted PD (per tenth of clients)",
        ylabel="observed default rate",
        title="Calibration",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
