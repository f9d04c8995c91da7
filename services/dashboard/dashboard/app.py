"""The dashboard app: pages assembled in one template, French by default with an English switch.

What a session shows depends on its account's role: relationship managers ("rm") and reviewers
the client pages (reviewers also decide the cases left to them), operations ("ops") only the
operations page, which carries no applicant's data; an account without a role, nothing.

    panel serve services/dashboard/dashboard/app.py --setup services/dashboard/dashboard/setup.py ...

(see deploy/stack.py). The Context (store, feed, bundle, population) is built once per server
process by setup.py; each browser session only builds its views.
"""
from __future__ import annotations

import panel as pn

from dashboard.accounts import role_of
from dashboard.catalogue import words
from dashboard.views.client_file import ClientFile
from dashboard.views.client_info import ClientInfo
from dashboard.views.comparison import Comparison
from dashboard.views.live_feed import LiveFeed
from dashboard.views.operations import Operations
from dashboard.views.simulation import Simulation

TEXT = words("app")
# The template's title is drawn once, with the page: it is the company's name, the same in both languages,
# and the header's pane after it says which pages these are in the language chosen.
HEADER_TEXT = {"color": "#FFFFFF"}  # on the accent blue (#0072B2, Okabe-Ito): a contrast of 5.2 to 1
SWITCH_CSS = """
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default, :host(.solid) .bk-btn-group .bk-btn.bk-btn-default:hover {
  color: #FFFFFF; background-color: #0072B2; border: 1px solid #FFFFFF; }
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default:hover { text-decoration: underline; }
:host(.solid) .bk-btn-group .bk-btn.bk-btn-default.bk-active {
  color: #000000; background-color: #FFFFFF; font-weight: bold; }
"""


class PagesTabs(pn.Tabs):
    """Tabs that let the page about to be shown catch up first, so the browser draws it once."""

    def __init__(self, *objects, before_show, **params):
        self._before_show = before_show
        super().__init__(*objects, **params)

    def _update_active(self, *events):  # Panel's own watcher, which draws the newly active page
        for event in events:
            if event.name == "active":
                self._before_show(event.new)
        super()._update_active(*events)


def create_app(context, user: str):
    """One browser session's page, for the user's role."""
    role = role_of(context.settings.users_file, user)
    names = {name: lang for lang, name in TEXT["fr"]["languages"].items()}  # each language named in itself
    language = pn.widgets.RadioButtonGroup(name=" / ".join(TEXT[lang]["language"] for lang in TEXT), options=names,
                                           value="fr", button_type="default", stylesheets=[SWITCH_CSS], align="center")
    pages = {lang: text["operations"] if role == "ops" else text["pages"][0] for lang, text in TEXT.items()}
    template = pn.template.FastListTemplate(title=TEXT["fr"]["brand"], theme_toggle=False, accent="#0072B2")
    heading = pn.pane.Markdown(pn.bind(lambda lang: f"— {pages[lang].lower()}", language), css_classes=["pages"],
                               styles={**HEADER_TEXT, "font-size": "1.5em"}, align="center")
    user_name = pn.pane.Markdown(f"**{user}**", css_classes=["user"], styles=HEADER_TEXT, align="center")
    template.header.append(pn.Row(heading, user_name, language))
    if role == "ops":
        operations = Operations(context)
        language.link(operations, value="lang")
        template.main.append(pn.bind(lambda lang: pn.Tabs((TEXT[lang]["operations"], operations)), language))
    elif role in ("rm", "reviewer"):
        template.main.append(client_pages(context, user, role, language))
    else:
        template.main.append(pn.bind(lambda lang: pn.pane.Alert(TEXT[lang]["no_role"], alert_type="danger",
                                                                css_classes=["no-role"]), language))
    return template


def client_pages(context, user: str, role: str, language):
    """The relationship managers' pages; only the page on screen follows the open client."""
    client_file, feed = ClientFile(context, user, role), LiveFeed(context)
    simulation = Simulation(context)
    pages = [client_file, ClientInfo(context), Comparison(context), simulation, feed]
    for view in pages:
        language.link(view, value="lang")
    shown = {"page": 0}  # kept across language switches, which rebuild the tabs

    def follow():
        """Only the page on screen follows the open client: hidden pages catch up when shown, not on every file."""
        page = pages[shown["page"]]
        if page in (client_file, feed):
            return
        if page.client_id != client_file.client_id:
            page.client_id = client_file.client_id
        elif page is simulation:  # the same client, whose decision in force may have changed meanwhile
            simulation.catch_up()

    def show(page: int):
        shown["page"] = page
        follow()

    client_file.param.watch(lambda _: follow(), "client_id")

    def tabs(lang: str):
        return PagesTabs(*zip(TEXT[lang]["pages"][1:], pages), dynamic=True, active=shown["page"], before_show=show)

    return pn.bind(tabs, language)


if pn.state.served:
    from dashboard.setup import shared_context

    create_app(shared_context(), pn.state.user or "?").servable()
