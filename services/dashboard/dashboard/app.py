"""The dashboard app: pages assembled in one template, French by default with an English switch.

    panel serve services/dashboard/dashboard/app.py --setup services/dashboard/dashboard/setup.py ...

(see deploy/stack.py). The Context (store, feed, bundle, population) is built once per server
process by setup.py; each browser session only builds its views.
"""
from __future__ import annotations

import panel as pn

from dashboard.views.client_file import ClientFile
from dashboard.views.client_info import ClientInfo
from dashboard.views.comparison import Comparison
from dashboard.views.live_feed import LiveFeed
from dashboard.views.simulation import Simulation

TITLES = {"fr": ("Prêt à dépenser — dossiers clients", "Dossier client", "Informations client", "Comparaison",
                 "Simulation", "Flux en direct"),
          "en": ("Prêt à dépenser — client files", "Client file", "Client information", "Comparison", "Simulation",
                 "Live feed")}


def create_app(context, user: str):
    """One browser session's page."""
    language = pn.widgets.RadioButtonGroup(name="langue / language", options={"Français": "fr", "English": "en"},
                                           value="fr", button_type="default")
    client_file, feed = ClientFile(context, user), LiveFeed(context)
    about_client = [ClientInfo(context), Comparison(context), Simulation(context)]  # follow the client file
    for view in (client_file, *about_client, feed):
        language.link(view, value="lang")
    for view in about_client:
        client_file.param.watch(lambda event, view=view: setattr(view, "client_id", event.new), "client_id")

    def tabs(lang: str):
        titles = TITLES[lang]
        pages = [client_file, *about_client, feed]
        return pn.Tabs(*zip(titles[1:], pages), dynamic=True)

    template = pn.template.FastListTemplate(title=TITLES["fr"][0], theme_toggle=False, accent="#0072B2")
    template.header.append(pn.Row(pn.pane.Markdown(f"**{user}**", css_classes=["user"]), language))
    template.main.append(pn.bind(tabs, language))
    return template


if pn.state.served:
    from dashboard.setup import shared_context

    create_app(shared_context(), pn.state.user or "?").servable()
