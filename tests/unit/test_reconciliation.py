"""The end-to-end reconciliation: what waits in a stage too long is named, whatever order things are
seen in."""

from __future__ import annotations

import pytest

from credit.events import now
from credit.monitoring import Alerts
from credit.reconciliation import Reconciliation
from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit


def reconciliation(after_s: float = 60):
    clock = FakeClock(1000.0)
    return Reconciliation(after_s, clock), clock


def test_an_application_decided_explained_and_stored_in_time_raises_nothing():
    r, clock = reconciliation()
    r.message(LOAN_APPLICATIONS, 0, 1, "a")
    r.message(LOAN_DECISIONS, 2, 5, "a")
    r.message(LOAN_EXPLANATIONS, 1, 9, "a")
    r.in_store(["a"])
    clock.now += 3600
    assert r.overdue() == []


def test_each_stage_names_how_many_wait_and_the_oldest():
    r, clock = reconciliation()
    r.message(LOAN_APPLICATIONS, 0, 1, "old")
    clock.now += 10
    r.message(LOAN_APPLICATIONS, 0, 2, "new")
    r.message(
        LOAN_DECISIONS, 0, 7, "d"
    )  # decided ("d" was accepted before this feed started), not explained
    r.message(LOAN_EXPLANATIONS, 0, 3, "e")
    clock.now += 59
    assert [o.subject for o in r.overdue()] == ["not decided"]  # only "old" waited 60 s
    clock.now += 1
    overdue = {o.subject: o for o in r.overdue()}
    assert (
        overdue["not decided"].messages,
        overdue["not decided"].oldest,
        overdue["not decided"].waited_s,
    ) == (2, "old", 70)
    assert overdue["not explained"].oldest == "d" and overdue["not stored"].oldest == "e"
    assert r.waiting_to_be_stored() == ["e"]


def test_a_result_or_a_dead_letter_seen_before_its_message_still_closes_it():
    r, clock = reconciliation()
    r.message(
        LOAN_DECISIONS, 0, 1, "a"
    )  # the decision read before the application (another partition)
    r.message(LOAN_EXPLANATIONS, 0, 1, "a")
    r.in_store(["a"])
    r.dead_letter(
        APPLICATIONS_DLQ, LOAN_APPLICATIONS, 2, 40
    )  # the scorer refused 2@40 before we read it
    r.message(LOAN_APPLICATIONS, 1, 3, "a")
    r.message(LOAN_APPLICATIONS, 2, 40, None)  # unreadable: followed by its position
    clock.now += 600
    assert r.overdue() == []


def test_dead_letters_close_only_their_own_stage():
    r, clock = reconciliation()
    r.message(LOAN_APPLICATIONS, 0, 1, "a")
    r.message(LOAN_DECISIONS, 0, 2, "b")
    r.message(LOAN_EXPLANATIONS, 0, 3, "c")
    r.dead_letter(DECISIONS_DLQ, LOAN_DECISIONS, 0, 2)
    r.dead_letter(DASHBOARD_DLQ, LOAN_EXPLANATIONS, 0, 3)
    r.dead_letter(
        DASHBOARD_DLQ, LOAN_APPLICATIONS, 0, 1
    )  # the dashboard failing to store it says nothing of the scorer
    clock.now += 61
    assert [(o.subject, o.oldest) for o in r.overdue()] == [("not decided", "a")]


def test_an_unreadable_message_that_nobody_dead_letters_is_named_by_its_position():
    r, clock = reconciliation()
    r.message(LOAN_DECISIONS, 2, 17, None)
    clock.now += 61
    [overdue] = r.overdue()
    assert (overdue.subject, overdue.oldest) == ("not explained", "loan-decisions-2-17")


def test_overdue_stages_raise_one_alarm_each_and_say_when_they_recover():
    r, clock = reconciliation(after_s=5)
    alerts = Alerts("dashboard-ops")
    r.message(LOAN_EXPLANATIONS, 0, 3, "lost")
    clock.now += 6
    [alert] = alerts.levels(r.measures(), at=now())
    assert (alert.kind, alert.subject, alert.level, alert.value) == (
        "reconciliation",
        "not stored",
        "alarm",
        1,
    )
    assert alert.detail == "lost"
    assert alerts.levels(r.measures(), at=alert.at) == []  # still overdue: said once
    r.in_store(["lost"])
    assert [(a.subject, a.level) for a in alerts.levels(r.measures(), at=alert.at)] == [
        ("not stored", "resolved")
    ]
    r.message(LOAN_EXPLANATIONS, 0, 4, "again")
    clock.now += 6
    assert [a.detail for a in alerts.levels(r.measures(), at=alert.at)] == ["again"]


def test_outcomes_are_forgotten_once_too_old_to_precede_their_message():
    r, clock = reconciliation(after_s=60)
    r.message(LOAN_DECISIONS, 0, 1, "a")
    clock.now += 121
    r.overdue()  # forgets the decision seen 121 s ago
    r.message(LOAN_APPLICATIONS, 0, 1, "a")  # a replay from long ago: waits again, as it should
    clock.now += 61
    assert [o.subject for o in r.overdue()] == ["not decided", "not explained"]
