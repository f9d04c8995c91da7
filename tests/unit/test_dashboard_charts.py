"""The charts' words and numbers follow the language, and the waterfall keeps its labels inside."""

from __future__ import annotations

import re

import pytest

from dashboard import charts
from dashboard.formats import points

pytestmark = pytest.mark.unit
NBSP = "\u00a0"
STEPS = [("Scores externes", 0.086), ("Âge", -0.031), ("Revenu", 0.00004)]


def test_points_are_signed_with_the_languages_decimal_and_zero_is_never_negative():
    assert points(0.086, "fr") == f"+8,6{NBSP}pts" and points(0.086, "en") == f"+8.6{NBSP}pts"
    assert points(-0.031, "fr") == f"−3,1{NBSP}pts"
    assert points(-0.0004, "fr") == f"0,0{NBSP}pts" and points(-0.0004, "en") == f"0.0{NBSP}pts"


def test_french_waterfall_labels_have_no_decimal_point_and_every_label_has_room_in_the_chart():
    waterfall = charts.Waterfall("fr", 6)
    waterfall.show(0.08, STEPS)
    data = waterfall.source.data
    assert data["text"][1] == f"▲ +8,6{NBSP}pts" and not any(
        re.search(r"\d\.\d", t) for t in data["text"]
    )
    assert (
        waterfall.figure.x_range.end >= max(data["right"]) * 1.2
    )  # the words after the longest bar fit
    assert waterfall.figure.title.text == "probabilité de défaut (%)"


def test_english_charts_are_in_english():
    waterfall = charts.Waterfall("en", 6)
    waterfall.show(0.08, STEPS)
    assert (
        waterfall.source.data["name"][0] == "typical client"
        and waterfall.source.data["name"][-1] == "this client"
    )
    gauge = charts.Gauge("en")
    gauge.show(0.123, 0.1, 0.1)
    assert (
        gauge.client.data["text"] == ["this client: 12.3%"]
        and "refused" in gauge.zones.data["label"]
    )
    assert "| step | points |" in charts.alt_waterfall(0.08, STEPS, 0.135, "en")


def test_the_gauges_client_label_stays_inside_near_either_end():
    gauge = charts.Gauge("fr")
    gauge.show(0.5, 0.1, 0.1)
    assert gauge.client.data["align"] == ["right"]
    gauge.show(0.01, 0.1, 0.1)
    assert gauge.client.data["align"] == ["left"]


@pytest.mark.parametrize("lang, locale", [("fr", "fr-FR"), ("en", "en-GB")])
def test_axes_write_numbers_the_languages_way_not_bokehs(lang, locale):
    """Bokeh's own ticks read "2.500e+6": the browser writes them with the language's locale
    instead."""
    waterfall = charts.Waterfall(lang, 6)
    formatter = waterfall.figure.xaxis[0].formatter
    assert formatter.args["locale"] == locale and "toLocaleString" in formatter.code
