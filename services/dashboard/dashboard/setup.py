"""Run once per server process (`panel serve --setup`): build the shared Context and start the
feed."""

from __future__ import annotations

import panel as pn

from adapters.heap import settle
from dashboard.context import build_context
from dashboard.settings import get_settings

_KEY = "dashboard-context"


def shared_context():
    if _KEY not in pn.state.cache:
        pn.state.cache[_KEY] = build_context(get_settings())
        settle()  # the reference population and the bundle live as long as the server
    return pn.state.cache[_KEY]


shared_context()
