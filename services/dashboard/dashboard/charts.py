"""Bokeh charts for people: colour-blind-safe colours (Okabe-Ito), and never colour alone.

Every chart also has a text alternative (see `alt_*`), shown under it for screen readers and for
people who would rather read.
"""
from __future__ import annotations

from bokeh.models import ColumnDataSource, Label, Span
from bokeh.plotting import figure

from credit.explain.wording import number, percent

BLUE, ORANGE, VERMILION, GREY, SKY = "#0072B2", "#E69F00", "#D55E00", "#999999", "#56B4E9"
WORDS = {"fr": {"granted": "accordé", "near": "zone de vigilance", "refused": "refusé", "client": "ce client",
                "base": "client type", "pd": "probabilité de défaut"},
         "en": {"granted": "granted", "near": "close to the threshold", "refused": "refused", "client": "this client",
                "base": "typical client", "pd": "probability of default"}}


def gauge(pd_: float, threshold: float, band: float, lang: str):
    """The PD on a scale with the granted zone, the band around the threshold and the refused zone."""
    top = max(2.5 * threshold, pd_ * 1.15)
    low, high = threshold * (1 - band), threshold * (1 + band)
    words = WORDS[lang]
    fig = figure(height=130, width=640, x_range=(0, top * 100), y_range=(0, 1), toolbar_location=None,
                 title=f"{words['pd']} (%)")
    for start, end, colour, label in ((0, low, BLUE, words["granted"]), (low, high, ORANGE, words["near"]),
                                      (high, top, VERMILION, words["refused"])):
        fig.quad(left=start * 100, right=end * 100, bottom=0.35, top=0.75, color=colour, alpha=0.55)
        fig.add_layout(Label(x=(start + end) * 50, y=0.8, text=label, text_align="center", text_font_size="10pt"))
    fig.add_layout(Span(location=threshold * 100, dimension="height", line_color="black", line_dash="dashed"))
    fig.scatter([pd_ * 100], [0.2], marker="triangle", size=16, color="black")
    fig.add_layout(Label(x=pd_ * 100, y=0.02, text=f"{words['client']}{' :' if lang == 'fr' else ':'} "
                         f"{percent(pd_, lang, 1)}", text_align="center", text_font_size="10pt"))
    fig.yaxis.visible = False
    fig.ygrid.visible = False
    return fig


def waterfall(base: float, steps: list[tuple[str, float]], lang: str):
    """From the typical client's PD to this client's, one bar per readable group (points in %)."""
    words = WORDS[lang]
    names, starts, ends, colours, texts = [words["base"]], [0.0], [base * 100], [GREY], [percent(base, lang, 1)]
    level = base
    for name, points in steps:
        names.append(name)
        starts.append(level * 100)
        level += points
        ends.append(level * 100)
        colours.append(VERMILION if points > 0 else BLUE)
        texts.append(f"{'▲ +' if points > 0 else '▼ '}{number(points * 100, lang, 1)}")
    names.append(words["client"])
    starts.append(0.0)
    ends.append(level * 100)
    colours.append(GREY)
    texts.append(percent(level, lang, 1))
    source = ColumnDataSource({"name": names, "left": [min(a, b) for a, b in zip(starts, ends)],
                               "right": [max(a, b) for a, b in zip(starts, ends)], "colour": colours, "text": texts})
    fig = figure(y_range=list(reversed(names)), height=40 + 28 * len(names), width=760, toolbar_location=None,
                 title=f"{words['pd']} (%)", tooltips=[("", "@name"), ("", "@text")])
    fig.hbar(y="name", left="left", right="right", height=0.6, color="colour", source=source)
    fig.text(x="right", y="name", text="text", source=source, x_offset=4, text_baseline="middle", text_font_size="9pt")
    return fig


def alt_waterfall(base: float, steps: list[tuple[str, float]], pd_: float, lang: str) -> str:
    words = WORDS[lang]
    lines = [f"| {'étape' if lang == 'fr' else 'step'} | points |", "|---|---:|",
             f"| {words['base']} | {percent(base, lang, 1)} |"]
    lines += [f"| {name} | {'+' if p > 0 else ''}{number(p * 100, lang, 1)} |" for name, p in steps]
    return "\n".join(lines + [f"| {words['client']} | {percent(pd_, lang, 1)} |"])


def distribution(view: dict, label: str, lang: str):
    """Repaid vs defaulted clients over one feature (shares of each group), the client marked."""
    words = {"fr": ("remboursé", "défaut", "ce client"), "en": ("repaid", "defaulted", "this client")}[lang]
    if view["kind"] == "category":
        names = [str(c) for c in view["categories"]]
        fig = figure(x_range=names, height=300, width=760, toolbar_location=None, title=label)
        for counts, colour, hatch, name in ((view["repaid"], BLUE, " ", words[0]),
                                           (view["defaulted"], VERMILION, "/", words[1])):
            fig.vbar(x=names, top=_shares(counts), width=0.7, color=colour, alpha=0.45, hatch_pattern=hatch,
                     legend_label=name)
        fig.xaxis.major_label_orientation = 0.8
        return fig
    edges = view["edges"]
    fig = figure(height=300, width=760, toolbar_location=None, title=label)
    for counts, colour, hatch, name in ((view["repaid"], BLUE, " ", words[0]), (view["defaulted"], VERMILION, "/", words[1])):
        fig.quad(left=edges[:-1], right=edges[1:], bottom=0, top=_shares(counts), color=colour, alpha=0.45,
                 hatch_pattern=hatch, legend_label=name)
    if view.get("value") is not None:
        fig.add_layout(Span(location=float(view["value"]), dimension="height", line_color="black", line_width=3))
        fig.add_layout(Label(x=float(view["value"]), y=0, text=words[2], text_font_size="10pt", x_offset=4))
    return fig


def _shares(counts) -> list[float]:
    total = max(sum(counts), 1)
    return [c / total for c in counts]


def scatter(x, y, pd_, client: tuple, labels: tuple[str, str], lang: str):
    """Reference clients on two features, coloured by PD (cividis: readable with any colour vision)."""
    from bokeh.transform import linear_cmap

    source = ColumnDataSource({"x": x, "y": y, "pd": [p * 100 for p in pd_]})
    fig = figure(height=420, width=760, toolbar_location=None, x_axis_label=labels[0], y_axis_label=labels[1],
                 tooltips=[("PD %", "@pd{0.0}")])
    mapper = linear_cmap("pd", "Cividis256", 0, max(max(source.data["pd"], default=1), 1))
    dots = fig.scatter("x", "y", source=source, size=4, alpha=0.5, color=mapper)
    fig.add_layout(dots.construct_color_bar(title="PD %"), "right")
    if None not in client:
        fig.scatter([client[0]], [client[1]], marker="star", size=22, color=VERMILION, line_color="black")
        fig.add_layout(Label(x=client[0], y=client[1], text=WORDS[lang]["client"], x_offset=10, text_font_size="11pt"))
    return fig
