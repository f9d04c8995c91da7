"""The dashboard app: pages assembled in one template, French by default with an English switch.

What a session shows depends on its account's role: relationship managers ("rm") and reviewers
the client pages (reviewers also decide the cases left to them), operations ("ops") only the
operations page, which carries no applicant's data; an account without a role, nothing.

    panel serve services/dashboard/dashboard/app.py
        --setup services/dashboard/dashboard/setup.py ...

(see deploy/stack.py). The Context (store, feed, bundle, population) is built once per server
process by setup.py; each browser session only builds its views.
"""

from __future__ import annotations

import panel as pn
import param

from dashboard.accounts import role_of
from dashboard.catalogue import words
from dashboard.state import OpenClient
from dashboard.views.client_file import ClientFile
from dashboard.views.client_info import ClientInfo
from dashboard.views.comparison import Comparison
from dashboard.views.live_feed import LiveFeed
from dashboard.views.operations import Operations
from dashboard.views.simulation import Simulation

TEXT = words("app")
# The template's title is drawn once, with the page: it is the company's name, the same in both
# languages, and the header's pane after it says which pages these are in the language chosen.
HEADER_TEXT = {
    "color": "#FFFFFF"
}  # on the accent blue (#0072B2, Okabe-Ito): a contrast of 5.2 to 1
SWITCH_CSS = """
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default,
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default:hover {
  color: #FFFFFF; background-color: #0072B2; border: 1px solid #FFFFFF; }
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default:hover { text-decoration: underline; }
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default.bk-active {
  color: #000000; background-color: #FFFFFF; font-weight: bold; }
"""


class OnScreen(param.Parameterized):
    """Tells the open client which page the tabs put on screen, before the tabs draw it, so the
    browser draws the page once, already caught up: a method's `param.depends` runs before plain
    watchers (Panel's own, which draws the tab, among them)."""

    tabs = param.ClassSelector(
        class_=pn.Tabs, doc="the pages' tabs (new ones at each language switch)"
    )

    def __init__(self, client: OpenClient, pages: list, **params):
        self.client, self.pages = client, pages
        super().__init__(**params)

    @param.depends("tabs.active", watch=True)
    def _shown(self) -> None:
        self.client.show(self.pages[self.tabs.active])


def create_app(context, user: str):
    """One browser session's page, for the user's role."""
    role = role_of(context.settings.users_file, user)
    names = {
        name: lang for lang, name in TEXT["fr"]["languages"].items()
    }  # each language named in itself
    language = pn.widgets.RadioButtonGroup(
        name=" / ".join(TEXT[lang]["language"] for lang in TEXT),
        options=names,
        value="fr",
        button_type="default",
        stylesheets=[SWITCH_CSS],
        align="center",
    )
    pages = {
        lang: text["operations"] if role == "ops" else text["pages"][0]
        for lang, text in TEXT.items()
    }
    template = pn.template.FastListTemplate(
        title=TEXT["fr"]["brand"], theme_toggle=False, accent="#0072B2"
    )
    heading = pn.pane.Markdown(
        pn.bind(lambda lang: f"— {pages[lang].lower()}", language),
        css_classes=["pages"],
        styles={**HEADER_TEXT, "font-size": "1.5em"},
        align="center",
    )
    user_name = pn.pane.Markdown(
        f"**{user}**", css_classes=["user"], styles=HEADER_TEXT, align="center"
    )
    template.header.append(pn.Row(heading, user_name, language))
    if role == "ops":
        operations = Operations(context)
        language.link(operations, value="lang")
        template.main.append(
            pn.bind(lambda lang: pn.Tabs((TEXT[lang]["operations"], operations)), language)
        )
    elif role in ("rm", "reviewer"):
        template.main.append(client_pages(context, user, role, language))
    else:
        template.main.append(
            pn.bind(
                lambda lang: pn.pane.Alert(
                    TEXT[lang]["no_role"], alert_type="danger", css_classes=["no-role"]
                ),
                language,
            )
        )
    return template


def client_pages(context, user: str, role: str, language):
    """The relationship managers' pages, sharing one open client; only the page on screen follows
    it."""
    client = OpenClient(context.store)
    pages = [
        ClientFile(context, client, user, role),
        ClientInfo(context, client),
        Comparison(context, client),
        Simulation(context, client),
        LiveFeed(context),
    ]
    for view in pages:
        language.link(view, value="lang")
    client.page = pages[0]
    on_screen = OnScreen(client, pages)

    def tabs(lang: str):  # the page on screen kept across language switches, which rebuild the tabs
        on_screen.tabs = pn.Tabs(
            *zip(TEXT[lang]["pages"][1:], pages, strict=True),
            dynamic=True,
            active=pages.index(client.page),
        )
        return on_screen.tabs

    return pn.bind(tabs, language)


if pn.state.served:
    from dashboard.setup import shared_context

    create_app(shared_context(), pn.state.user or "?").servable()
