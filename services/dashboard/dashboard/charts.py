"""Bokeh charts for people: colour-blind-safe colours (Okabe-Ito), and never colour alone.

Every chart also has a text alternative (see `alt_*`), shown under it for screen readers and for
people who would rather read.
"""
from __future__ import annotations

from bokeh.models import ColumnDataSource, Label, Span
from bokeh.plotting import figure

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
    fig.add_layout(Label(x=pd_ * 100, y=0.02, text=f"{words['client']} : {pd_:.1%}" if lang == "fr"
                         else f"{words['client']}: {pd_:.1%}", text_align="center", text_font_size="10pt"))
    fig.yaxis.visible = False
    fig.ygrid.visible = False
    return fig


def waterfall(base: float, steps: list[tuple[str, float]], lang: str):
    """From the typical client's PD to this client's, one bar per readable group (points in %)."""
    words = WORDS[lang]
    names, starts, ends, colours, texts = [words["base"]], [0.0], [base * 100], [GREY], [f"{base:.1%}"]
    level = base
    for name, points in steps:
        names.append(name)
        starts.append(level * 100)
        level += points
        ends.append(level * 100)
        colours.append(VERMILION if points > 0 else BLUE)
        texts.append(f"{'▲ +' if points > 0 else '▼ '}{points * 100:.1f}")
    names.append(words["client"])
    starts.append(0.0)
    ends.append(level * 100)
    colours.append(GREY)
    texts.append(f"{level:.1%}")
    source = ColumnDataSource({"name": names, "left": [min(a, b) for a, b in zip(starts, ends)],
                               "right": [max(a, b) for a, b in zip(starts, ends)], "colour": colours, "text": texts})
    fig = figure(y_range=list(reversed(names)), height=40 + 28 * len(names), width=760, toolbar_location=None,
                 title=f"{words['pd']} (%)", tooltips=[("", "@name"), ("", "@text")])
    fig.hbar(y="name", left="left", right="right", height=0.6, color="colour", source=source)
    fig.text(x="right", y="name", text="text", source=source, x_offset=4, text_baseline="middle", text_font_size="9pt")
    return fig


def alt_waterfall(base: float, steps: list[tuple[str, float]], pd_: float, lang: str) -> str:
    words = WORDS[lang]
    lines = [f"| {'étape' if lang == 'fr' else 'step'} | points |", "|---|---:|", f"| {words['base']} | {base:.1%} |"]
    lines += [f"| {name} | {'+' if p > 0 else ''}{p * 100:.1f} |" for name, p in steps]
    return "\n".join(lines + [f"| {words['client']} | {pd_:.1%} |"])
