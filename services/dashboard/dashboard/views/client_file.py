"""Page 1, the client file: the PD on a gauge, the decision in words, standing, reasons,
waterfall."""

from __future__ import annotations

import io

import panel as pn
import param

from credit.explain.dictionary import groups
from credit.explain.wording import percent
from dashboard import charts
from dashboard.catalogue import words
from dashboard.formats import moment, points
from dashboard.letter import letter_for
from dashboard.state import ClientPage
from dashboard.store import LETTER, ClientFileRecord
from dashboard.views.review import ReviewPanel

TEXT = words("client_file")
# Parts without a client are hidden this way rather than with `visible`: the charts are still laid
# out with the page, so the browser's first drawing of them (about half a second here) is spent at
# log-in, not when the first file opens; and a Bokeh pane's own `visible` fails once its chart is
# drawn (Panel 1.x). Each style names every property the other sets: the browser keeps a property a
# new style leaves out.
HIDDEN = {"visibility": "hidden", "height": "0px", "overflow": "hidden"}
SHOWN = {"visibility": "visible", "height": "auto", "overflow": "visible"}
WATERFALL_STEPS = 8  # the largest groups; the rest are summed as "other factors"


class ClientFile(ClientPage, pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, context, client, user: str, role: str | None = None, **params):
        super().__init__(client=client, **params)
        self.context, self.user = context, user
        self._charts: dict = {}  # lang -> (Gauge, Waterfall), built on first use
        # One layout for every client: opening a file changes texts and chart data, not the page.
        md = lambda css: pn.pane.Markdown("", css_classes=[css])  # noqa: E731
        self._notice, self._decision, self._standing = md("notice"), md("decision"), md("standing")
        self._summary, self._reasons, self._how = md("summary"), md("reasons"), pn.pane.Markdown("")
        gauge, waterfall = self._charts_in(self.lang)
        self._gauge, self._waterfall = pn.pane.Bokeh(gauge.figure), pn.pane.Bokeh(waterfall.figure)
        self._gauge_text, self._waterfall_text = md("chart-text"), md("chart-text")
        self._decided = pn.Column(self._decision, self._gauge, self._gauge_text, self._standing)
        self._letter = pn.widgets.FileDownload(
            callback=self._letter_file,
            filename="letter.pdf",
            label=words("letter")[self.lang]["label"],
            button_type="primary",
            width=280,
            css_classes=["letter"],
        )
        self._explained = pn.Column(
            self._summary,
            self._reasons,
            self._letter,
            self._how,
            self._waterfall,
            self._waterfall_text,
        )
        self._review = ReviewPanel(context, user, role, on_recorded=client.refresh)
        self._layout = pn.Column(self._notice, self._decided, self._explained, self._review.layout)
        self._show()

    def open(self, client_id: int) -> None:
        self.client.open(client_id)

    @param.depends("client.client_id", watch=True)
    def _log(self) -> None:
        if self.client.record:
            self.context.store.record_access(
                self.user, self.client.client_id, self.client.record.application_id
            )

    @param.depends("file", "lang", watch=True)
    @charts.moves_charts
    def _show(self) -> None:
        text, found, client_id = TEXT[self.lang], self.file, self.client.client_id
        decision, explanation = (found.decision, found.explanation) if found else (None, None)
        self._review.show(client_id, found, self.lang)
        self._notice.object = (
            ""
            if client_id is None
            else text["none"]
            if not found
            else ""
            if explanation
            else text["waiting"]
        )
        gauge, waterfall = self._charts_in(self.lang)
        if decision:
            self._decision.object = self._decision_words(found)
            show_chart(
                self._gauge,
                gauge.show(
                    decision.probability_of_default, decision.threshold, decision.review_band
                ),
            )
            self._gauge_text.object = self._gauge_words(decision)
            percentile = self.context.population.percentile(decision.probability_of_default)
            self._standing.object = text["standing"].format(
                share=percent(round(percentile) / 100, self.lang, 0)
            )
        if explanation:
            self._summary.object = explanation.summary[self.lang]
            self._reasons.object = self._reason_lines(explanation)
            letter = words("letter")[self.lang]
            self._letter.param.update(
                label=letter["label"],
                filename=letter["filename"].format(application=found.application_id),
            )
            self._how.object = f"### {text['how']}"
            figure, self._waterfall_text.object = self._steps(waterfall, explanation)
            show_chart(self._waterfall, figure)
        self._decided.styles, self._explained.styles = (
            (SHOWN if decision else HIDDEN),
            (SHOWN if explanation else HIDDEN),
        )

    def _letter_file(self):
        """The letter for the client of the file open (read again), in the page's language;
        producing it is logged."""
        self.client.refresh()
        found = self.client.record
        self.context.store.record_access(
            self.user, self.client.client_id, found.application_id, LETTER
        )
        return io.BytesIO(letter_for(self.context, found, self.lang))

    def _charts_in(self, lang: str):
        if lang not in self._charts:
            self._charts[lang] = charts.Gauge(lang), charts.Waterfall(lang, WATERFALL_STEPS + 3)
        return self._charts[lang]

    def _decision_words(self, found: ClientFileRecord) -> str:
        """The decision in force; for a case left to a reviewer, who decided it, or that it
        waits."""
        text, decision = TEXT[self.lang], found.decision
        if found.in_force is None:
            return f"## {text['to_review']} — {text['proposal'][decision.decision]}"
        if not found.reviews:
            return f"## {text[found.in_force]}"
        last = found.reviews[-1]
        by = text["by"].format(
            who=last.reviewer,
            when=moment(last.reviewed_at, self.lang),
            proposal=text["proposal"][decision.decision],
        )
        return f"## {text[found.in_force]}\n\n{by}"

    def _gauge_words(self, decision) -> str:
        pct = lambda share: percent(share, self.lang, 1)  # noqa: E731
        t, band = decision.threshold, decision.review_band
        return TEXT[self.lang]["gauge"].format(
            pd=pct(decision.probability_of_default),
            threshold=pct(t),
            low=pct(t * (1 - band)),
            high=pct(t * (1 + band)),
        )

    def _recent(self):
        """Find a client by filters: the latest decided applications of one kind."""
        text = TEXT[self.lang]
        kind = pn.widgets.RadioButtonGroup(
            options={label: key for key, label in text["kinds"].items()}, value="all"
        )
        picker = pn.widgets.Select(name=text["recent"], width=320, css_classes=["recent"])

        def refresh(*_):
            rows = self.context.store.latest_decisions(200, waiting_review=kind.value == "waiting")
            if kind.value == "refused":
                rows = [r for r in rows if r["in_force"] == "refused"]
            # "—" first: a list refreshed must not open a file by itself (it would enter the access
            # log)
            picker.options = {
                "—": None,
                **{
                    f"{r['client_id']} — {percent(r['probability_of_default'], self.lang, 1)}": r[
                        "client_id"
                    ]
                    for r in rows[:50]
                },
            }

        kind.param.watch(refresh, "value")
        refresh()
        picker.param.watch(lambda event: event.new is not None and self.open(event.new), "value")
        return pn.Column(picker, kind)

    def _reason_lines(self, explanation) -> str:
        text = TEXT[self.lang]
        lines = [
            f"- **{text[r.direction]}** ({points(r.points, self.lang)}) — {r.text[self.lang]}"
            for r in explanation.reasons
        ]
        return f"### {text['reasons']}\n" + "\n".join(lines)

    def _steps(self, waterfall, explanation):
        """The waterfall of the largest groups (the rest summed), and its text alternative."""
        labels = {g.id: g.label[self.lang] for g in groups()}
        shown = lambda share: round(share * 100, 1) != 0  # noqa: E731 - a step that rounds to nothing is not drawn
        top = [c for c in explanation.contributions[:WATERFALL_STEPS] if shown(c.points)]
        steps = [(labels[c.group], c.points) for c in top]
        rest = sum(c.points for c in explanation.contributions) - sum(p for _, p in steps)
        if shown(rest):
            steps.append((TEXT[self.lang]["others"], rest))
        alt = charts.alt_waterfall(
            explanation.base_value, steps, explanation.probability_of_default, self.lang
        )
        return waterfall.show(explanation.base_value, steps), alt

    def __panel__(self):
        text = TEXT[self.lang]
        entry = pn.widgets.IntInput(name=text["find"], value=self.client.client_id, width=200)
        button = pn.widgets.Button(name=text["open"], button_type="primary", width=160)
        button.on_click(lambda _: self.open(entry.value))
        return pn.Column(pn.Row(entry, button, self._recent()), self._layout)


def charts_pane(figure, alt_text: str):
    """A chart with its text alternative under it (folded, readable by screen readers)."""
    return pn.Column(pn.pane.Bokeh(figure), pn.pane.Markdown(alt_text, css_classes=["chart-text"]))


def show_chart(pane, figure) -> None:
    """Put a chart in its pane; the same chart with new data is left in place (re-setting it redraws
    it)."""
    if pane.object is not figure:
        pane.object = figure
