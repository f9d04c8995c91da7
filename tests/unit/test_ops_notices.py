"""The operations page's notices of losses: in words, in both languages, gone once resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from credit.events import AlertRaised, now
from dashboard.views.operations import alerts_table, loss_notices

pytestmark = pytest.mark.unit


def alert(level: str, minutes_ago: float = 0, value: float = 143, subject: str = "not explained"):
    return AlertRaised(
        service="dashboard-ops",
        kind="reconciliation",
        subject=subject,
        level=level,
        value=value,
        threshold=0,
        at=now() - timedelta(minutes=minutes_ago),
        detail="kill-expl-2",
    )


def test_a_loss_alarm_is_said_at_the_top_in_each_language_until_it_is_resolved():
    alarm = alert("alarm", minutes_ago=2)
    assert loss_notices([alarm], "fr") == [
        f"✘ Demandes non expliquées après le délai : 143 (dashboard-ops, {alarm.at:%H:%M:%S}) ; "
        "la plus ancienne : kill-expl-2."
    ]
    assert loss_notices([alarm], "en")[0].startswith(
        "✘ Applications not explained after the set time: 143"
    )
    assert (
        loss_notices([alert("resolved", value=0), alarm], "fr") == []
    )  # the newest first: resolved since
    assert (
        loss_notices([alert("alarm", minutes_ago=90)], "fr") == []
    )  # older than an hour: in the table only


def test_the_alerts_table_says_resolved_in_words():
    table = alerts_table([alert("resolved", value=0)], "fr")
    assert table.iloc[0]["niveau"] == "✔ résolu" and table.iloc[0]["type"] == "rapprochement"
    assert alerts_table([alert("resolved", value=0)], "en").iloc[0]["level"] == "✔ resolved"


def test_a_stalled_feed_is_said_at_the_top_with_its_cause():
    stalled = AlertRaised(
        service="dashboard",
        kind="stalled",
        subject="polls",
        level="alarm",
        value=3,
        threshold=0,
        at=now(),
        detail="MessageSizeTooLargeError",
    )
    assert loss_notices([stalled], "en") == [
        f"✘ The dashboard feed stores nothing any more ({stalled.at:%H:%M:%S}): "
        "MessageSizeTooLargeError"
    ]
    assert alerts_table([stalled], "fr").iloc[0]["type"] == "flux bloqué"
