"""Page 2, client information: the identity card, and segment filters to choose which clients to
look at."""

from __future__ import annotations

import panel as pn
import param

from credit.explain.wording import number, percent
from dashboard.card import SECTIONS, client_card, section_title
from dashboard.catalogue import words
from dashboard.state import ClientPage

ALL = "*"  # the "all clients" choice of a segment filter
TEXT = words("client_info")


class ClientInfo(ClientPage, pn.viewable.Viewer):
    # its card and segment take some 30 ms a file; caught up when shown, the tab waited longer
    follows_hidden = True
    lang = param.Selector(default="fr", objects=["fr", "en"])
    sections = param.ListSelector(default=list(SECTIONS), objects=list(SECTIONS))
    filters = param.Dict(default={}, doc="segment filter key -> chosen value (None: all)")

    def __init__(self, context, client, **params):
        super().__init__(client=client, **params)
        self.context = context

    @param.depends("file", "lang", "sections")
    def _card(self):
        if not self.file:
            return pn.pane.Markdown(TEXT[self.lang]["none"])
        decision = self.file.decision
        card = client_card(
            self.context.bundle.features,
            decision.features,
            self.context.bundle.vocabularies,
            self.lang,
            [s for s in SECTIONS if s in self.sections],
        )
        tables = [
            f"### {title}\n\n| | |\n|---|---|\n"
            + "\n".join(f"| {f.label} | {f.value} |" for f in fields)
            for title, fields in card
        ]
        return pn.pane.Markdown("\n\n".join(tables), css_classes=["client-card"])

    @param.depends("file", "lang", "filters")
    def _segment(self):
        population = self.context.population
        stats = population.describe(
            population.segment({k: v for k, v in self.filters.items() if v is not None})
        )
        if not stats["clients"]:
            return pn.pane.Markdown(TEXT[self.lang]["empty"], css_classes=["segment"])
        pct = lambda share: percent(share, self.lang, 1)  # noqa: E731
        mine = pct(self.file.decision.probability_of_default) if self.file else "—"
        return pn.pane.Markdown(
            TEXT[self.lang]["segment"].format(
                n=number(stats["clients"], self.lang),
                rate=pct(stats["default_rate"]),
                mean=pct(stats["mean_pd"]),
                pd=mine,
            ),
            css_classes=["segment"],
        )

    def _filter_widgets(self):
        widgets = []
        for option in self.context.population.segment_options(self.lang):
            choices = {
                TEXT[self.lang]["all"]: ALL,
                **{label: value for value, label in option.options},
            }
            widget = pn.widgets.Select(
                name=option.label,
                options=choices,
                value=_shown(self.filters.get(option.key)),
                width=220,
                css_classes=[f"filter-{option.key}"],
            )
            widget.param.watch(lambda event, key=option.key: self._choose(key, event.new), "value")
            widgets.append(widget)
        return widgets

    def _choose(self, key: str, value) -> None:
        self.filters = {**self.filters, key: None if value == ALL else value}

    def __panel__(self):
        labels = {section_title(s, self.lang): s for s in SECTIONS}
        chooser = pn.widgets.CheckBoxGroup(
            name=TEXT[self.lang]["sections"], options=labels, value=self.sections, inline=True
        )
        chooser.link(self, value="sections")
        return pn.Column(
            chooser, pn.Row(pn.Column(*self._filter_widgets()), self._segment), self._card
        )


def _shown(value):
    return ALL if value is None else value
