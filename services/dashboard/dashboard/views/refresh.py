"""Views that refresh themselves while their browser session is open."""

from __future__ import annotations

import panel as pn


def keep_refreshing(running, callback, period_ms: int):
    """The periodic callback refreshing a view: started once per view, however often the view is
    drawn (a language switch draws the pages again); none outside a served session."""
    if running is None and pn.state.curdoc is not None:
        return pn.state.add_periodic_callback(callback, period=period_ms)
    return running
