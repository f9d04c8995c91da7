"""The operations page (ops accounts only): is every service working, how fast, how far behind,
what was dead-lettered and why, whether recent applications drift from the training population.

Everything comes from the reports on ops.metrics, ops.alerts and the dead-letter topics, which the
ops feed keeps in the store; no applicant's data is shown here.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pandas as pd
import panel as pn
import param
from bokeh.models import Span
from bokeh.palettes import Colorblind8
from bokeh.plotting import figure

from credit.events import now
from credit.explain.wording import number, percent
from credit.monitoring import PD_BINS, PSI_ALARM, PSI_WARN, level
from dashboard.views.refresh import keep_refreshing

# Per service: the count that is its throughput, and the latency that matters most to a client.
THROUGHPUT = {"ingest": "sent", "scorer": "sent", "explainer": "sent", "dashboard": "stored", "dashboard-ops": "stored"}
LATENCY = {"ingest": "request", "scorer": "submitted_to_decided", "explainer": "decided_to_explained",
           "dashboard": "explained_to_stored", "dashboard-ops": "batch"}
SILENT_AFTER = 3  # report intervals without a report: the instance is said to be silent
REFRESH_MS = 10_000
TEXT = {
    "fr": {"windows": {"15 min": 15, "1 h": 60, "24 h": 1440}, "services": "Services",
           "columns": ["service", "instance", "dernier rapport", "état", "débit /s", "erreurs + lettres mortes",
                       "latence p95 (ms)", "retard (messages)"],
           "ok": "✔ rend compte", "silent": "⚠ silencieux", "ago": "il y a {s:.0f} s",
           "throughput": "Débit (messages traités par seconde)", "latency": "Latence p95 (ms)",
           "lag": "Retard des consommateurs (messages en attente)", "drift": "Dérive (PSI) par rapport à l'entraînement",
           "drift_now": "Dérive actuelle", "decisions": "Décisions du modèle (part de chaque issue)",
           "pd": "Probabilités de défaut décidées sur la période (nombre par tranche, %)",
           "outcomes": {"granted": "accordées", "refused": "refusées", "to_review": "à examiner"},
           "period": "Sur la période, {n} décisions : {shares}.", "drift_columns": ["entrée", "PSI", "niveau"],
           "levels": {None: "stable", "warn": "⚠ en mouvement", "alarm": "✘ décalée"},
           "dead": "Lettres mortes par raison", "dead_columns": ["sujet", "service", "raison", "messages", "dernière"],
           "alerts": "Alertes", "alert_columns": ["heure", "service", "type", "sujet", "niveau", "valeur", "seuil"],
           "none": "Aucun rapport reçu sur cette période.",
           "down": "⚠ Flux d'exploitation interrompu : les rapports affichés sont les derniers reçus."},
    "en": {"windows": {"15 min": 15, "1 h": 60, "24 h": 1440}, "services": "Services",
           "columns": ["service", "instance", "last report", "state", "throughput /s", "errors + dead letters",
                       "p95 latency (ms)", "lag (messages)"],
           "ok": "✔ reporting", "silent": "⚠ silent", "ago": "{s:.0f} s ago",
           "throughput": "Throughput (messages processed per second)", "latency": "p95 latency (ms)",
           "lag": "Consumer lag (messages waiting)", "drift": "Drift (PSI) from the training population",
           "drift_now": "Drift now", "decisions": "The model's decisions (share of each outcome)",
           "pd": "Probabilities of default decided in the period (count per band, %)",
           "outcomes": {"granted": "granted", "refused": "refused", "to_review": "to review"},
           "period": "In the period, {n} decisions: {shares}.", "drift_columns": ["input", "PSI", "level"],
           "levels": {None: "stable", "warn": "⚠ moving", "alarm": "✘ shifted"},
           "dead": "Dead letters by reason", "dead_columns": ["topic", "service", "reason", "messages", "latest"],
           "alerts": "Alerts", "alert_columns": ["time", "service", "kind", "subject", "level", "value", "threshold"],
           "none": "No report received in this period.",
           "down": "⚠ Operations feed interrupted: showing the last reports received."},
}


def series(reports, value) -> dict[str, tuple[list, list]]:
    """One line per service instance (per drift input for drift): times and values, None values skipped."""
    lines: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for report in reports:
        for name, y in value(report):
            if y is not None:
                lines[name][0].append(report.at)
                lines[name][1].append(y)
    return dict(lines)


def _instance(report) -> str:
    return f"{report.service} {report.instance.rsplit('-', 1)[-1]}"  # the process id tells instances apart


def throughput(report):
    yield _instance(report), report.rates_per_s.get(THROUGHPUT.get(report.service, "sent"))


def latency_p95(report):
    kind = report.latency.get(LATENCY.get(report.service, "batch"))
    yield _instance(report), kind.p95_ms if kind else None


def lag(report):
    yield _instance(report), report.lag


def drift(report):
    yield from report.drift.items()


def outcome_shares(labels: dict):
    """The scorer's decisions: the share granted, refused and left to review, per report, under `labels`."""
    def shares(report):
        if report.service == "scorer" and report.counts.get("sent"):
            for outcome, label in labels.items():
                yield label, report.counts.get(outcome, 0) / report.counts["sent"]
    return shares


