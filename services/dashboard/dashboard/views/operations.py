"""The operations page (ops accounts only): is every service working, how fast, how far behind,
what was dead-lettered and why, whether recent applications drift from the training population.

Everything comes from the reports on ops.metrics, ops.alerts and the dead-letter topics, which the
ops feed keeps in the store (the reports through ops_history); no applicant's data is shown here.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, Span
from bokeh.palettes import Colorblind8
from bokeh.plotting import figure

from credit.events import now
from credit.explain.wording import number, percent
from credit.monitoring import PD_BINS, PSI_ALARM, PSI_WARN, level
from dashboard.catalogue import words
from dashboard.charts import numbers_axis, time_axis
from dashboard.ops_history import (
    bucket,
    drift_lines,
    latest_drift,
    lines,
    outcome_lines,
    outcome_totals,
    pd_counts,
    window,
)
from dashboard.views.refresh import keep_refreshing

SILENT_AFTER = 3  # report intervals without a report: the instance is said to be silent
REFRESH_MS = 10_000
TEXT = words("operations")
LOSS_NOTICE_FOR_S = 3600  # a loss alarm stays at the top of the page this long


def alerts_table(alerts: list, lang: str) -> pd.DataFrame:
    text = TEXT[lang]

    def detail(a):
        return text["oldest"].format(id=a.detail) if a.kind == "reconciliation" else a.detail or ""

    return pd.DataFrame(
        [
            (
                a.at.strftime("%Y-%m-%d %H:%M:%S"),
                a.service,
                text["kinds"].get(a.kind, a.kind),
                text["subjects"].get(a.subject, a.subject),
                text["alert_levels"][a.level],
                number(a.value, lang, 3 if a.kind in ("drift", "dead_letters") else 0),
                number(a.threshold, lang, 3 if a.kind in ("drift", "dead_letters") else 0),
                detail(a),
            )
            for a in alerts
        ],
        columns=text["alert_columns"],
    )


def loss_notices(alerts: list, lang: str) -> list[str]:
    """The latest hour's alarms that something was lost or is late and is not resolved since, in
    words, for the top of the page (alerts: the newest first)."""
    latest = {}
    for alert in alerts:
        latest.setdefault((alert.service, alert.kind, alert.subject), alert)
    text = TEXT[lang]
    recent = [
        a
        for a in latest.values()
        if a.level == "alarm" and (now() - a.at).total_seconds() <= LOSS_NOTICE_FOR_S
    ]
    at = lambda a: a.at.strftime("%H:%M:%S")  # noqa: E731
    words = {
        "reconciliation": lambda a: text["losses"].format(
            n=number(a.value, lang),
            subject=text["subjects"][a.subject],
            service=a.service,
            at=at(a),
            id=a.detail,
        ),
        "unbalanced": lambda a: text["unbalanced"].format(
            service=a.service, at=at(a), n=number(abs(a.value), lang)
        ),
        "stalled": lambda a: text["stalled"].format(
            service=a.service, at=at(a), detail=a.detail or ""
        ),
    }
    return [words[a.kind](a) for a in recent if a.kind in words]


def decisions_words(frame: pd.DataFrame, lang: str) -> str:
    """The charts of decisions in words: the period's outcomes, as shares of all decisions."""
    text, totals = TEXT[lang], outcome_totals(frame)
    if not totals["sent"]:
        return ""
    shares = ", ".join(
        f"{label} {percent(totals[o] / totals['sent'], lang, 1)}"
        for o, label in text["outcomes"].items()
    )
    return text["period"][totals["sent"] > 1].format(n=number(totals["sent"], lang), shares=shares)


def _language(title: str) -> str:
    """The language of a chart's title (the page gives the charts their titles, which change with
    the language)."""
    return next((lang for lang, text in TEXT.items() if title in text.values()), "fr")


