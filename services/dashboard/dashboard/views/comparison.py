"""Page 3, comparison: the client against all clients and against the K most similar ones."""

from __future__ import annotations

import numpy as np
import panel as pn
import param

from credit.compare import main_groups, value_of
from credit.explain.dictionary import category_label, groups, unit
from credit.explain.wording import format_value, number, percent
from credit.similarity import derive
from dashboard import charts
from dashboard.catalogue import words
from dashboard.formats import points
from dashboard.state import ClientPage

TEXT = words("comparison")
FEATURES = list(
    TEXT["fr"]["features"]
)  # the features a relationship manager can compare on (labels in the catalogue)
SCATTER_SAMPLE = (
    2000  # enough to see the shape; 3,000 brought the comparison page near 1 s in Chromium here
)


class Comparison(ClientPage, pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])
    k = param.Integer(default=50, bounds=(5, 500))
    feature = param.Selector(default="AGE_YEARS", objects=FEATURES)
    x = param.Selector(default="AGE_YEARS", objects=FEATURES[:6])
    y = param.Selector(default="AMT_CREDIT", objects=FEATURES[:6])

    def __init__(self, context, client, **params):
        super().__init__(client=client, **params)
        self.context = context
        self._sample = context.population.sample(SCATTER_SAMPLE)
        # Charts drawn once per feature choice; a new client only moves its marker (see
        # charts.Gauge).
        self._distribution_pane, self._scatter_pane = pn.pane.Bokeh(), pn.pane.Bokeh()
        self._distribution_text = pn.pane.Markdown(
            "", css_classes=["chart-text", "distribution-text"]
        )
        self._scatter_text = pn.pane.Markdown("", css_classes=["chart-text", "scatter-text"])
        self._draw_distribution()
        self._draw_scatter()

    def _raw(self) -> dict | None:
        """The client's application as submitted, field -> value (None: no file, or its application
        not arrived)."""
        application = self.file and self.file.application
        return application.model_dump() if application else None

    @param.depends("file", "lang", "k")
    def _similar(self):
        raw = self._raw()
        if raw is None:
            return pn.pane.Markdown(TEXT[self.lang]["none"])
        decision, explanation = self.file.decision, self.file.explanation
        text, population = TEXT[self.lang], self.context.population
        everyone = population.describe(np.ones(len(population), bool))
        similar = population.similar(raw, self.k)
        on = ", ".join(f.label[self.lang].lower() for f in similar.features)
        pct = lambda share: percent(share, self.lang, 1)  # noqa: E731
        lines = [
            text["all"].format(
                n=number(everyone["clients"], self.lang),
                rate=pct(everyone["default_rate"]),
                share=percent(
                    round(population.percentile(decision.probability_of_default)) / 100,
                    self.lang,
                    0,
                ),
            ),
            text["similar"].format(
                k=similar.k,
                on=on,
                rate=pct(similar.default_rate),
                pd=pct(decision.probability_of_default),
                mean=pct(similar.mean_pd),
            ),
        ]
        return pn.Column(
            pn.pane.Markdown("\n\n".join(lines), css_classes=["similar"]),
            pn.pane.Markdown(
                self._groups_table(similar, explanation), css_classes=["similar-groups"]
            ),
        )

    def _groups_table(self, similar, explanation) -> str:
        labels = {g.id: g.label[self.lang] for g in groups()}
        theirs = dict(main_groups(self.context.contributions.iloc[similar.index], top=28))
        mine = {c.group: c.points for c in explanation.contributions} if explanation else {}
        shown = list(mine)[:3] + [
            g for g, _ in main_groups(self.context.contributions.iloc[similar.index])
        ]
        rows = [
            f"| {labels[g]} | {points(mine.get(g, 0), self.lang)} "
            f"| {points(theirs.get(g, 0), self.lang)} |"
            for g in dict.fromkeys(shown)
        ]
        return "\n".join([TEXT[self.lang]["groups"], "|---|---:|---:|", *rows])

    @param.depends("feature", "lang", watch=True)
    def _draw_distribution(self) -> None:
        """A new chart only for a new feature; a new client only moves the marker."""
        view = self.context.population.distribution(self.feature)
        names = (
            [self._shown(self.feature, c) for c in view["categories"]]
            if view["kind"] == "category"
            else None
        )
        self._distribution = charts.Distribution(view, self._label(self.feature), self.lang, names)
        self._distribution_pane.object = self._distribution.figure
        self._mark_distribution()

    @param.depends("file", watch=True)
    def _mark(self) -> None:
        """Another client: both markers move."""
        self._mark_distribution()
        self._mark_scatter()

    @charts.moves_charts
    def _mark_distribution(self) -> None:
        raw = self._raw()
        value = value_of(raw, self.feature) if raw else None
        self._distribution.mark(value)
        p = self.context.population.distribution(self.feature, value).get("percentile")
        text, shown = TEXT[self.lang], self._shown(self.feature, value)
        self._distribution_text.object = (
            text["where_category"].format(v=shown)
            if p is None
            else text["where"].format(v=shown, share=percent(round(p) / 100, self.lang, 0))
        )

    @param.depends("x", "y", "lang", watch=True)
    def _draw_scatter(self) -> None:
        xs, ys = (derive(self._sample, f).tolist() for f in (self.x, self.y))
        self._scatter = charts.Scatter(
            xs, ys, self._sample["PD"].tolist(), self._axis_labels(), self.lang
        )
        self._scatter_pane.object = self._scatter.figure
        self._mark_scatter()

    @charts.moves_charts
    def _mark_scatter(self) -> None:
        raw = self._raw()
        point = (value_of(raw, self.x), value_of(raw, self.y)) if raw else (None, None)
        self._scatter.mark(point)
        text = TEXT[self.lang]
        shown = text["separator"].join(self._shown(f, v) for f, v in zip((self.x, self.y), point))
        x, y = self._axis_labels()
        self._scatter_text.object = text["scatter"].format(
            n=number(len(self._sample), self.lang), x=x, y=y, client=shown
        )

    def _axis_labels(self) -> tuple[str, str]:
        return self._label(self.x), self._label(self.y)

    def _label(self, feature: str) -> str:
        return TEXT[self.lang]["features"][feature]

    def _shown(self, feature: str, value) -> str:
        """A client's value in words: a category by its name, a number with its unit (an amount with
        its currency)."""
        if isinstance(value, str):
            return category_label(feature, value, self.lang)
        return format_value(value, unit(feature), self.lang)

    def _chooser(self, name: str, title: str):
        """A select showing readable names for one of the feature params."""
        options = {self._label(f): f for f in self.param[name].objects}
        widget = pn.widgets.Select(
            name=title, options=options, value=getattr(self, name), width=260
        )
        widget.link(self, value=name)
        return widget

    def __panel__(self):
        text = TEXT[self.lang]
        # Bokeh writes "<title>: <value>"; the French title ends with a no-break space: "…
        # similaires : 50"
        slider = pn.widgets.IntSlider.from_param(
            self.param.k, name=text["k"], css_classes=["k-slider"]
        )
        return pn.Column(
            slider,
            self._similar,
            self._chooser("feature", text["feature"]),
            self._distribution_pane,
            self._distribution_text,
            pn.Row(self._chooser("x", text["x"]), self._chooser("y", text["y"])),
            self._scatter_pane,
            self._scatter_text,
        )