def decisions_words(reports, lang: str) -> str:
    """The charts of decisions in words: the period's outcomes, as shares of all decisions."""
    text = TEXT[lang]
    scorer = [r for r in reports if r.service == "scorer"]
    n = sum(r.counts.get("sent", 0) for r in scorer)
    if not n:
        return ""
    shares = ", ".join(f"{label} {percent(sum(r.counts.get(o, 0) for r in scorer) / n, lang, 1)}"
                       for o, label in text["outcomes"].items())
    return text["period"].format(n=number(n, lang), shares=shares)


def pd_chart(reports, title: str):
    """The scorer's PD histogram summed over the period: where the decisions fall around the threshold."""
    counts = [sum(c) for c in zip(*(r.pd_histogram for r in reports if r.pd_histogram))] or [0] * (len(PD_BINS) - 1)
    labels = [f"{low * 100:g}–{high * 100:g}" for low, high in zip(PD_BINS, PD_BINS[1:])]
    fig = figure(height=230, sizing_mode="stretch_width", x_range=labels, title=title, toolbar_location=None)
    fig.vbar(x=labels, top=counts, width=0.8, color=Colorblind8[0])
    fig.xaxis.major_label_orientation = 0.8
    return fig


def chart(title: str, lines: dict, spans: tuple = ()):
    fig = figure(height=230, sizing_mode="stretch_width", x_axis_type="datetime", title=title, toolbar_location=None)
    for i, (name, (x, y)) in enumerate(sorted(lines.items())):
        colour = Colorblind8[i % 8]
        fig.line(x, y, legend_label=name, color=colour, line_width=2, line_dash=("solid", "dashed", "dotted")[i // 8 % 3])
    for at in spans:
        fig.add_layout(Span(location=at, dimension="width", line_color="black", line_dash="dashed"))
    if lines:
        fig.legend.location, fig.legend.label_text_font_size = "top_left", "8pt"
    return fig


def services_table(reports, lang: str) -> pd.DataFrame:
    """The latest report of each instance: the charts' text alternative, and what to look at first."""
    text, latest, at = TEXT[lang], {}, now()
    for report in reports:
        latest[(report.service, report.instance)] = report
    rows = []
    for (service, instance), r in sorted(latest.items()):
        age = (at - r.at).total_seconds()
        p95 = r.latency.get(LATENCY.get(service, "batch"))
        rows.append((service, instance, text["ago"].format(s=age),
                     text["silent"] if age > SILENT_AFTER * r.interval_s else text["ok"],
                     round(r.rates_per_s.get(THROUGHPUT.get(service, "sent"), 0.0), 1),
                     r.counts.get("errors", 0) + r.counts.get("dead_letters", 0) + r.counts.get("unreadable", 0),
                     round(p95.p95_ms) if p95 else None, r.lag))
    return pd.DataFrame(rows, columns=text["columns"])


def drift_table(reports, lang: str) -> pd.DataFrame:
    text = TEXT[lang]
    latest = next((r.drift for r in reversed(reports) if r.drift), {})
    return pd.DataFrame([(name, round(value, 3), text["levels"][level(value)]) for name, value in
                         sorted(latest.items(), key=lambda kv: -kv[1])], columns=text["drift_columns"])


class Operations(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])
    window = param.Integer(default=60, doc="minutes shown")

    def __init__(self, context, **params):
        super().__init__(**params)
        self.context = context
        table = lambda css: pn.widgets.Tabulator(pd.DataFrame(), disabled=True, show_index=False,  # noqa: E731
                                                 sizing_mode="stretch_width", css_classes=[css])
        self._services, self._drift, self._dead, self._alerts = table("ops-services"), table("ops-drift"), \
            table("ops-dead-letters"), table("ops-alerts")
        self._charts = [pn.pane.Bokeh(sizing_mode="stretch_width") for _ in range(6)]
        self._notice = pn.pane.Markdown("", css_classes=["ops-notice"])
        self._decisions = pn.pane.Markdown("", css_classes=["ops-decisions", "chart-text"])
        self._titles = [pn.pane.Markdown("") for _ in range(4)]
        self._choice = pn.widgets.RadioButtonGroup(options=TEXT["fr"]["windows"], value=self.window)
        self._choice.link(self, value="window")
        self._refreshing = None
        self.refresh()

    @param.depends("lang", "window", watch=True)
    def refresh(self) -> None:
        text = TEXT[self.lang]
        reports = self.context.store.reports_since(now() - timedelta(minutes=self.window))
        notices = ([] if self.context.ops_feed.status().live else [text["down"]]) + ([] if reports else [text["none"]])
        self._notice.object = "\n\n".join(notices)
        self._services.value = services_table(reports, self.lang)
        self._drift.value = drift_table(reports, self.lang)
        self._dead.value = pd.DataFrame([(r["source_topic"], r["service"], r["reason"], r["messages"], r["latest"][:19])
                                         for r in self.context.store.dead_letter_reasons()], columns=text["dead_columns"])
        self._alerts.value = pd.DataFrame([(a.at.strftime("%Y-%m-%d %H:%M:%S"), a.service, a.kind, a.subject, a.level,
                                            round(a.value, 3), a.threshold) for a in self.context.store.latest_alerts()],
                                          columns=text["alert_columns"])
        for pane, (title, value, spans) in zip(self._charts, (
                ("throughput", throughput, ()), ("latency", latency_p95, ()), ("lag", lag, ()),
                ("drift", drift, (PSI_WARN, PSI_ALARM)), ("decisions", outcome_shares(text["outcomes"]), ()))):
            pane.object = chart(text[title], series(reports, value), spans)
        self._charts[5].object = pd_chart(reports, text["pd"])
        self._decisions.object = decisions_words(reports, self.lang)
        for pane, key in zip(self._titles, ("services", "drift_now", "dead", "alerts")):
            pane.object = f"### {text[key]}"

    def __panel__(self):
        self._refreshing = keep_refreshing(self._refreshing, self.refresh, REFRESH_MS)
        return pn.Column(self._choice, self._notice, self._titles[0], self._services,
                         pn.Row(*self._charts[:2], sizing_mode="stretch_width"),
                         pn.Row(*self._charts[2:4], sizing_mode="stretch_width"),
                         pn.Row(*self._charts[4:], sizing_mode="stretch_width"), self._decisions,
                         self._titles[1], self._drift, self._titles[3], self._alerts, self._titles[2], self._dead,
                         css_classes=["operations"])
