"""On the client file: the decision's history (decisions, reviews, contestations) and, for
reviewers, the form that decides a case left to a reviewer or records the client's contestation."""

from __future__ import annotations

import asyncio
import logging

import panel as pn

from credit.events import JUSTIFICATION_MIN, ApplicationReviewed
from credit.explain.wording import percent
from credit.reviews import review_kind
from dashboard.catalogue import words
from dashboard.formats import moment
from dashboard.reviews import REVIEWER, ReviewRefused, ReviewUnrecorded, shown_state
from dashboard.store import ClientFileRecord

log = logging.getLogger(__name__)

TEXT = words("review")


def history_table(events: list, lang: str) -> str:
    """The decision history as a Markdown table, newest first (who, when, before/after, why)."""
    text = TEXT[lang]
    lines = [
        f"### {text['history']}",
        "",
        f"| {text['when']} | {text['application']} | {text['what']} | {text['who']} "
        f"| {text['change']} | {text['why']} |",
        "|---|---|---|---|---|---|",
    ]
    for e in events:
        if isinstance(e, ApplicationReviewed):
            row = (
                e.reviewed_at,
                e.application_id,
                f"{text[e.kind]} ({text[e.outcome]})",
                e.reviewer,
                f"{text[e.before]} → {text[e.after]}",
                _cell(e.justification),
            )
        else:
            row = (
                e.decided_at,
                e.application_id,
                text[e.status],
                text["scorer"],
                f"{text[e.decision]} ({percent(e.probability_of_default, lang, 1)})",
                "",
            )
        lines.append("| " + " | ".join([moment(row[0], lang), *row[1:]]) + " |")
    return "\n".join(lines)


def _cell(typed: str) -> str:
    return typed.replace("|", "/").replace("\n", " ")


def choices(lang: str) -> dict[str, str]:
    """The reviewer's two choices: words shown -> the decision recorded."""
    return {label: decision for decision, label in TEXT[lang]["choice"].items()}


class ReviewPanel:
    """The history for everyone; the form only for reviewers (and the server checks the role
    again)."""

    def __init__(self, context, user: str, role: str | None, on_recorded):
        self.context, self.user, self.role, self._on_recorded = context, user, role, on_recorded
        self.client_id, self.lang, self._shown = None, "fr", None
        self._history = pn.pane.Markdown("", css_classes=["decision-history"])
        self._title, self._help = (
            pn.pane.Markdown(""),
            pn.pane.Markdown("", css_classes=["review-help"]),
        )
        self._choice = pn.widgets.RadioButtonGroup(options=choices("fr"), value="granted")
        self._justification = pn.widgets.TextAreaInput(
            name=TEXT["fr"]["justify"], height=90, width=560, css_classes=["justification"]
        )
        self._record = pn.widgets.Button(
            name=TEXT["fr"]["record"], button_type="primary", width=160
        )
        self._record.on_click(self.record)
        self._message = pn.pane.Alert("", alert_type="light", css_classes=["review-message"])
        self._form = pn.Column(
            self._title,
            self._help,
            self._choice,
            self._justification,
            self._record,
            self._message,
            visible=False,
            css_classes=["review-form"],
        )
        # the form only on a reviewer's page (the server checks the role again when a review is
        # recorded)
        self.layout = (
            pn.Column(self._form, self._history) if role == REVIEWER else pn.Column(self._history)
        )

    def show(self, client_id: int | None, file: ClientFileRecord | None, lang: str) -> None:
        shown = shown_state(file) if file else None
        if (
            not shown or not self._shown or shown[0] != self._shown[0]
        ):  # another application: a blank form
            self._justification.value = self._justification.value_input = ""
        self.client_id, self.lang, self._shown, text = client_id, lang, shown, TEXT[lang]
        self._history.object = (
            history_table(self.context.store.decision_history(client_id), lang) if file else ""
        )
        self._form.visible = bool(file) and self.role == REVIEWER
        # in the language shown even while hidden: the page holds the form's words
        self._choice.options, self._justification.name = choices(lang), text["justify"]
        self._justification.placeholder = text["placeholder"].format(n=JUSTIFICATION_MIN)
        self._record.name = text["record"]
        if not self._form.visible:
            return
        kind = review_kind(file.in_force)
        proposal = text[file.in_force or file.decision.decision]
        self._title.object, self._help.object = (
            text["title"][kind],
            text["help"][kind].format(proposal=proposal),
        )

    async def record(self, _click=None) -> None:
        text = TEXT[self.lang]
        if (
            self._record.disabled
        ):  # a second click that reached the server before the button was greyed out
            return
        if len(self._words().strip()) < JUSTIFICATION_MIN:  # said in the reviewer's language first
            self._say(text["short"].format(n=JUSTIFICATION_MIN), "warning")
            return
        client_id, shown = (
            self.client_id,
            self._shown,
        )  # the file reviewed, whatever is opened meanwhile
        self._record.disabled = True  # one review per click, however long the broker takes
        self._say(text["recording"], "info")
        try:  # in a thread: waiting for the broker must not freeze every session of this server
            review = await asyncio.to_thread(
                self.context.reviews.record,
                self.user,
                client_id,
                shown,
                self._choice.value,
                self._words(),
            )
        except (ReviewRefused, ReviewUnrecorded) as error:
            self._say(
                text["failed"].format(client=client_id, error=text["refusals"][error.reason]),
                "danger",
            )
            return
        except Exception:  # noqa: BLE001 - whatever failed, the reviewer must not be left waiting
            log.exception("a review of client %s failed", client_id)
            self._say(text["failed"].format(client=client_id, error=text["unexpected"]), "danger")
            return
        finally:
            self._record.disabled = False
        if (self.client_id, self._shown) == (
            client_id,
            shown,
        ):  # still on that file: clear the form, show the review
            self._justification.value = self._justification.value_input = ""
            self._on_recorded()
        self._say(
            text["recorded"].format(
                client=client_id, outcome=f"{text[review.kind]} ({text[review.outcome]})"
            ),
            "success",
        )

    def _words(self) -> str:
        """What the reviewer typed, even if the box has not lost the focus yet."""
        return self._justification.value_input or self._justification.value or ""

    def _say(self, message: str, kind: str) -> None:
        self._message.object, self._message.alert_type = message, kind
