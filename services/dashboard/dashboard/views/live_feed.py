"""Page 5, the live feed: the latest decisions as they arrive; refusals and cases for a reviewer
marked."""

from __future__ import annotations

import pandas as pd
import panel as pn
import param

from credit.decision import TO_REVIEW
from credit.explain.wording import number, percent
from dashboard.catalogue import words
from dashboard.views.refresh import keep_refreshing

TEXT = words("live_feed")
REFRESH_MS = 2000


def feed_frame(rows: list[dict], lang: str) -> pd.DataFrame:
    text = TEXT[lang]
    records = [
        (
            r["decided_at"][11:19],
            str(r["client_id"]),
            percent(r["probability_of_default"], lang, 1),
            text[r["in_force"]] if r["in_force"] else "…",
            _attention(r, text),
            text["ready"] if r["explained"] else text["pending"],
        )
        for r in rows
    ]
    return pd.DataFrame(records, columns=text["columns"])


def _attention(row: dict, text: dict) -> str:
    if row["status"] != TO_REVIEW:
        return ""
    return text["reviewed"] if row["in_force"] else text["waiting"]


class LiveFeed(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])
    rows = param.Integer(default=50, bounds=(10, 500))

    def __init__(self, context, **params):
        super().__init__(**params)
        self.context = context
        self.table = pn.widgets.Tabulator(
            self._frame(),
            disabled=True,
            show_index=False,
            height=520,
            sizing_mode="stretch_width",
            css_classes=["live-feed"],
        )
        self.status = pn.pane.Alert("", alert_type="info", css_classes=["feed-status"])
        self._refreshing = None
        self._refresh()

    def _frame(self) -> pd.DataFrame:
        return feed_frame(self.context.store.latest_decisions(self.rows), self.lang)

    def _refresh(self) -> None:
        self.table.value = self._frame()
        status = self.context.feed.status()
        self.status.alert_type = "info" if status.live else "danger"
        self.status.object = (
            TEXT[self.lang]["live"].format(n=number(status.events, self.lang))
            if status.live
            else TEXT[self.lang]["down"]
        )

    def __panel__(self):
        self._refreshing = keep_refreshing(self._refreshing, self._refresh, REFRESH_MS)
        return pn.Column(self.status, self.table)
