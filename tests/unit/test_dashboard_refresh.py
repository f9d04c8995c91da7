"""Views refresh themselves once per session, however often they are drawn again."""

from __future__ import annotations

from unittest import mock

import panel as pn
import pytest
from bokeh.document import Document

from dashboard.views.refresh import keep_refreshing

pytestmark = pytest.mark.unit


def test_a_view_drawn_again_keeps_a_single_periodic_refresh():
    """Each language switch draws the pages again; the refresh must not be started again each
    time."""
    refresh = mock.Mock()
    with mock.patch.object(
        pn.state, "add_periodic_callback", side_effect=lambda *a, **k: mock.Mock()
    ) as add:
        running = keep_refreshing(None, refresh, 2000)
        assert running is None and add.call_count == 0  # not served: nothing to refresh
        with pn.io.server.set_curdoc(Document()):
            for _ in range(3):
                running = keep_refreshing(running, refresh, 2000)
    add.assert_called_once_with(refresh, period=2000)
    assert running is not None
