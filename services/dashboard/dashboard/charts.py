"""Bokeh charts for people: colour-blind-safe colours (Okabe-Ito), and never colour alone.

Every chart also has a text alternative (see `alt_*`), shown under it for screen readers and for
people who would rather read.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from bokeh.models import (
    ColumnDataSource,
    CustomJSHover,
    CustomJSTickFormatter,
    DatetimeTickFormatter,
    FactorRange,
    Label,
    Range1d,
    Span,
)
from bokeh.plotting import figure
from panel.io import unlocked

from credit.explain.wording import percent
from dashboard import formats
from dashboard.catalogue import words

BLUE, ORANGE, VERMILION, GREY, SKY = "#0072B2", "#E69F00", "#D55E00", "#999999", "#56B4E9"
WORDS = words("charts")
LOCALES = {"fr": "fr-FR", "en": "en-GB"}  # the browser writes axis numbers: "1 234,5" or "1,234.5"
SHORTEST_TIME_AXIS = timedelta(
    minutes=2
)  # so that a single point has an axis of clock times around it


def moves_charts(method):
    """For a view method that changes charts in place: send the changes as Panel sends its own.

    Panel processes button clicks without the document lock, and Bokeh refuses a chart changed
    without it; Panel's `unlocked` collects the changes and writes them to the page itself.
    """

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with unlocked():
            return method(self, *args, **kwargs)

    return run


def numbers_axis(axis, lang: str) -> None:
    """An axis's numbers written the language's way (Bokeh's own ticks are English: "0.15",
    "1234.5")."""
    axis.formatter = CustomJSTickFormatter(
        args={"locale": LOCALES[lang]},
        code="return tick.toLocaleString(locale, {maximumFractionDigits: 6})",
    )


def locale_hover(lang: str, decimals: int = 1) -> CustomJSHover:
    """A tooltip's number written the language's way (Bokeh's own "{0.0}" formats are English)."""
    return CustomJSHover(
        args={"locale": LOCALES[lang], "decimals": decimals},
        code="return value.toLocaleString(locale, {minimumFractionDigits: decimals, "
        "maximumFractionDigits: decimals})",
    )


def percent_axis(axis, lang: str) -> None:
    """An axis of shares (0-1) written as percentages the language's way: "12 %" or "12%"."""
    axis.formatter = CustomJSTickFormatter(
        args={"locale": LOCALES[lang]},
        code="return (tick * 100).toLocaleString(locale, {maximumFractionDigits: 1})"
        " + (locale.startsWith('fr') ? '\u00a0%' : '%')",
    )


def time_axis(fig) -> None:
    """A time axis the same in both languages, like the tables' times: 24-hour clock times, the ISO
    date under the first tick, and at least SHORTEST_TIME_AXIS shown (one point is not a microsecond
    wide)."""
    clock, date = (
        {
            "microseconds": "%H:%M:%S",
            "milliseconds": "%H:%M:%S",
            "seconds": "%H:%M:%S",
            "minsec": "%H:%M:%S",
            "minutes": "%H:%M",
            "hourmin": "%H:%M",
            "hours": "%H:%M",
        },
        "%Y-%m-%d",
    )
    fig.xaxis.formatter = DatetimeTickFormatter(
        **clock,
        days=date,
        months="%Y-%m",
        years="%Y",
        context_which="start",
        context=DatetimeTickFormatter(**dict.fromkeys(clock, date), days="", months="", years=""),
    )
    fig.x_range.min_interval = SHORTEST_TIME_AXIS


class Gauge:
    """The PD on a scale with the granted zone, the band around the threshold and the refused zone.

    Built once per page and moved for each client, like the other charts here: changing a chart's
    data costs the browser a few ms, drawing a new chart hundreds.
    """

    def __init__(self, lang: str):
        self.words = WORDS[lang]
        self.lang = lang
        self.zones = ColumnDataSource(
            {"left": [], "right": [], "middle": [], "colour": [], "label": []}
        )
        self.client = ColumnDataSource({"x": [], "text": [], "align": []})
        fig = figure(
            height=130,
            width=640,
            x_range=(0, 1),
            y_range=(0, 1),
            toolbar_location=None,
            title=self.words["pd_percent"],
        )
        fig.quad(
            left="left",
            right="right",
            bottom=0.35,
            top=0.75,
            color="colour",
            alpha=0.55,
            source=self.zones,
        )
        fig.text(
            x="middle",
            y=0.8,
            text="label",
            text_align="center",
            text_font_size="10pt",
            source=self.zones,
        )
        self.threshold = Span(
            location=0, dimension="height", line_color="black", line_dash="dashed"
        )
        fig.add_layout(self.threshold)
        # the marker just under the bar, the client's words under the marker (not across it)
        fig.scatter(x="x", y=0.25, marker="triangle", size=14, color="black", source=self.client)
        fig.text(
            x="x",
            y=0.0,
            text="text",
            text_align="align",
            text_baseline="bottom",
            text_font_size="10pt",
            source=self.client,
        )
        numbers_axis(fig.xaxis, lang)
        fig.yaxis.visible = False
        fig.ygrid.visible = False
        self.figure = fig

    def show(self, pd_: float, threshold: float, band: float):
        top = max(2.5 * threshold, pd_ * 1.15)
        low, high = threshold * (1 - band), threshold * (1 + band)
        zones = (
            (0, low, BLUE, "granted"),
            (low, high, ORANGE, "near"),
            (high, top, VERMILION, "refused"),
        )
        self.figure.x_range.update(start=0, end=top * 100)
        self.zones.data = {
            "left": [a * 100 for a, *_ in zones],
            "right": [b * 100 for _, b, *_ in zones],
            "middle": [(a + b) * 50 for a, b, *_ in zones],
            "colour": [c for *_, c, _ in zones],
            "label": [self.words[w] for *_, w in zones],
        }
        self.threshold.location = threshold * 100
        # the client's words stay inside the chart: written leftwards near the right end, rightwards
        # near the left
        align = "right" if pd_ > 0.75 * top else "left" if pd_ < 0.25 * top else "center"
        self.client.data = {
            "x": [pd_ * 100],
            "text": [self.words["client_pd"].format(pd=percent(pd_, self.lang, 1))],
            "align": [align],
        }
        return self.figure


class Waterfall:
    """From the typical client's PD to this client's, one bar per readable group (points in %)."""

    def __init__(self, lang: str, rows: int):
        self.words = WORDS[lang]
        self.lang = lang
        self.source = ColumnDataSource(
            {"name": [], "left": [], "right": [], "colour": [], "text": []}
        )
        fig = figure(
            y_range=FactorRange(),
            x_range=Range1d(0, 1),
            height=40 + 28 * rows,
            width=760,
            toolbar_location=None,
            title=self.words["pd_percent"],
            tooltips=[("", "@name"), ("", "@text")],
        )
        fig.hbar(
            y="name", left="left", right="right", height=0.6, color="colour", source=self.source
        )
        fig.text(
            x="right",
            y="name",
            text="text",
            source=self.source,
            x_offset=4,
            text_baseline="middle",
            text_font_size="9pt",
        )
        numbers_axis(fig.xaxis, lang)
        self.figure = fig

    def show(self, base: float, steps: list[tuple[str, float]]):
        lang, words = self.lang, self.words
        names, starts, ends, colours, texts = (
            [words["base"]],
            [0.0],
            [base * 100],
            [GREY],
            [percent(base, lang, 1)],
        )
        level = base
        for name, points in steps:
            names.append(name)
            starts.append(level * 100)
            level += points
            ends.append(level * 100)
            colours.append(VERMILION if points > 0 else BLUE)
            texts.append(f"{'▲' if points > 0 else '▼'} {formats.points(points, lang)}")
        names.append(words["client"])
        starts.append(0.0)
        ends.append(level * 100)
        colours.append(GREY)
        texts.append(percent(level, lang, 1))
        self.figure.y_range.factors = list(reversed(names))
        # room on the right for the words after the longest bar (about a fifth of the plot), so none
        # is cut off
        self.figure.x_range.update(start=0, end=max(max(ends), max(starts)) * 1.25)
        self.source.data = {
            "name": names,
            "left": [min(a, b) for a, b in zip(starts, ends)],
            "right": [max(a, b) for a, b in zip(starts, ends)],
            "colour": colours,
            "text": texts,
        }
        return self.figure


def alt_waterfall(base: float, steps: list[tuple[str, float]], pd_: float, lang: str) -> str:
    words = WORDS[lang]
    lines = [
        f"| {words['step']} | {words['points']} |",
        "|---|---:|",
        f"| {words['base']} | {percent(base, lang, 1)} |",
    ]
    lines += [f"| {name} | {formats.points(p, lang)} |" for name, p in steps]
    return "\n".join(lines + [f"| {words['client']} | {percent(pd_, lang, 1)} |"])


class Distribution:
    """Repaid vs defaulted clients over one feature (shares of each group), the client marked."""

    def __init__(self, view: dict, label: str, lang: str, categories: list[str] | None = None):
        """`categories`: the readable names of a category feature's values, in the view's order."""
        words = WORDS[lang]
        bars = (
            (view["repaid"], BLUE, " ", words["repaid"]),
            (view["defaulted"], VERMILION, "/", words["defaulted"]),
        )
        if view["kind"] == "category":
            names = categories or [str(c) for c in view["categories"]]
            fig = figure(x_range=names, height=300, width=760, toolbar_location=None, title=label)
            for counts, colour, hatch, name in bars:
                fig.vbar(
                    x=names,
                    top=_shares(counts),
                    width=0.7,
                    color=colour,
                    alpha=0.45,
                    hatch_pattern=hatch,
                    legend_label=name,
                )
            fig.xaxis.major_label_orientation = 0.8
        else:
            edges = view["edges"]
            fig = figure(height=300, width=760, toolbar_location=None, title=label)
            for counts, colour, hatch, name in bars:
                fig.quad(
                    left=edges[:-1],
                    right=edges[1:],
                    bottom=0,
                    top=_shares(counts),
                    color=colour,
                    alpha=0.45,
                    hatch_pattern=hatch,
                    legend_label=name,
                )
            numbers_axis(fig.xaxis, lang)
        percent_axis(fig.yaxis, lang)
        fig.yaxis.axis_label = words["share"]
        self.line = Span(
            location=0, dimension="height", line_color="black", line_width=3, visible=False
        )
        self.label = Label(
            x=0, y=0, text=words["client"], text_font_size="10pt", x_offset=4, visible=False
        )
        fig.add_layout(self.line)
        fig.add_layout(self.label)
        self.numeric = view["kind"] != "category"
        self.figure = fig

    def mark(self, value) -> None:
        """The client's value as a line (numbers; categories are said in the text alternative)."""
        shown = self.numeric and value is not None
        if shown:
            self.line.location = self.label.x = float(value)
        self.line.visible = self.label.visible = shown


def _shares(counts) -> list[float]:
    total = max(sum(counts), 1)
    return [c / total for c in counts]


class Scatter:
    """Reference clients on two features, coloured by PD (cividis: readable with any colour
    vision)."""

    def __init__(self, x, y, pd_, labels: tuple[str, str], lang: str):
        from bokeh.transform import linear_cmap

        source = ColumnDataSource({"x": x, "y": y, "pd": [p * 100 for p in pd_]})
        self.words = WORDS[lang]
        title = self.words["pd_percent"]
        fig = figure(
            height=420,
            width=760,
            toolbar_location=None,
            x_axis_label=labels[0],
            y_axis_label=labels[1],
            tooltips=[(labels[0], "@x{custom}"), (labels[1], "@y{custom}"), (title, "@pd{custom}")],
        )
        fig.hover.formatters = {
            "@x": locale_hover(lang),
            "@y": locale_hover(lang),
            "@pd": locale_hover(lang),
        }
        mapper = linear_cmap("pd", "Cividis256", 0, max(max(source.data["pd"], default=1), 1))
        dots = fig.scatter("x", "y", source=source, size=4, alpha=0.5, color=mapper)
        bar = dots.construct_color_bar(title=title)
        numbers_axis(bar, lang)
        fig.add_layout(bar, "right")
        numbers_axis(fig.xaxis, lang)
        numbers_axis(fig.yaxis, lang)
        self.client = ColumnDataSource({"x": [], "y": [], "text": []})
        fig.scatter(
            "x",
            "y",
            source=self.client,
            marker="star",
            size=22,
            color=VERMILION,
            line_color="black",
        )
        fig.text("x", "y", text="text", source=self.client, x_offset=10, text_font_size="11pt")
        self.figure = fig

    def mark(self, point: tuple) -> None:
        shown = None not in point and not any(isinstance(v, str) for v in point)
        self.client.data = (
            {"x": [point[0]], "y": [point[1]], "text": [self.words["client"]]}
            if shown
            else {"x": [], "y": [], "text": []}
        )
