"""The shared schema refuses, naming the field, every value the pipeline cannot carry faithfully."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from credit.dead_letters import Undecodable, decode_application, decode_decision
from credit.events import (
    APPLICATION_ID_PATTERN,
    ApplicationExplained,
    ApplicationReceived,
    ApplicationScored,
    DeadLettered,
    HistoryRecorded,
)
from tests.json_rows import json_rows
from training.demodata import generate_tables

pytestmark = pytest.mark.unit

APPLICATION = {
    "SK_ID_CURR": 100002,
    "AMT_CREDIT": 406597.5,
    "AMT_ANNUITY": 24700.5,
    "CNT_CHILDREN": 0,
    "DAYS_EMPLOYED": -637,
    "submitted_at": "2026-12-01T19:45:00+01:00",
}


def refusal(**changes) -> tuple[str, str]:
    """The (field, error type) of the only error of APPLICATION with changes, read as JSON bytes."""
    with pytest.raises(ValidationError) as raised:
        ApplicationReceived.from_bytes(json.dumps({**APPLICATION, **changes}).encode())
    [error] = raised.value.errors()
    return ".".join(map(str, error["loc"])), error["type"]


def test_the_example_application_is_accepted_and_json_integers_are_numbers():
    event = ApplicationReceived.from_bytes(json.dumps(APPLICATION).encode())
    assert event.CNT_CHILDREN == 0.0 and event.SK_ID_CURR == 100002
    assert ApplicationReceived.model_validate(
        {**APPLICATION, "AMT_CREDIT": 406597, "CNT_FAM_MEMBERS": 2.0}
    )


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"SK_ID_CURR": 2**63}, ("SK_ID_CURR", "less_than_equal")),
        ({"SK_ID_CURR": 0}, ("SK_ID_CURR", "greater_than")),
        ({"SK_ID_CURR": "100002"}, ("SK_ID_CURR", "int_type")),
        ({"SK_ID_CURR": True}, ("SK_ID_CURR", "int_type")),
        ({"SK_ID_CURR": 100002.5}, ("SK_ID_CURR", "int_from_float")),
        ({"AMT_CREDIT": True}, ("AMT_CREDIT", "float_type")),
        ({"AMT_CREDIT": "406597.5"}, ("AMT_CREDIT", "float_type")),
        ({"AMT_ANNUITY": 1e300}, ("AMT_ANNUITY", "less_than_equal")),
        (
            {"AMT_ANNUITY": 1e-30},
            ("AMT_ANNUITY", "greater_than_equal"),
        ),  # credit / annuity would overflow float32
        ({"DAYS_REGISTRATION": -9.5e307}, ("DAYS_REGISTRATION", "greater_than_equal")),
        ({"DAYS_REGISTRATION": 3}, ("DAYS_REGISTRATION", "less_than_equal")),
        ({"CNT_CHILDREN": 2.5}, ("CNT_CHILDREN", "multiple_of")),
        ({"FLAG_EMAIL": 0.5}, ("FLAG_EMAIL", "multiple_of")),
        ({"REG_CITY_NOT_WORK_CITY": 2}, ("REG_CITY_NOT_WORK_CITY", "less_than_equal")),
        ({"AMT_REQ_CREDIT_BUREAU_YEAR": 1.5}, ("AMT_REQ_CREDIT_BUREAU_YEAR", "multiple_of")),
        ({"DAYS_EMPLOYED": 12}, ("DAYS_EMPLOYED", "days_employed")),
        ({"DAYS_EMPLOYED": 365244}, ("DAYS_EMPLOYED", "less_than_equal")),
        ({"submitted_at": "2026-12-01T19:45:00"}, ("submitted_at", "timezone_aware")),
        # found by fuzzing: pydantic reads a number of seconds as a time, and multiple_of lets float
        # remainders through
        ({"submitted_at": 0}, ("submitted_at", "datetime_type")),
        ({"submitted_at": "1700000000"}, ("submitted_at", "datetime_format")),
        ({"CNT_CHILDREN": 0.9999999999999999}, ("CNT_CHILDREN", "multiple_of")),
        ({"FLAG_DOCUMENT_3": 5e-324}, ("FLAG_DOCUMENT_3", "multiple_of")),
        ({"application_id": "0\n"}, ("application_id", "string_pattern_mismatch")),
        ({"application_id": "a b"}, ("application_id", "string_pattern_mismatch")),
        ({"application_id": "x" * 65}, ("application_id", "string_too_long")),
    ],
)
def test_a_value_the_pipeline_cannot_carry_is_refused_naming_its_field(changes, expected):
    assert refusal(**changes) == expected


@pytest.mark.parametrize(
    "application_id",
    [
        "bb8bffda-4f1c-4c57-9b2e-5d0e0c3c1a42",
        "loan-applications-0-123",
        "loan-applications.dlq-2-99",
        "upstream:42",
        "A",
    ],
)
def test_uuids_and_ids_derived_from_topic_partition_and_offset_match_the_id_pattern(application_id):
    assert ApplicationReceived.model_validate({**APPLICATION, "application_id": application_id})
    assert APPLICATION_ID_PATTERN.startswith("^") and APPLICATION_ID_PATTERN.endswith("$")


def test_the_scorer_decodes_an_application_into_the_values_pydantic_dumps():
    raw = json.dumps({**APPLICATION, "application_id": "a-1"}).encode()
    decoded = decode_application(raw)
    assert decoded == ApplicationReceived.from_bytes(raw).model_dump()
    assert list(decoded) == list(ApplicationReceived.model_fields)


def test_a_whole_number_with_a_decimal_point_is_an_integer_id_as_json_schema_says():
    assert ApplicationReceived.from_bytes(b'{"SK_ID_CURR": 601316.0}').SK_ID_CURR == 601316


def test_the_employment_sentinel_is_accepted():
    assert (
        ApplicationReceived.model_validate({**APPLICATION, "DAYS_EMPLOYED": 365243}).DAYS_EMPLOYED
        == 365243
    )


def test_every_event_refuses_ids_outside_int64_and_times_without_a_timezone():
    with pytest.raises(ValidationError, match="client_id"):
        HistoryRecorded(client_id=2**63, aggregates={}, computed_from="x")
    with pytest.raises(ValidationError, match="failed_at"):
        DeadLettered.model_validate_json(
            b'{"reason": "r", "source_topic": "t", "source_partition": 0, '
            b'"source_offset": 1, "original": "", "service": "s", '
            b'"failed_at": "2026-12-01T19:45:00"}'
        )
    with pytest.raises(ValidationError, match="decided_at"):
        ApplicationScored(
            application_id="a-1",
            client_id=1,
            probability_of_default=0.1,
            decision="granted",
            threshold=0.1,
            model_version="m",
            decided_at="2026-12-01T19:45:00",
            submitted_at="2026-12-01T19:45:00Z",
            timings_ms={},
            features=[],
        )


def test_the_json_schema_states_the_limits():
    fields = ApplicationReceived.model_json_schema()["properties"]
    assert fields["SK_ID_CURR"] == {
        "exclusiveMinimum": 0,
        "maximum": 2**63 - 1,
        "title": "Sk Id Curr",
        "type": "integer",
    }
    assert fields["application_id"]["pattern"] == APPLICATION_ID_PATTERN
    assert fields["submitted_at"]["format"] == "date-time"
    assert {"multipleOf": 1, "minimum": 0, "maximum": 30, "type": "number"} in fields[
        "CNT_CHILDREN"
    ]["anyOf"]
    assert {"const": 365243, "type": "number"} in fields["DAYS_EMPLOYED"]["anyOf"]
    for name, field in fields.items():
        numbers = [
            s for s in field.get("anyOf", [field]) if s.get("type") == "number" and "const" not in s
        ]
        assert all(
            abs(s["minimum"]) <= 3.4028234e38 and abs(s["maximum"]) <= 3.4028234e38 for s in numbers
        ), name


def test_the_demo_generators_applications_are_all_accepted():
    tables = generate_tables(2_000, seed=11)
    for name in ("application_train", "application_test"):
        for row in json_rows(tables[name].drop(columns="TARGET", errors="ignore")):
            ApplicationReceived.model_validate(row)


# A decision as the scorer publishes it on loan-decisions (a copy of a real one, features
# shortened).
DECISION = {
    "application_id": "bb8bffda-4f1c-4c57-9b2e-5d0e0c3c1a42",
    "client_id": 100002,
    "probability_of_default": 0.4213,
    "decision": "refused",
    "threshold": 0.0823,
    "model_version": "20261201-213749-eb7a24d7",
    "decided_at": "2026-12-01T19:45:00.512+00:00",
    "submitted_at": "2026-12-01T19:45:00+01:00",
    "status": "decided",
    "review_band": 0.1,
    "timings_ms": {"features_ms": 0.412, "inference_ms": 0.057},
    "features": [406597.5, None, -9461.0, 0.0],
}
EXPLANATION = {
    **{
        k: DECISION[k]
        for k in (
            "application_id",
            "client_id",
            "model_version",
            "probability_of_default",
            "decision",
            "threshold",
            "decided_at",
            "status",
        )
    },
    "base_value": 0.0807,
    "contributions": [{"group": "age", "points": 0.3}, {"group": "debt", "points": 0.0406}],
    "feature_points": [0.3, 0.0, 0.0406, 0.0],
    "summary": {"fr": "r", "en": "s"},
    "reasons": [
        {"group": "age", "direction": "raises", "points": 0.3, "text": {"fr": "r", "en": "s"}}
    ],
    "explained_at": "2026-12-01T19:45:01Z",
}


def refused(schema, document: dict, **changes) -> tuple[str, str]:
    """The (field, error type) of the only error of document with changes (a dotted path:
    features.0), as JSON."""
    with pytest.raises(ValidationError) as raised:
        schema.from_bytes(json.dumps(with_changes(document, changes)).encode())
    [error] = raised.value.errors()
    return ".".join(map(str, error["loc"])), error["type"]


def with_changes(document: dict, changes: dict) -> dict:
    """document with each dotted field of changes ("features.0": 1e300) replaced."""
    document = json.loads(json.dumps(document))
    for path, value in changes.items():
        *parents, last = path.split(".")
        inner = document
        for part in parents:
            inner = inner[int(part)] if isinstance(inner, list) else inner[part]
        inner[int(last) if isinstance(inner, list) else last] = value
    return document


def test_a_real_looking_decision_and_its_explanation_are_accepted():
    decision = ApplicationScored.from_bytes(json.dumps(DECISION).encode())
    assert decision.features == [406597.5, None, -9461.0, 0.0] and decision.review_band == 0.1
    assert ApplicationExplained.from_bytes(json.dumps(EXPLANATION).encode()).base_value == 0.0807


def test_json_integers_are_numbers_in_a_decision_and_an_explanation():
    changes = {
        "features.0": 1,
        "probability_of_default": 1,
        "review_band": 0,
        "timings_ms.features_ms": 3,
    }
    decision = ApplicationScored.from_bytes(json.dumps(with_changes(DECISION, changes)).encode())
    assert decision.features[0] == 1.0 and isinstance(decision.features[0], float)
    assert ApplicationExplained.from_bytes(
        json.dumps(with_changes(EXPLANATION, {"feature_points.1": 0})).encode()
    )


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"features.0": 1e300},
            ("features.0", "less_than_equal"),
        ),  # beyond float32: the explainer cannot add it up
        ({"features.3": -1e39}, ("features.3", "greater_than_equal")),
        ({"features.0": True}, ("features.0", "float_type")),
        ({"features.0": "406597.5"}, ("features.0", "float_type")),
        ({"probability_of_default": "0.5"}, ("probability_of_default", "float_type")),
        ({"probability_of_default": True}, ("probability_of_default", "float_type")),
        ({"probability_of_default": 1.5}, ("probability_of_default", "less_than_equal")),
        ({"probability_of_default": -0.1}, ("probability_of_default", "greater_than_equal")),
        ({"threshold": 1e300}, ("threshold", "less_than")),
        ({"threshold": 1}, ("threshold", "less_than")),
        ({"threshold": 0}, ("threshold", "greater_than")),
        ({"threshold": "0.08"}, ("threshold", "float_type")),
        ({"review_band": -5}, ("review_band", "greater_than_equal")),
        ({"review_band": 1}, ("review_band", "less_than")),
        ({"review_band": False}, ("review_band", "float_type")),
        ({"timings_ms.features_ms": -1}, ("timings_ms.features_ms", "greater_than_equal")),
        ({"timings_ms.inference_ms": 1e300}, ("timings_ms.inference_ms", "less_than_equal")),
        ({"timings_ms.inference_ms": "0.05"}, ("timings_ms.inference_ms", "float_type")),
    ],
)
def test_a_decision_the_pipeline_cannot_carry_is_refused_naming_its_field(changes, expected):
    assert refused(ApplicationScored, DECISION, **changes) == expected


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"base_value": 1.5}, ("base_value", "less_than_equal")),
        ({"base_value": "0.08"}, ("base_value", "float_type")),
        ({"contributions.0.points": 1e300}, ("contributions.0.points", "less_than_equal")),
        ({"contributions.1.points": True}, ("contributions.1.points", "float_type")),
        ({"feature_points.0": -2}, ("feature_points.0", "greater_than_equal")),
        ({"feature_points.2": "0.04"}, ("feature_points.2", "float_type")),
        ({"reasons.0.points": 7}, ("reasons.0.points", "less_than_equal")),
        ({"threshold": 1e300}, ("threshold", "less_than")),
        ({"probability_of_default": "0.5"}, ("probability_of_default", "float_type")),
    ],
)
def test_an_explanation_the_pipeline_cannot_carry_is_refused_naming_its_field(changes, expected):
    assert refused(ApplicationExplained, EXPLANATION, **changes) == expected


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_decision_with_a_non_finite_number_is_refused(value):
    raw = (
        json.dumps({**DECISION, "features": [0.0]}).encode().replace(b"[0.0]", b"[" + value + b"]")
    )
    with pytest.raises(ValidationError, match=r"features\.0"):
        ApplicationScored.from_bytes(raw)


def test_the_dead_letter_reason_of_a_refused_decision_names_the_field():
    with pytest.raises(Undecodable) as raised:
        decode_decision(
            json.dumps(with_changes(DECISION, {"features.0": 1e300, "review_band": -5})).encode()
        )
    reason = str(raised.value)
    assert (
        reason.startswith("review_band: Input should be greater than or equal to 0")
        and "features.0: " in reason
    )


def test_decisions_and_explanations_built_from_numpy_values_are_accepted():
    decision = ApplicationScored.model_validate(
        {
            **DECISION,
            "probability_of_default": np.float64(0.42),
            "features": [np.float64(1.5), None, np.float32(2.0)],
        }
    )
    assert decision.features == [1.5, None, 2.0]
    assert ApplicationExplained.model_validate(
        {
            **EXPLANATION,
            "base_value": np.float64(0.08),
            "feature_points": np.array([0.3, -0.1]).tolist(),
        }
    )


def test_history_aggregates_are_model_inputs_within_float32():
    assert HistoryRecorded.from_bytes(
        b'{"client_id": 1, "aggregates": {"a": 1, "b": null}, "computed_from": "x"}'
    )
    for value in (b"1e300", b"true", b'"1"'):
        with pytest.raises(ValidationError, match=r"aggregates\.a"):
            HistoryRecorded.from_bytes(
                b'{"client_id": 1, "aggregates": {"a": %s}, "computed_from": "x"}' % value
            )


def test_the_json_schema_states_the_decisions_limits():
    fields = ApplicationScored.model_json_schema()["properties"]
    assert fields["threshold"] == {
        "exclusiveMinimum": 0,
        "exclusiveMaximum": 1,
        "title": "Threshold",
        "type": "number",
    }
    assert {"type": "number", "minimum": -3.4028234e38, "maximum": 3.4028234e38} in fields[
        "features"
    ]["items"]["anyOf"]
    assert fields["timings_ms"]["additionalProperties"] == {
        "type": "number",
        "minimum": 0,
        "maximum": 3_600_000,
    }


def test_every_event_is_keyed_by_its_client_as_decimal_bytes_and_operations_by_their_service():
    from credit.events import AlertRaised, ApplicationReviewed, ServiceReported, now

    decision = ApplicationScored.from_bytes(json.dumps(DECISION).encode())
    explanation = ApplicationExplained.from_bytes(json.dumps(EXPLANATION).encode())
    review = ApplicationReviewed(
        application_id="a",
        client_id=100_004,
        kind="review",
        reviewer="rachel",
        before="refused",
        after="granted",
        justification="x" * 20,
    )
    report = ServiceReported(
        service="scorer",
        instance="h-1",
        at=now(),
        interval_s=1.0,
        counts={},
        totals={},
        rates_per_s={},
        latency={},
    )
    alert = AlertRaised(
        service="explainer",
        kind="lag",
        subject="messages",
        level="warn",
        value=1.0,
        threshold=1.0,
        at=now(),
    )
    assert ApplicationReceived(SK_ID_CURR=100_002).key == b"100002"
    assert HistoryRecorded(client_id=100_003, aggregates={}, computed_from="sha").key == b"100003"
    assert (decision.key, explanation.key) == (
        str(decision.client_id).encode(),
        str(explanation.client_id).encode(),
    )
    assert (review.key, report.key, alert.key) == (b"100004", b"scorer", b"explainer")
