"""Page 4, simulation: change the loan or the income and see the decision the model would give, at once.

Scored and explained by the services' own code (dashboard.simulation); nothing is recorded, and the
page says so.
"""
from __future__ import annotations

import panel as pn
import param

from credit.decision import TO_REVIEW
from credit.events import ApplicationReceived
from credit.explain.wording import counted, number, percent
from dashboard import charts
from dashboard.simulation import AMOUNT, changed, granted_automatically, simulate, smallest_grant
from dashboard.views.client_file import TEXT as FILE_TEXT
from dashboard.views.client_file import charts_pane

FIELDS = {"amount": "AMT_CREDIT", "annuity": "AMT_ANNUITY", "goods_price": "AMT_GOODS_PRICE",
          "income": "AMT_INCOME_TOTAL"}  # param -> application field
TEXT = {
    "fr": {"banner": "Simulation — aucune décision n'est enregistrée", "none": "Ouvrez d'abord un dossier client.",
           "amount": "Montant du crédit", "annuity": "Mensualité", "goods_price": "Prix du bien",
           "income": "Revenu annuel", "terms": "Durée : {months} · apport : {down}",
           "granted": "✔ Serait accordée (simulation)", "refused": "✘ Serait refusée (simulation)",
           "to_review": "⏳ Serait examinée par un conseiller habilité (simulation ; {proposal})",
           "pd": "Probabilité de défaut simulée : **{pd}** (seuil {threshold} ; décision enregistrée : {recorded})",
           "suggest_amount": "En empruntant **{amount}** au lieu de {asked} (−{change}) sur la même durée, la demande serait "
                   "accordée (probabilité de défaut {pd}).",
           "term": "En remboursant sur **{months}** au lieu de {asked} (mensualité {annuity}), pour le même montant, "
                   "la demande serait accordée (probabilité de défaut {pd}).",
           "nothing": "Ni un montant plus faible (jusqu'à −80 %), ni une durée plus longue (jusqu'au double) ne "
                      "feraient accorder la demande.",
           "try": "Essayer cette proposition", "reset": "Revenir à la demande"},
    "en": {"banner": "Simulation — no decision is recorded", "none": "Open a client file first.",
           "amount": "Loan amount", "annuity": "Monthly payment", "goods_price": "Goods price",
           "income": "Annual income", "terms": "Term: {months} · down payment: {down}",
           "granted": "✔ Would be granted (simulation)", "refused": "✘ Would be refused (simulation)",
           "to_review": "⏳ Would go to a reviewer (simulation; {proposal})",
           "pd": "Simulated probability of default: **{pd}** (threshold {threshold}; recorded decision: {recorded})",
           "suggest_amount": "Borrowing **{amount}** instead of {asked} (−{change}) over the same term, the application "
                   "would be granted (probability of default {pd}).",
           "term": "Repaying over **{months}** instead of {asked} (monthly payment {annuity}), for the same amount, "
                   "the application would be granted (probability of default {pd}).",
           "nothing": "Neither a smaller amount (down to −80%) nor a longer term (up to twice as long) would get "
                      "the application granted.",
           "try": "Try this suggestion", "reset": "Back to the application"},
}


