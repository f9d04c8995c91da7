"""Page 4, simulation: change the loan or the income and see the decision the model would give, at
once.

Scored and explained by the services' own code (credit.simulation); nothing is recorded, and the
page says so.
"""

from __future__ import annotations

import panel as pn
import param

from credit.decision import TO_REVIEW
from credit.events import ApplicationReceived
from credit.explain.wording import money, percent
from credit.simulation import AMOUNT, WrongValue, changed, granted_automatically
from dashboard import charts
from dashboard.catalogue import words
from dashboard.formats import points, repayments
from dashboard.state import ClientPage
from dashboard.views.client_file import charts_pane

FIELDS = {
    "amount": "AMT_CREDIT",
    "annuity": "AMT_ANNUITY",
    "goods_price": "AMT_GOODS_PRICE",
    "income": "AMT_INCOME_TOTAL",
}  # param -> application field
FIELD_PARAMS = {field: name for name, field in FIELDS.items()}
TEXT, FILE_TEXT = words("simulation"), words("client_file")


class Simulation(ClientPage, pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])
    amount = param.Number(default=None, allow_None=True, doc="AMT_CREDIT")
    annuity = param.Number(
        default=None, allow_None=True, doc="AMT_ANNUITY, the loan annuity (one repayment)"
    )
    goods_price = param.Number(
        default=None, allow_None=True, doc="AMT_GOODS_PRICE; down payment = it - amount"
    )
    income = param.Number(
        default=None, allow_None=True, doc="AMT_INCOME_TOTAL, the declared income"
    )
    application = param.ClassSelector(
        class_=ApplicationReceived,
        default=None,
        allow_None=True,
        precedence=-1,
        doc="the client's latest application, as submitted",
    )

    def __init__(self, context, client, **params):
        self.context, self._recorded, self._in_force = context, None, None
        super().__init__(client=client, **params)

    def reset(self) -> None:
        """Back to the client's latest application as submitted."""
        found = self.file
        application = found.application if found else None
        self._recorded = found.decision if found else None
        self._in_force = found.in_force if found else None  # a reviewer's decision, if any, counts
        self.param.update(
            application=application,
            **{
                name: whole(getattr(application, f)) if application else None
                for name, f in FIELDS.items()
            },
        )

    @param.depends("file", watch=True, on_init=True)
    def _catch_up(self) -> None:
        """Another client's file or a newer application: simulated afresh. The same application,
        which a reviewer may have decided since: the changes typed stay, the result says the
        decision in force."""
        found = self.file
        if (
            not found
            or self.application is None
            or found.application_id != self.application.application_id
        ):
            self.reset()
        elif found.in_force != self._in_force:
            self._in_force = found.in_force
            self.param.trigger("application")

    def _changes(self) -> dict:
        """Only the fields moved away from the application (an unknown one left empty stays
        unknown); the fields show whole amounts, so an amount with cents left as shown is the
        application's own."""
        return {
            f: getattr(self, name)
            for name, f in FIELDS.items()
            if getattr(self, name) != whole(getattr(self.application, f))
        }

    @param.depends("application", "lang", *FIELDS)
    def _result(self):
        text = TEXT[self.lang]
        if self.application is None:
            return pn.pane.Markdown(text["none"])
        try:
            decision, explanation = self.context.simulator.simulate(
                self.application, self._changes(), self._band()
            )
        except WrongValue as error:  # a wrong value, named: the person corrects it
            field = text[FIELD_PARAMS[error.field]] if error.field in FIELD_PARAMS else error.field
            return pn.pane.Alert(
                text[error.reason].format(field=field),
                alert_type="danger",
                css_classes=["simulation-error"],
            )
        return pn.Column(
            self._decision(decision), self._reasons(explanation), self._suggestion(decision)
        )

    def _decision(self, decision):
        text, pct = TEXT[self.lang], lambda share: percent(share, self.lang, 1)
        recorded = (
            f"{FILE_TEXT[self.lang][self._in_force or TO_REVIEW]} "
            f"({pct(self._recorded.probability_of_default)})"
        )
        gauge = charts.Gauge(self.lang).show(
            decision.probability_of_default, decision.threshold, decision.review_band
        )
        line = text["pd"].format(
            pd=pct(decision.probability_of_default),
            threshold=pct(decision.threshold),
            recorded=recorded,
        )
        headline = (
            text["to_review"].format(proposal=FILE_TEXT[self.lang]["proposal"][decision.decision])
            if decision.status == TO_REVIEW
            else text[decision.decision]
        )
        return pn.Column(
            pn.pane.Markdown(f"## {headline}", css_classes=["simulation-decision"]),
            charts_pane(gauge, line),
            css_classes=["simulation-result"],
        )

    def _reasons(self, explanation):
        words = FILE_TEXT[self.lang]
        lines = [
            f"- **{words[r.direction]}** ({points(r.points, self.lang)}) — {r.text[self.lang]}"
            for r in explanation.reasons
        ]
        return pn.pane.Markdown(
            f"### {words['reasons']}\n" + "\n".join(lines), css_classes=["simulation-reasons"]
        )

    def _band(self) -> float:
        """The review band the scorer service applied to this client's recorded decision."""
        return self._recorded.review_band

    def _suggestion(self, decision):
        if granted_automatically(decision):
            return pn.pane.Markdown("")
        simulated = changed(self.application, self._changes())
        suggestion = self.context.simulator.smallest_grant(simulated, self._band())
        if suggestion is None:
            return pn.pane.Markdown(
                TEXT[self.lang]["nothing"], css_classes=["simulation-suggestion"]
            )
        button = pn.widgets.Button(name=TEXT[self.lang]["try"], button_type="primary", width=240)
        button.on_click(
            lambda _: self.param.update(
                amount=suggestion.changes["AMT_CREDIT"],
                annuity=suggestion.changes.get("AMT_ANNUITY", self.annuity),
            )
        )
        return pn.Column(
            pn.pane.Markdown(self._sentence(suggestion, simulated)),
            button,
            css_classes=["simulation-suggestion"],
        )

    def _sentence(self, suggestion, simulated) -> str:
        lang, new, text = self.lang, suggestion.changes, TEXT[self.lang]
        pd_ = percent(suggestion.probability_of_default, lang, 1)
        if suggestion.kind == AMOUNT:
            return text["suggest_amount"].format(
                amount=money(new["AMT_CREDIT"], lang),
                asked=money(simulated.AMT_CREDIT, lang),
                change=percent(suggestion.change, lang, 0),
                pd=pd_,
            )
        return text["term"].format(
            term=repayments(suggestion.repayments, lang),
            asked=repayments(simulated.AMT_CREDIT / simulated.AMT_ANNUITY, lang),
            annuity=money(new["AMT_ANNUITY"], lang),
            pd=pd_,
        )

    @param.depends("lang", "amount", "annuity", "goods_price")
    def _terms(self):
        if None in (self.amount, self.annuity, self.goods_price) or not self.annuity:
            return pn.pane.Markdown("")
        down = max(
            self.goods_price - self.amount, 0
        )  # a loan above the price also finances fees: nothing down
        return pn.pane.Markdown(
            TEXT[self.lang]["terms"].format(
                term=repayments(self.amount / self.annuity, self.lang), down=money(down, self.lang)
            ),
            css_classes=["simulation-terms"],
        )

    @param.depends("lang")
    def _inputs(self):
        text = TEXT[self.lang]
        inputs = [
            pn.widgets.FloatInput.from_param(
                self.param[name], name=text[name], start=0, step=1_000, width=180
            )
            for name in FIELDS
        ]
        reset = pn.widgets.Button(name=text["reset"], width=200, align="end")
        reset.on_click(lambda _: self.reset())
        banner = pn.pane.Alert(
            text["banner"], alert_type="warning", css_classes=["simulation-banner"]
        )
        return pn.Column(banner, pn.Row(*inputs, reset))

    def __panel__(self):
        return pn.Column(self._inputs, self._terms, self._result)


def whole(amount: float | None) -> float | None:
    """An amount in whole currency units, as the fields show it (a decimal point would be English in
    French)."""
    return None if amount is None else float(round(amount))
