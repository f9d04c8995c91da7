"""Values written for French and English readers: decimals, thousands, units, durations."""

from __future__ import annotations

import pytest

from credit.explain.wording import count_form, format_value, has_form, number, percent

pytestmark = pytest.mark.unit
NBSP = "\u00a0"


@pytest.mark.parametrize(
    "value, unit, fr, en",
    [
        (135000.0, "money", f"135{NBSP}000{NBSP}€", "€135,000"),
        (0.1534, "percent", f"15{NBSP}%", "15%"),
        (0.045, "percent", f"4,5{NBSP}%", "4.5%"),
        (0.0, "percent", f"0{NBSP}%", "0%"),
        (3.24, "times", f"3,2{NBSP}fois", f"3.2{NBSP}times"),
        (42.7, "years", f"42{NBSP}ans", f"42{NBSP}years"),
        (0.5, "years", f"6{NBSP}mois", f"6{NBSP}months"),
        (-45.0, "days_ago", f"45{NBSP}jours", f"45{NBSP}days"),
        (-800.0, "days_ago", f"2{NBSP}ans", f"2{NBSP}years"),
        (-0.0, "days_ago", "le jour de la demande", "on the day of the application"),
        (0.0, "days_relative", "le jour de la demande", "on the day of the application"),
        (-4018.0, "days_relative", f"il y a 11{NBSP}ans", f"11{NBSP}years ago"),
        (0.0, "whole_years", "moins d'un an", "less than a year"),
        (1.0, "whole_years", f"1{NBSP}an", f"1{NBSP}year"),
        (12.0, "whole_years", f"12{NBSP}ans", f"12{NBSP}years"),
        (1.0, "occurrences", f"1{NBSP}fois", f"1{NBSP}time"),
        (3.0, "occurrences", f"3{NBSP}fois", f"3{NBSP}times"),
        (22.4, "annuities", f"22{NBSP}annuités", f"22{NBSP}annuities"),
        (1.0, "annuities", f"1{NBSP}annuité", f"1{NBSP}annuity"),
        (0.0, "loans", f"0{NBSP}crédit", f"0{NBSP}loans"),
        (3.0, "instalments", f"3{NBSP}échéances", f"3{NBSP}instalments"),
        (1.0, "days", f"1{NBSP}jour", f"1{NBSP}day"),
        (1.0, "months", f"1{NBSP}mois", f"1{NBSP}month"),
        (0.4, "days", f"0,4{NBSP}jour", f"0.4{NBSP}days"),
        (3.0, "count", "3", "3"),
        (0.5, "count", "0,5", "0.5"),
        (0.5678, "score", "0,57", "0.57"),
        (1.0, "flag", "oui", "yes"),
        (0.0, "flag", "non", "no"),
        (14.0, "hour", f"14{NBSP}h", "14:00"),
        (-90.0, "days_relative", f"il y a 3{NBSP}mois", f"3{NBSP}months ago"),
        (400.0, "days_relative", f"dans 13{NBSP}mois", f"in 13{NBSP}months"),
        (-365.0, "days_relative", f"il y a 1{NBSP}an", f"1{NBSP}year ago"),
        (-720.0, "days_relative", f"il y a 2{NBSP}ans", f"2{NBSP}years ago"),
        (-330.0, "days_relative", f"il y a 11{NBSP}mois", f"11{NBSP}months ago"),
    ],
)
def test_values_are_written_as_each_language_writes_them(value, unit, fr, en):
    assert format_value(value, unit, "fr") == fr
    assert format_value(value, unit, "en") == en


def test_a_missing_value_is_said_to_be_missing_whatever_its_unit():
    for unit in ("money", "percent", "years", "flag", "category"):
        assert format_value(None, unit, "fr") == "non renseigné"
        assert format_value(float("nan"), unit, "en") == "not stated"


def test_an_amount_carries_its_currency_and_a_negative_one_its_sign():
    assert format_value(-1500.4, "money", "fr") == f"-1{NBSP}500{NBSP}€"
    assert format_value(-1500.4, "money", "en") == "-€1,500"


def test_categories_arrive_translated_and_numbers_group_thousands():
    assert format_value(2.0, "category", "fr", "Marié(e)") == "Marié(e)"
    assert number(1234567.891, "fr", 2) == f"1{NBSP}234{NBSP}567,89"
    assert percent(0.0754, "en", 1) == "7.5%"


def test_a_count_takes_the_form_zero_one_or_many_and_some_means_not_zero():
    assert [count_form(v) for v in (0.0, 1.0, 2.0, 0.4, float("nan"), None)] == [
        "zero",
        "one",
        "many",
        "many",
        None,
        None,
    ]
    assert (
        has_form(3.0, "some")
        and has_form(1.0, "some")
        and not has_form(0.0, "some")
        and not has_form(None, "zero")
    )