class LineChart:
    """A chart over time, one line per name. A refresh with the same lines changes their data in
    place (the browser gets the new points, not a new figure); other lines or another title make a
    new figure. A line of a single point is a dot (a line needs two)."""

    def __init__(self, spans: tuple = ()):
        self.pane, self.spans, self._key = pn.pane.Bokeh(sizing_mode="stretch_width"), spans, None
        self._sources, self._dots = {}, {}

    def show(self, title: str, lines: dict[str, tuple]) -> None:
        if (title, sorted(lines)) == self._key:
            for name, (x, y) in lines.items():
                self._sources[name].data = {"x": x, "y": y}
                self._dots[name].visible = len(x) == 1
            return
        fig = figure(
            height=230,
            sizing_mode="stretch_width",
            x_axis_type="datetime",
            title=title,
            toolbar_location=None,
        )
        time_axis(fig)
        numbers_axis(fig.yaxis, _language(title))
        self._key, self._sources, self._dots = (title, sorted(lines)), {}, {}
        for i, name in enumerate(sorted(lines)):
            source = self._sources[name] = ColumnDataSource(
                {"x": lines[name][0], "y": lines[name][1]}
            )
            fig.line(
                "x",
                "y",
                source=source,
                legend_label=name,
                color=Colorblind8[i % 8],
                line_width=2,
                line_dash=("solid", "dashed", "dotted")[i // 8 % 3],
            )
            self._dots[name] = fig.scatter(
                "x",
                "y",
                source=source,
                legend_label=name,
                color=Colorblind8[i % 8],
                size=7,
                visible=len(lines[name][0]) == 1,
            )
        for at in self.spans:
            fig.add_layout(
                Span(location=at, dimension="width", line_color="black", line_dash="dashed")
            )
        if lines:
            fig.legend.location, fig.legend.label_text_font_size = "top_left", "8pt"
        self.pane.object = fig


class PdChart:
    """The scorer's PD histogram summed over the period: where the decisions fall around the
    threshold."""

    LABELS = [f"{low * 100:g}–{high * 100:g}" for low, high in zip(PD_BINS, PD_BINS[1:])]

    def __init__(self):
        self.pane, self._title, self._source = (
            pn.pane.Bokeh(sizing_mode="stretch_width"),
            None,
            None,
        )

    def show(self, title: str, counts: list[int]) -> None:
        if title == self._title:
            self._source.data = {"x": self.LABELS, "top": counts}
            return
        self._title, self._source = title, ColumnDataSource({"x": self.LABELS, "top": counts})
        fig = figure(
            height=230,
            sizing_mode="stretch_width",
            x_range=self.LABELS,
            title=title,
            toolbar_location=None,
        )
        fig.vbar(x="x", top="top", source=self._source, width=0.8, color=Colorblind8[0])
        fig.xaxis.major_label_orientation = 0.8
        numbers_axis(fig.yaxis, _language(title))
        self.pane.object = fig


def services_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The latest report of each instance: the charts' text alternative, and what to look at
    first."""
    text, at = TEXT[lang], pd.Timestamp(now()).tz_convert(None)
    latest = (
        frame.groupby(["service", "instance"], sort=True)
        .tail(1)
        .sort_values(["service", "instance"])
        if len(frame)
        else frame
    )
    rows = []
    for r in latest.itertuples():
        age = (at - r.at).total_seconds()
        rows.append(
            (
                r.service,
                r.instance,
                text["ago"].format(s=number(max(age, 0), lang)),
                text["silent"] if age > SILENT_AFTER * r.interval_s else text["ok"],
                _number(0.0 if pd.isna(r.throughput) else r.throughput, lang, 1),
                _number(r.errors, lang),
                _number(r.p95_ms, lang),
                _number(r.lag, lang),
            )
        )
    return pd.DataFrame(rows, columns=text["columns"])


def _number(value, lang: str, decimals: int = 0) -> str:
    """A number written the language's way; nothing when the report has none (the ingest API has no
    lag)."""
    return "" if pd.isna(value) else number(value, lang, decimals)


def drift_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    text = TEXT[lang]
    return pd.DataFrame(
        [
            (name, number(value, lang, 3), text["levels"][level(value) or "stable"])
            for name, value in sorted(latest_drift(frame).items(), key=lambda kv: -kv[1])
        ],
        columns=text["drift_columns"],
    )


class Operations(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])
    window = param.Integer(default=60, doc="minutes shown")

    def __init__(self, context, **params):
        super().__init__(**params)
        self.context = context

        def table(css):
            return pn.widgets.Tabulator(
                pd.DataFrame(),
                disabled=True,
                show_index=False,
                sizing_mode="stretch_width",
                css_classes=[css],
            )

        self._services, self._drift, self._dead, self._alerts = (
            table("ops-services"),
            table("ops-drift"),
            table("ops-dead-letters"),
            table("ops-alerts"),
        )
        self._charts = [
            LineChart(),
            LineChart(),
            LineChart(),
            LineChart((PSI_WARN, PSI_ALARM)),
            LineChart(),
        ]
        self._pd = PdChart()
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
        frame = window(self.context.ops_history.update(), self.window)
        notices = ([] if self.context.ops_feed.status().live else [text["down"]]) + (
            [] if len(frame) else [text["none"]]
        )
        self._services.value = services_table(frame, self.lang)
        self._drift.value = drift_table(frame, self.lang)
        self._dead.value = pd.DataFrame(
            [
                (
                    r["source_topic"],
                    r["service"],
                    r["reason"],
                    number(r["messages"], self.lang),
                    r["latest"][:19].replace("T", " "),
                )
                for r in self.context.store.dead_letter_reasons()
            ],
            columns=text["dead_columns"],
        )
        alerts = self.context.store.latest_alerts()
        self._notice.object = "\n\n".join([*notices, *loss_notices(alerts, self.lang)])
        self._alerts.value = alerts_table(alerts, self.lang)
        step = bucket(self.window)
        for chart, (title, lines_) in zip(
            self._charts,
            (
                ("throughput", lines(frame, "throughput", "mean", step)),
                ("latency", lines(frame, "p95_ms", "max", step)),
                ("lag", lines(frame, "lag", "max", step)),
                ("drift", drift_lines(frame, step)),
                ("decisions", outcome_lines(frame, step, text["outcomes"])),
            ),
        ):
            chart.show(text[title], lines_)
        self._pd.show(text["pd"], pd_counts(frame, len(PD_BINS) - 1))
        self._decisions.object = decisions_words(frame, self.lang)
        for pane, key in zip(self._titles, ("services", "drift_now", "dead", "alerts")):
            pane.object = f"### {text[key]}"

    def __panel__(self):
        self._refreshing = keep_refreshing(self._refreshing, self.refresh, REFRESH_MS)
        return pn.Column(
            self._choice,
            self._notice,
            self._titles[0],
            self._services,
            pn.Row(*(c.pane for c in self._charts[:2]), sizing_mode="stretch_width"),
            pn.Row(*(c.pane for c in self._charts[2:4]), sizing_mode="stretch_width"),
            pn.Row(self._charts[4].pane, self._pd.pane, sizing_mode="stretch_width"),
            self._decisions,
            self._titles[1],
            self._drift,
            self._titles[3],
            self._alerts,
            self._titles[2],
            self._dead,
            css_classes=["operations"],
        )
