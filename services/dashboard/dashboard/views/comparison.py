"""Page 3, comparison: the client against all clients and against the K most similar ones."""
from __future__ import annotations

import numpy as np
import panel as pn
import param

from credit.compare import main_groups, value_of
from credit.explain.dictionary import groups
from credit.explain.wording import number, percent
from credit.similarity import derive
from dashboard import charts

FEATURES = {"AGE_YEARS": ("Âge (ans)", "Age (years)"), "AMT_INCOME_TOTAL": ("Revenu annuel", "Annual income"),
            "AMT_CREDIT": ("Montant du crédit", "Loan amount"), "AMT_ANNUITY": ("Échéance", "Repayment"),
            "EMPLOYED_YEARS": ("Ancienneté dans l'emploi (ans)", "Years in current job"),
            "EXT_SOURCE_2": ("Score externe n°2", "External score 2"), "CNT_CHILDREN": ("Enfants", "Children"),
            "NAME_EDUCATION_TYPE": ("Niveau d'études", "Education"),
            "NAME_FAMILY_STATUS": ("Situation familiale", "Family status")}
SCATTER_SAMPLE = 2000  # enough to see the shape; 3,000 brought the comparison page near 1 s in Chromium here
TEXT = {
    "fr": {"none": "Ouvrez d'abord un dossier client (numéro ci-dessus).", "k": "Nombre de clients similaires",
           "similar": "Parmi les **{k} clients les plus proches** ({on}), **{rate}** ont fait défaut ; "
                      "la probabilité de défaut de ce client est de **{pd}** (moyenne de ces clients : {mean}).",
           "all": "Ensemble des clients : {n} clients, {rate} ont fait défaut ; ce client a une probabilité "
                  "de défaut plus élevée que {p:.0f} % d'entre eux.",
           "groups": "| facteurs principaux | ce client | clients similaires (moyenne) |", "feature": "Caractéristique",
           "x": "Axe horizontal", "y": "Axe vertical", "where": "Ce client : {v} (percentile {p}).",
           "scatter": "{n} clients tirés au hasard selon {x} et {y}, couleur selon la probabilité de défaut ; "
                      "ce client (étoile) : {client}."},
    "en": {"none": "Open a client file first (number above).", "k": "Number of similar clients",
           "similar": "Of the **{k} most similar clients** ({on}), **{rate}** defaulted; this client's "
                      "probability of default is **{pd}** (their mean: {mean}).",
           "all": "All clients: {n} clients, {rate} defaulted; this client's probability of default is "
                  "higher than {p:.0f}% of theirs.",
           "groups": "| main factors | this client | similar clients (mean) |", "feature": "Characteristic",
           "x": "Horizontal axis", "y": "Vertical axis", "where": "This client: {v} (percentile {p}).",
           "scatter": "{n} clients drawn at random by {x} and {y}, coloured by probability of default; "
                      "this client (star): {client}."},
}