class Simulation(pn.viewable.Viewer):
    client_id = param.Integer(default=None, allow_None=True, doc="the client whose latest application is simulated")
    lang = param.Selector(default="fr", objects=["fr", "en"])
    amount = param.Number(default=None, allow_None=True, doc="AMT_CREDIT")
    annuity = param.Number(default=None, allow_None=True, doc="AMT_ANNUITY, per month")
    goods_price = param.Number(default=None, allow_None=True, doc="AMT_GOODS_PRICE; down payment = it - amount")
    income = param.Number(default=None, allow_None=True, doc="AMT_INCOME_TOTAL, per year")
    application = param.ClassSelector(class_=ApplicationReceived, default=None, allow_None=True, precedence=-1,
                                      doc="the client's latest application, as submitted")

    def __init__(self, context, **params):
        self.context, self._recorded, self._in_force = context, None, None
        super().__init__(**params)

    @param.depends("client_id", watch=True, on_init=True)
    def reset(self) -> None:
        """Back to the client's latest application as submitted."""
        found = self.client_id is not None and self.context.store.client_file(self.client_id)
        application = found["application"] if found else None
        self._recorded = found["decision"] if found else None
        self._in_force = found["in_force"] if found else None  # a reviewer's decision, if any, counts
        self.param.update(application=application,
                          **{name: getattr(application, f) if application else None for name, f in FIELDS.items()})

    def catch_up(self) -> None:
        """Shown again for the same client: a reviewer may have decided the application since, or a newer one
        arrived (then it is the one simulated)."""
        found = self.client_id is not None and self.context.store.client_file(self.client_id)
        if not found or self.application is None or found["application_id"] != self.application.application_id:
            self.reset()
        elif found["in_force"] != self._in_force:
            self._in_force = found["in_force"]
            self.param.trigger("application")  # the result says the decision in force; the changes typed stay

    def _changes(self) -> dict:
        """Only the fields moved away from the application (an unknown one left empty stays unknown)."""
        return {f: getattr(self, name) for name, f in FIELDS.items() if getattr(self, name) != getattr(self.application, f)}

    @param.depends("application", "lang", *FIELDS)
    def _result(self):
        text = TEXT[self.lang]
        if self.application is None:
            return pn.pane.Markdown(text["none"])
        try:
            decision, explanation = simulate(self.context, self.application, self._changes(), self._band())
        except ValueError as error:  # a wrong value, named: the person corrects it
            return pn.pane.Alert(str(error), alert_type="danger", css_classes=["simulation-error"])
        return pn.Column(self._decision(decision), self._reasons(explanation), self._suggestion(decision))

    def _decision(self, decision):
        text, pct = TEXT[self.lang], lambda share: percent(share, self.lang, 1)
        recorded = f"{FILE_TEXT[self.lang][self._in_force or TO_REVIEW]} ({pct(self._recorded.probability_of_default)})"
        gauge = charts.Gauge(self.lang).show(decision.probability_of_default, decision.threshold, decision.review_band)
        line = text["pd"].format(pd=pct(decision.probability_of_default), threshold=pct(decision.threshold),
                                 recorded=recorded)
        headline = text["to_review"].format(proposal=FILE_TEXT[self.lang]["proposal"][decision.decision]) \
            if decision.status == TO_REVIEW else text[decision.decision]
        return pn.Column(pn.pane.Markdown(f"## {headline}", css_classes=["simulation-decision"]),
                         charts_pane(gauge, line), css_classes=["simulation-result"])

    def _reasons(self, explanation):
        words = FILE_TEXT[self.lang]
        lines = [f"- **{words[r.direction]}** ({r.points * 100:+.1f} pts) — {r.text[self.lang]}"
                 for r in explanation.reasons]
        return pn.pane.Markdown(f"### {words['reasons']}\n" + "\n".join(lines), css_classes=["simulation-reasons"])

    def _band(self) -> float:
        """The review band the scorer service applied to this client's recorded decision."""
        return self._recorded.review_band

    def _suggestion(self, decision):
        if granted_automatically(decision):
            return pn.pane.Markdown("")
        simulated = changed(self.application, self._changes())
        suggestion = smallest_grant(self.context, simulated, self._band())
        if suggestion is None:
            return pn.pane.Markdown(TEXT[self.lang]["nothing"], css_classes=["simulation-suggestion"])
        button = pn.widgets.Button(name=TEXT[self.lang]["try"], button_type="primary", width=240)
        button.on_click(lambda _: self.param.update(amount=suggestion.changes["AMT_CREDIT"],
                                                    annuity=suggestion.changes.get("AMT_ANNUITY", self.annuity)))
        return pn.Column(pn.pane.Markdown(self._sentence(suggestion, simulated)), button,
                         css_classes=["simulation-suggestion"])

    def _sentence(self, suggestion, simulated) -> str:
        lang, money = self.lang, lambda value: number(round(value), self.lang)
        months = lambda value: counted(round(value), "month", lang)  # noqa: E731
        new = suggestion.changes
        if suggestion.kind == AMOUNT:
            return TEXT[lang]["suggest_amount"].format(amount=money(new["AMT_CREDIT"]), asked=money(simulated.AMT_CREDIT),
                                             change=percent(suggestion.change, lang, 0),
                                             pd=percent(suggestion.probability_of_default, lang, 1))
        return TEXT[lang]["term"].format(months=months(suggestion.months),
                                         asked=months(simulated.AMT_CREDIT / simulated.AMT_ANNUITY),
                                         annuity=money(new["AMT_ANNUITY"]),
                                         pd=percent(suggestion.probability_of_default, lang, 1))

    @param.depends("lang", "amount", "annuity", "goods_price")
    def _terms(self):
        if None in (self.amount, self.annuity, self.goods_price) or not self.annuity:
            return pn.pane.Markdown("")
        down = max(self.goods_price - self.amount, 0)  # a loan above the price also finances fees: nothing down
        return pn.pane.Markdown(TEXT[self.lang]["terms"].format(
            months=counted(self.amount / self.annuity, "month", self.lang), down=number(round(down), self.lang)),
            css_classes=["simulation-terms"])

    @param.depends("lang")
    def _inputs(self):
        text = TEXT[self.lang]
        inputs = [pn.widgets.FloatInput.from_param(self.param[name], name=text[name], start=0, step=1_000, width=180)
                  for name in FIELDS]
        reset = pn.widgets.Button(name=text["reset"], width=200, align="end")
        reset.on_click(lambda _: self.reset())
        banner = pn.pane.Alert(text["banner"], alert_type="warning", css_classes=["simulation-banner"])
        return pn.Column(banner, pn.Row(*inputs, reset))

    def __panel__(self):
        return pn.Column(self._inputs, self._terms, self._result)
