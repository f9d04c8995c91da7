"""Page 1, the client file: the PD on a gauge, the decision in words, standing, reasons, waterfall."""
from __future__ import annotations

import panel as pn
import param

from credit.decision import NEAR_BAND, near_threshold
from credit.explain.dictionary import groups
from credit.explain.wording import percent
from dashboard import charts

TEXT = {
    "fr": {"find": "Numéro de client", "open": "Ouvrir le dossier", "none": "Aucune demande décidée pour ce client.",
           "granted": "✔ Demande accordée", "refused": "✘ Demande refusée", "waiting": "Explication en cours de calcul…",
           "standing": "Ce client a une probabilité de défaut plus élevée que {p:.0f} % de l'ensemble des clients.",
           "reasons": "Les raisons", "raises": "▲ augmente le risque", "lowers": "▼ réduit le risque",
           "others": "autres facteurs", "how": "De la probabilité d'un client type à celle de ce client",
           "gauge": "Probabilité de défaut : {pd} ; seuil de refus : {threshold} ; zone de vigilance de {low} à {high}.",
           "recent": "Ou choisir parmi les dernières demandes", "kinds": {"toutes": "all", "refusées": "refused",
                                                                        "proches du seuil": "near"}},
    "en": {"find": "Client number", "open": "Open the file", "none": "No decided application for this client.",
           "granted": "✔ Application granted", "refused": "✘ Application refused", "waiting": "Explanation on its way…",
           "standing": "This client's probability of default is higher than {p:.0f}% of all clients'.",
           "reasons": "The reasons", "raises": "▲ raises the risk", "lowers": "▼ lowers the risk",
           "others": "other factors", "how": "From a typical client's probability to this client's",
           "gauge": "Probability of default: {pd}; refusal threshold: {threshold}; close-to-threshold band {low} to {high}.",
           "recent": "Or pick among the latest applications", "kinds": {"all": "all", "refused": "refused",
                                                                       "close to the threshold": "near"}},
}
WATERFALL_STEPS = 8  # the largest groups; the rest are summed as "other factors"


class ClientFile(pn.viewable.Viewer):
    client_id = param.Integer(default=None, allow_None=True, doc="the client whose file is open")
    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, context, user: str, **params):
        super().__init__(**params)
        self.context, self.user = context, user

    def open(self, client_id: int) -> None:
        self.client_id = client_id

    @param.depends("client_id", "lang")
    def _file(self):
        text = TEXT[self.lang]
        if self.client_id is None:
            return pn.pane.Markdown("")
        found = self.context.store.client_file(self.client_id)
        if found is None:
            return pn.pane.Alert(text["none"], alert_type="warning")
        self.context.store.record_access(self.user, self.client_id, found["application_id"])
        decision, explanation = found["decision"], found["explanation"]
        percentile = self.context.population.percentile(decision.probability_of_default)
        head = [pn.pane.Markdown(f"## {text[decision.decision]}", css_classes=["decision"]),
                charts_pane(charts.gauge(decision.probability_of_default, decision.threshold, NEAR_BAND, self.lang),
                            self._gauge_text(decision)),
                pn.pane.Markdown(text["standing"].format(p=percentile), css_classes=["standing"])]
        if explanation is None:
            return pn.Column(*head, pn.pane.Markdown(text["waiting"]))
        return pn.Column(*head, pn.pane.Markdown(explanation.summary[self.lang], css_classes=["summary"]),
                         self._reasons(explanation), self._waterfall(explanation))

    def _gauge_text(self, decision) -> str:
        pct = lambda share: percent(share, self.lang, 1)  # noqa: E731
        t = decision.threshold
        return TEXT[self.lang]["gauge"].format(pd=pct(decision.probability_of_default), threshold=pct(t),
                                               low=pct(t * (1 - NEAR_BAND)), high=pct(t * (1 + NEAR_BAND)))

    def _recent(self):
        """Find a client by filters: the latest decided applications of one kind."""
        text = TEXT[self.lang]
        kind = pn.widgets.RadioButtonGroup(options=text["kinds"], value="all")
        picker = pn.widgets.Select(name=text["recent"], width=320, css_classes=["recent"])

        def refresh(*_):
            rows = self.context.store.latest_decisions(200)
            if kind.value != "all":
                rows = [r for r in rows if (r["decision"] == "refused" if kind.value == "refused"
                                            else near_threshold(r["probability_of_default"], r["threshold"]))]
            picker.options = {f"{r['client_id']} — {percent(r['probability_of_default'], self.lang, 1)}": r["client_id"]
                              for r in rows[:50]}
        kind.param.watch(refresh, "value")
        refresh()
        picker.param.watch(lambda event: self.open(event.new), "value")
        return pn.Column(picker, kind)

    def _reasons(self, explanation):
        text = TEXT[self.lang]
        lines = [f"- **{text[r.direction]}** ({r.points * 100:+.1f} pts) — {r.text[self.lang]}" for r in explanation.reasons]
        return pn.pane.Markdown(f"### {text['reasons']}\n" + "\n".join(lines), css_classes=["reasons"])

    def _waterfall(self, explanation):
        labels = {g.id: g.label[self.lang] for g in groups()}
        top = explanation.contributions[:WATERFALL_STEPS]
        steps = [(labels[c.group], c.points) for c in top]
        rest = sum(c.points for c in explanation.contributions[WATERFALL_STEPS:])
        steps.append((TEXT[self.lang]["others"], rest))
        figure = charts.waterfall(explanation.base_value, steps, self.lang)
        alt = charts.alt_waterfall(explanation.base_value, steps, explanation.probability_of_default, self.lang)
        return pn.Column(f"### {TEXT[self.lang]['how']}", charts_pane(figure, alt))

    def __panel__(self):
        text = TEXT[self.lang]
        entry = pn.widgets.IntInput(name=text["find"], value=self.client_id, width=200)
        button = pn.widgets.Button(name=text["open"], button_type="primary", width=160)
        button.on_click(lambda _: self.open(entry.value))
        return pn.Column(pn.Row(entry, button, self._recent()), self._file)


def charts_pane(figure, alt_text: str):
    """A chart with its text alternative under it (folded, readable by screen readers)."""
    return pn.Column(pn.pane.Bokeh(figure), pn.pane.Markdown(alt_text, css_classes=["chart-text"]))
