"""The fairness report as Markdown: one table of cost and quality, then rates by sex and by age
band."""

from __future__ import annotations

MIN_CLIENTS = 100  # groups this small are left out of the gap ratios: too noisy
RATES = {
    "approval_rate": "Approval rate",
    "tpr": "TPR (defaulters refused)",
    "fpr": "FPR (good clients refused)",
}


def render(report: dict) -> str:
    p = report["protocol"]
    lines = [
        "# Fairness and the input policy",
        "",
        f"{report['rows']:,} training applications (default rate {report['default_rate']:.2%}); "
        f"{p['repeats']} x stratified {p['folds']}-fold (seeds {', '.join(map(str, p['seeds']))}); "
        f"learning rate {p['capacity']['learning_rate']:g}, {p['capacity']['num_leaves']} leaves. "
        "Each variant's threshold minimises its own cost "
        f"(missed default {p['cost_fn']:g}, good client refused {p['cost_fp']:g}) "
        "on its out-of-fold PDs, per repeat; rates are means over the repeats.",
        "",
        "| variant | features | AUC (mean ± std) "
        f"| AUC change vs {report['variants'][0]['name']} (paired) "
        "| cost per application | threshold | approval rate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in report["variants"]:
        gap = v["auc_gap_to_first"]
        lines.append(
            f"| {v['name']} | {v['features']} | {v['auc']['mean']:.4f} ± {v['auc']['std']:.4f} | "
            f"{gap['mean']:+.4f} ± {gap['std']:.4f} | "
            f"{v['cost']['mean']:.4f} ± {v['cost']['std']:.4f} | {v['threshold']['mean']:.3f} | "
            f"{v['approval_rate']['mean']:.1%} |"
        )
    lines += ["", *_gaps(report["variants"]), "", *_proxies(report["age_proxies"]), ""]
    for attribute in report["variants"][0]["by_group"]:
        groups = list(report["variants"][0]["by_group"][attribute])
        for key, title in RATES.items():
            lines += [
                f"### {title} by {attribute}",
                "",
                "| variant | " + " | ".join(groups) + " |",
                "|---|" + "---:|" * len(groups),
            ]
            for v in report["variants"]:
                cells = [_pct(v["by_group"][attribute][g][key]) for g in groups]
                lines.append(f"| {v['name']} | " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines) + "\n"


def _gaps(variants: list[dict]) -> list[str]:
    """Highest ÷ lowest FPR across each attribute's groups: how unequal the refusals of good clients
    are, whatever the variant's overall approval rate."""
    attributes = list(variants[0]["by_group"])
    lines = [
        "Refusals of good clients, highest ÷ lowest FPR across groups "
        f"(groups of at least {MIN_CLIENTS} clients):",
        "",
        "| variant | " + " | ".join(f"by {a}" for a in attributes) + " |",
        "|---|" + "---:|" * len(attributes),
    ]
    for v in variants:
        cells = []
        for attribute in attributes:
            rates = {
                g: r
                for g, r in v["by_group"][attribute].items()
                if r["clients"] >= MIN_CLIENTS and r["fpr"]
            }
            high, low = (
                max(rates, key=lambda g: rates[g]["fpr"]),
                min(rates, key=lambda g: rates[g]["fpr"]),
            )
            cells.append(f"{rates[high]['fpr'] / rates[low]['fpr']:.2f} ({high} ÷ {low})")
        lines.append(f"| {v['name']} | " + " | ".join(cells) + " |")
    return lines


def _proxies(proxies: dict) -> list[str]:
    rows = [
        f"| {field} | {share:.1%} | {_rho(proxies['spearman'].get(field))} |"
        for field, share in proxies["shares"].items()
    ]
    return [
        "## What stands in for age",
        f"Method: {proxies['method']}. Proxies removed: "
        f"**{', '.join(proxies['proxies']) or 'none'}**. "
        f"Age predicted from the inputs without age: R² {proxies['r2_without_age']:.3f}; "
        f"also without the proxies: R² {proxies['r2_without_age_and_proxies']:.3f}.",
        "",
        "| source field | share of the age model's attribution | abs. Spearman with age |",
        "|---|---:|---:|",
        *rows,
    ]


def _rho(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"
