"""The session's open client: one record per file read, pages following it only while on screen."""

from __future__ import annotations

from datetime import timedelta

import panel as pn
import param
import pytest

from dashboard.state import ClientPage, OpenClient
from dashboard.store import Store
from tests.unit.test_dashboard_store import application, decision, review

pytestmark = pytest.mark.unit


class Page(ClientPage):
    """A page that counts its drawings."""

    @param.depends("file", watch=True)
    def _draw(self) -> None:
        self.drawn.append(self.file)

    def __init__(self, **params):
        self.drawn = []
        super().__init__(**params)


def opened(*events) -> OpenClient:
    store = Store()
    store.upsert([application("a", 7), decision("a", 7, 0.09, status="to_review"), *events])
    return OpenClient(store)


def test_a_client_opened_is_their_file_as_a_typed_record():
    client = opened()
    client.open(7)
    assert (client.client_id, client.record.application_id, client.record.in_force) == (
        7,
        "a",
        None,
    )
    assert client.record.application.AMT_CREDIT == 100_000.0 and client.record.reviews == ()
    client.open(8)
    assert (client.client_id, client.record) == (8, None)


def test_a_review_recorded_refreshes_the_record_and_an_unchanged_file_does_not():
    client = opened()
    client.open(7)
    before = client.record
    client.refresh()
    assert client.record is before
    client._store.upsert([review("a", 7, "refused", "granted")])
    client.refresh()
    assert client.record.in_force == "granted" and [r.after for r in client.record.reviews] == [
        "granted"
    ]
    client._store.upsert([review("a", 7, "granted", "refused", minutes=2, kind="contestation")])
    client.open(7)  # the same client opened again: read again
    assert client.record.in_force == "refused" and client.client_id == 7


def test_a_hidden_page_does_not_redraw_for_each_file_and_catches_up_once_shown():
    client = opened(application("b", 8), decision("b", 8))
    on_screen, hidden, cheap = Page(client=client), Page(client=client), Page(client=client)
    cheap.follows_hidden = True
    client.page = on_screen
    client.open(7)
    client.open(8)
    assert [f.application_id for f in on_screen.drawn] == ["a", "b"] and hidden.drawn == []
    assert cheap.drawn == on_screen.drawn  # a page cheap to draw follows every file
    client.page = hidden
    assert [f.application_id for f in hidden.drawn] == ["b"]
    client.page = on_screen
    assert len(on_screen.drawn) == 2  # nothing new since it was last on screen


def test_a_client_without_a_file_after_another_is_drawn_all_the_same():
    client = opened()
    page = Page(client=client)
    client.page = page
    client.open(8)
    client.open(9)
    assert page.drawn == [None, None]


def test_the_page_is_on_screen_before_the_tabs_draw_it():
    from dashboard.app import OnScreen

    client, order = opened(), []
    pages = [Page(client=client), Page(client=client)]
    pages[1].param.watch(lambda _: order.append("caught up"), "file")
    on_screen = OnScreen(client, pages, tabs=pn.Tabs(("a", "x"), ("b", "y"), dynamic=True))
    on_screen.tabs.param.watch(lambda _: order.append("drawn"), "objects")
    client.page = pages[0]
    client.open(7)
    on_screen.tabs.active = 1
    assert client.page is pages[1] and order == ["caught up", "drawn"]


def test_the_simulation_shown_again_says_a_review_decided_meanwhile_and_keeps_the_changes_typed():
    from credit.dead_letters import decode_application
    from dashboard.views.simulation import Simulation
    from tests.fakes import SIMULATED_AT as WHEN
    from tests.fakes import SIMULATED_CLIENT as CLIENT
    from tests.fakes import SimulationContext as FakeContext
    from tests.fakes import loan_application as asked

    context = FakeContext()
    context.store = client_store = Store()

    def decided(app, days: int = 0) -> None:  # PD 0.12 for the first: left to a reviewer
        [scored] = context.simulator.scorer.score([decode_application(app.to_bytes())], {}, 0.3)
        client_store.upsert(
            [app, scored.model_copy(update={"decided_at": WHEN + timedelta(days=days)})]
        )

    first, newer = asked(), asked(annuity=5_000.0)
    decided(first)
    client = OpenClient(client_store)
    view = Simulation(context, client)
    client.page = view
    client.open(CLIENT)
    view.amount = 200_000.0
    recorded = lambda: view._result()[0][1][1].object  # noqa: E731 - the line under the gauge
    assert "décision enregistrée : ⏳ À examiner" in recorded()
    client.show(None)  # another page on screen while a reviewer of another session decides
    client_store.upsert([review(first.application_id, CLIENT, "refused", "granted")])
    client.show(view)
    assert "décision enregistrée : ✔ Demande accordée" in recorded() and view.amount == 200_000.0
    decided(newer, days=1)
    client.refresh()  # a newer application: it is the one simulated now
    assert (
        view.application.application_id == newer.application_id and view.amount == newer.AMT_CREDIT
    )