class Comparison(pn.viewable.Viewer):
    client_id = param.Integer(default=None, allow_None=True)
    lang = param.Selector(default="fr", objects=["fr", "en"])
    k = param.Integer(default=50, bounds=(5, 500))
    feature = param.Selector(default="AGE_YEARS", objects=list(FEATURES))
    x = param.Selector(default="AGE_YEARS", objects=list(FEATURES)[:6])
    y = param.Selector(default="AMT_CREDIT", objects=list(FEATURES)[:6])

    def __init__(self, context, **params):
        super().__init__(**params)
        self.context = context
        self._sample = context.population.sample(SCATTER_SAMPLE)
        # Charts drawn once per feature choice; a new client only moves its marker (see charts.Gauge).
        self._distribution_pane, self._scatter_pane = pn.pane.Bokeh(), pn.pane.Bokeh()
        self._distribution_text = pn.pane.Markdown("", css_classes=["chart-text", "distribution-text"])
        self._scatter_text = pn.pane.Markdown("", css_classes=["chart-text", "scatter-text"])
        self._draw_distribution()
        self._draw_scatter()

    def _client(self):
        found = self.client_id is not None and self.context.store.client_file(self.client_id)
        return (found["application"].model_dump(), found["decision"], found["explanation"]) if found else None

    @param.depends("client_id", "lang", "k")
    def _similar(self):
        client = self._client()
        if client is None:
            return pn.pane.Markdown(TEXT[self.lang]["none"])
        raw, decision, explanation = client
        text, population = TEXT[self.lang], self.context.population
        everyone = population.describe(np.ones(len(population), bool))
        similar = population.similar(raw, self.k)
        on = ", ".join(f.label[self.lang].lower() for f in similar.features)
        pct = lambda share: percent(share, self.lang, 1)  # noqa: E731
        lines = [text["all"].format(n=number(everyone["clients"], self.lang), rate=pct(everyone["default_rate"]),
                                    p=population.percentile(decision.probability_of_default)),
                 text["similar"].format(k=similar.k, on=on, rate=pct(similar.default_rate),
                                        pd=pct(decision.probability_of_default), mean=pct(similar.mean_pd))]
        return pn.Column(pn.pane.Markdown("\n\n".join(lines), css_classes=["similar"]),
                         pn.pane.Markdown(self._groups_table(similar, explanation), css_classes=["similar-groups"]))

    def _groups_table(self, similar, explanation) -> str:
        labels = {g.id: g.label[self.lang] for g in groups()}
        theirs = dict(main_groups(self.context.contributions.iloc[similar.index], top=28))
        mine = {c.group: c.points for c in explanation.contributions} if explanation else {}
        shown = list(mine)[:3] + [g for g, _ in main_groups(self.context.contributions.iloc[similar.index])]
        rows = [f"| {labels[g]} | {mine.get(g, 0) * 100:+.1f} pts | {theirs.get(g, 0) * 100:+.1f} pts |"
                for g in dict.fromkeys(shown)]
        return "\n".join([TEXT[self.lang]["groups"], "|---|---:|---:|", *rows])

    @param.depends("feature", "lang", watch=True)
    def _draw_distribution(self) -> None:
        """A new chart only for a new feature; a new client only moves the marker."""
        label = FEATURES[self.feature][0 if self.lang == "fr" else 1]
        self._distribution = charts.Distribution(self.context.population.distribution(self.feature), label, self.lang)
        self._distribution_pane.object = self._distribution.figure
        self._mark_distribution()

    @param.depends("client_id", watch=True)
    @charts.moves_charts
    def _mark_distribution(self) -> None:
        client = self._client()
        value = value_of(client[0], self.feature) if client else None
        self._distribution.mark(value)
        p = self.context.population.distribution(self.feature, value).get("percentile")
        shown = value if value is None or isinstance(value, str) else number(float(value), self.lang, 1)
        self._distribution_text.object = TEXT[self.lang]["where"].format(v=shown, p="—" if p is None else f"{p:.0f}")

    @param.depends("x", "y", "lang", watch=True)
    def _draw_scatter(self) -> None:
        xs, ys = (derive(self._sample, f).tolist() for f in (self.x, self.y))
        self._scatter = charts.Scatter(xs, ys, self._sample["PD"].tolist(), self._axis_labels(), self.lang)
        self._scatter_pane.object = self._scatter.figure
        self._mark_scatter()

    @param.depends("client_id", watch=True)
    @charts.moves_charts
    def _mark_scatter(self) -> None:
        client = self._client()
        point = (value_of(client[0], self.x), value_of(client[0], self.y)) if client else (None, None)
        self._scatter.mark(point)
        shown = ", ".join("—" if v is None or isinstance(v, str) else number(float(v), self.lang, 1) for v in point)
        x, y = self._axis_labels()
        self._scatter_text.object = TEXT[self.lang]["scatter"].format(n=len(self._sample), x=x, y=y, client=shown)

    def _axis_labels(self) -> tuple[str, str]:
        return tuple(FEATURES[f][0 if self.lang == "fr" else 1] for f in (self.x, self.y))

    def _chooser(self, name: str, title: str):
        """A select showing readable names for one of the feature params."""
        options = {FEATURES[f][0 if self.lang == "fr" else 1]: f for f in self.param[name].objects}
        widget = pn.widgets.Select(name=title, options=options, value=getattr(self, name), width=260)
        widget.link(self, value=name)
        return widget

    def __panel__(self):
        text = TEXT[self.lang]
        slider = pn.widgets.IntSlider.from_param(self.param.k, name=text["k"], css_classes=["k-slider"])
        return pn.Column(slider, self._similar, self._chooser("feature", text["feature"]), self._distribution_pane,
                         self._distribution_text, pn.Row(self._chooser("x", text["x"]), self._chooser("y", text["y"])),
                         self._scatter_pane, self._scatter_text)
