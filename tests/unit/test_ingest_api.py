"""The ingest API with an in-memory publisher: what it accepts, and how it refuses bad input."""

from __future__ import annotations

import itertools
import threading

import pytest
from fastapi.testclient import TestClient

from credit.events import APPLICATION_ID_PATTERN, ApplicationReceived, categories
from credit.topics import LOAN_APPLICATIONS
from ingest.api import create_app, get_ledger, get_publisher
from ingest.idempotency import Ledger
from ingest.settings import IngestSettings
from tests.fakes import FakePublisher

pytestmark = pytest.mark.unit

KEY = "unit-test-key-0123456789"
_ids = itertools.count(100_001)


def application(**fields) -> dict:
    values = {
        "SK_ID_CURR": next(_ids),
        "NAME_CONTRACT_TYPE": "Cash loans",
        "CODE_GENDER": "F",
        "FLAG_OWN_CAR": "N",
        "AMT_INCOME_TOTAL": 135_000.0,
        "AMT_CREDIT": 568_800.0,
        "AMT_ANNUITY": 20_560.5,
        "DAYS_BIRTH": -19_241,
        "EXT_SOURCE_2": 0.79,
        "EXT_SOURCE_3": None,
    }
    return {**values, **fields}


@pytest.fixture
def publisher():
    return FakePublisher()


@pytest.fixture
def ledger(tmp_path):
    return Ledger(tmp_path / "applications.db", hold_s=30)


@pytest.fixture
def client(publisher, ledger):
    app = create_app(IngestSettings(api_keys=KEY, max_batch_size=5, max_body_bytes=20_000))
    app.dependency_overrides[get_publisher] = lambda: publisher
    app.dependency_overrides[get_ledger] = lambda: ledger
    return TestClient(app, headers={"X-API-Key": KEY})


def post(client, payload=None, **kwargs):
    if payload is not None:
        kwargs["json"] = payload
    return client.post("/v1/applications", **kwargs)


def only_error(response) -> dict:
    [error] = response.json()["errors"]
    return error


def test_one_application_is_accepted_with_a_generated_id(client, publisher):
    response = post(client, application(SK_ID_CURR=123456))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1 and len(body["application_ids"]) == 1
    [(topic, event)] = publisher.published
    assert topic == LOAN_APPLICATIONS and event.SK_ID_CURR == 123456
    assert event.application_id == body["application_ids"][0]


def test_a_batch_is_accepted_in_order_and_keeps_given_ids(client, publisher):
    batch = [application(), application(application_id="upstream-42"), application()]
    response = post(client, batch)
    assert response.status_code == 202
    ids = response.json()["application_ids"]
    assert len(set(ids)) == 3 and ids[1] == "upstream-42"
    assert [e.application_id for _, e in publisher.published] == ids
    assert all(ApplicationReceived.from_bytes(e.to_bytes()) == e for _, e in publisher.published)


@pytest.mark.parametrize(
    "field, value, kind",
    [
        ("AMT_CREDIT", "a lot", "float_type"),
        ("SK_ID_CURR", "abc", "int_type"),
        ("AMT_CREDIT", -1, "greater_than_equal"),
        ("EXT_SOURCE_2", 1.2, "less_than_equal"),
        ("DAYS_BIRTH", -17 * 365, "less_than_equal"),  # 17 years old
        ("CNT_CHILDREN", -2, "greater_than_equal"),
        ("FLAG_OWN_CAR", "maybe", "literal_error"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(client, publisher, field, value, kind):
    response = post(client, application(**{field: value}))
    assert response.status_code == 422
    error = only_error(response)
    assert (error["index"], error["field"], error["type"]) == (0, field, kind)
    assert publisher.published == []


def test_an_unknown_category_lists_the_allowed_values(client):
    error = only_error(post(client, application(NAME_INCOME_TYPE="Astronaut")))
    assert error["field"] == "NAME_INCOME_TYPE" and error["type"] == "literal_error"
    assert error["allowed"] == categories()["NAME_INCOME_TYPE"] and "Working" in error["allowed"]


def test_a_missing_client_id_is_named(client):
    payload = application()
    del payload["SK_ID_CURR"]
    error = only_error(post(client, payload))
    assert (error["field"], error["type"], error["message"]) == (
        "SK_ID_CURR",
        "missing",
        "required field is missing",
    )


def test_an_unknown_field_is_named(client):
    error = only_error(post(client, application(FAVOURITE_COLOUR="blue")))
    assert (error["field"], error["type"]) == ("FAVOURITE_COLOUR", "extra_forbidden")


def test_every_bad_field_of_every_item_is_reported(client):
    batch = [
        application(),
        application(AMT_CREDIT=-5, EXT_SOURCE_2=3),
        application(CODE_GENDER="Q"),
    ]
    errors = post(client, batch).json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {
        (1, "AMT_CREDIT"),
        (1, "EXT_SOURCE_2"),
        (2, "CODE_GENDER"),
    }


def test_a_batch_with_one_bad_item_publishes_nothing(client, publisher):
    response = post(client, [application(), application(), application(AMT_ANNUITY=-1)])
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_applications"
    assert "nothing was published" in response.json()["message"]
    assert publisher.published == []


def test_a_batch_item_that_is_not_an_object_is_named_by_index(client):
    error = only_error(post(client, [application(), 42]))
    assert (error["index"], error["type"]) == (1, "object_type") and "field" not in error


def test_an_empty_batch_is_refused(client, publisher):
    response = post(client, [])
    assert response.status_code == 422 and response.json()["error"] == "empty_batch"


def test_a_batch_above_the_maximum_is_refused_as_too_large(client, publisher):
    response = post(client, [application() for _ in range(6)])
    assert response.status_code == 413 and response.json()["error"] == "batch_too_large"
    assert publisher.published == []


def test_a_body_above_the_byte_limit_is_refused(client):
    response = post(client, [application(ORGANIZATION_TYPE="x" * 25_000)])
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


def test_malformed_json_is_a_bad_request(client):
    response = post(
        client, content=b'{"SK_ID_CURR": 1,', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json" and "line 1" in response.json()["message"]


@pytest.mark.parametrize("content_type", ["text/csv", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_unsupported(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = post(client, content=b"SK_ID_CURR\n100001\n", headers=headers)
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"


def test_json_with_a_charset_is_accepted(client):
    response = post(
        client,
        content=b'{"SK_ID_CURR": 100002}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 202


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong-key-0123456789"}, {"X-API-Key": ""}])
def test_without_a_valid_api_key_nothing_is_accepted(client, publisher, headers):
    client.headers.pop("X-API-Key")
    response = client.post("/v1/applications", json=application(), headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "ApiKey"
    assert publisher.published == []


def test_a_broker_down_answers_503_with_the_ids_to_resubmit(client, publisher):
    publisher.down = True
    response = post(client, [application(), application()])
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "broker_unavailable" and "did not acknowledge" in body["message"]
    assert len(body["application_ids"]) == 2 and response.headers["Retry-After"]


def test_health_reports_the_broker(client, publisher):
    assert client.get("/health").status_code == 200
    publisher.down = True
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["broker"] == "unreachable"


def test_the_openapi_document_describes_the_applications_body(client):
    document = client.get("/openapi.json").json()
    assert "SK_ID_CURR" in document["components"]["schemas"]["ApplicationReceived"]["properties"]
    assert "requestBody" in document["paths"]["/v1/applications"]["post"]
    assert client.get("/docs").status_code == 200


def test_logs_carry_ids_but_no_applicant_data(client, caplog):
    caplog.set_level("DEBUG")
    post(
        client, application(SK_ID_CURR=777001, AMT_INCOME_TOTAL=98_765.0, ORGANIZATION_TYPE="Bank")
    )
    post(client, application(AMT_INCOME_TOTAL=-98_765.0, NAME_INCOME_TYPE="Astronaut"))
    logged = caplog.text
    assert "accepted 1 application" in logged
    assert not any(secret in logged for secret in ("98765", "98 765", "Astronaut", "Bank", KEY))


def test_the_meter_counts_applications_and_requests_by_outcome(client, publisher):
    assert post(client, [application(), application()]).status_code == 202
    assert post(client, application(AMT_CREDIT=-1)).status_code == 422
    publisher.down = True
    assert post(client, application()).status_code == 503
    report = client.app.state.meter.report()
    assert report.counts == {
        "received": 3,
        "sent": 2,
        "unavailable": 1,
        "requests_accepted": 1,
        "requests_refused": 1,
        "requests_unavailable": 1,
    }
    assert report.latency["request"].n == 3


def test_a_timestamp_without_a_timezone_is_refused_naming_the_field(client, publisher):
    error = only_error(post(client, application(submitted_at="2026-12-01T19:45:00")))
    assert (error["field"], error["type"]) == (
        "submitted_at",
        "timezone_aware",
    ) and "timezone" in error["message"]
    assert post(client, application(submitted_at="2026-12-01T19:45:00+01:00")).status_code == 202
    assert len(publisher.published) == 1


@pytest.mark.parametrize(
    "field, value, kind",
    [
        ("AMT_CREDIT", True, "float_type"),
        ("AMT_CREDIT", "406597.5", "float_type"),
        ("SK_ID_CURR", 2**63, "less_than_equal"),
        ("SK_ID_CURR", 100_002.5, "int_from_float"),
        ("AMT_ANNUITY", 1e300, "less_than_equal"),
        ("CNT_CHILDREN", 2.5, "multiple_of"),
        ("FLAG_EMAIL", 0.5, "multiple_of"),
        ("DAYS_EMPLOYED", 12, "days_employed"),
        ("application_id", "bad\nid", "string_pattern_mismatch"),
    ],
)
def test_a_value_the_pipeline_cannot_carry_is_refused_naming_its_field(
    client, publisher, field, value, kind
):
    error = only_error(post(client, application(**{field: value})))
    assert (error["field"], error["type"]) == (field, kind)
    assert publisher.published == []


def test_the_same_application_posted_again_is_a_duplicate_published_once(client, publisher):
    first = application(application_id="upstream-7")
    assert post(client, first).json() == {
        "accepted": 1,
        "application_ids": ["upstream-7"],
        "duplicates": 0,
    }
    retry = post(
        client, {**first, "submitted_at": "2026-12-01T19:45:00Z"}
    )  # a client's retry, with a new time
    assert retry.status_code == 202
    assert retry.json() == {"accepted": 1, "application_ids": ["upstream-7"], "duplicates": 1}
    assert [e.application_id for _, e in publisher.published] == ["upstream-7"]


def test_an_id_posted_again_with_other_values_is_a_conflict_naming_the_id(client, publisher):
    assert post(client, application(application_id="upstream-8")).status_code == 202
    response = post(
        client, [application(), application(application_id="upstream-8", AMT_CREDIT=1_000_000.0)]
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "application_id_conflict" and "upstream-8" in body["message"]
    assert [(e["index"], e["field"], e["type"]) for e in body["errors"]] == [
        (1, "application_id", "application_id_conflict")
    ]
    assert len(publisher.published) == 1  # nothing of the refused batch


def test_a_ledger_written_before_the_faster_fingerprint_still_knows_its_ids(
    client, publisher, ledger
):
    """Rows of an older ledger hold the sorted-key JSON digest: a retry is still a duplicate, other
    values still a conflict."""
    import hashlib
    import json
    import sqlite3

    from credit.events import ApplicationReceived

    old = application(application_id="before-1")
    values = ApplicationReceived.model_validate(old).model_dump(
        mode="json", exclude={"application_id", "submitted_at"}
    )
    legacy = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
    with sqlite3.connect(ledger.path) as db:
        db.execute(
            "INSERT INTO applications VALUES ('before-1', ?, 'published', NULL, 0)", (legacy,)
        )
    assert post(client, old).json()["duplicates"] == 1
    assert post(client, {**old, "AMT_CREDIT": 1_000_000.0}).status_code == 409
    assert publisher.published == []


def test_an_id_twice_in_one_batch_is_published_once_or_refused_if_the_values_differ(
    client, publisher
):
    same = application(application_id="twice-1")
    response = post(client, [same, same, application()])
    assert response.status_code == 202 and response.json()["duplicates"] == 1
    assert response.json()["application_ids"][:2] == ["twice-1", "twice-1"]
    assert [e.application_id for _, e in publisher.published].count("twice-1") == 1
    different = post(
        client, [application(application_id="twice-2"), application(application_id="twice-2")]
    )
    assert different.status_code == 409 and "twice-2" in different.json()["message"]
    assert "twice-2" not in {e.application_id for _, e in publisher.published}


def test_after_a_503_the_resubmitted_applications_are_published(client, publisher):
    batch = [application(), application()]
    publisher.down = True
    ids = post(client, batch).json()["application_ids"]
    publisher.down = False
    again = post(client, [{**item, "application_id": id_} for item, id_ in zip(batch, ids)])
    assert again.status_code == 202 and again.json()["duplicates"] == 0
    assert [e.application_id for _, e in publisher.published] == ids


def test_accepted_ids_are_remembered_in_the_database_across_restarts(publisher, tmp_path):
    def restarted_client():
        app = create_app(IngestSettings(api_keys=KEY))
        app.dependency_overrides[get_publisher] = lambda: publisher
        app.dependency_overrides[get_ledger] = lambda: Ledger(
            tmp_path / "applications.db", hold_s=30
        )
        return TestClient(app, headers={"X-API-Key": KEY})

    payload = application(application_id="kept-1")
    assert post(restarted_client(), payload).json()["duplicates"] == 0
    assert post(restarted_client(), payload).json()["duplicates"] == 1
    assert len(publisher.published) == 1


def test_two_requests_at_once_with_one_id_publish_it_once(client, publisher):
    publisher.delay_s = 0.3  # the first is still waiting for the broker when the second arrives
    payload, answers = application(application_id="racing-1"), []
    threads = [
        threading.Thread(target=lambda: answers.append(post(client, payload))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [202, 202]
    assert sorted(a.json()["duplicates"] for a in answers) == [0, 1]
    assert [e.application_id for _, e in publisher.published] == ["racing-1"]


def test_every_application_received_is_counted_sent_duplicate_or_unavailable(client, publisher):
    repeated = application(application_id="counted-1")
    post(client, [repeated, repeated, application()])
    post(client, repeated)
    post(client, application(application_id="counted-1", AMT_CREDIT=1.0))  # 409: not received
    publisher.down = True
    post(client, [application(), repeated])
    counts = client.app.state.meter.report().counts
    assert (counts["received"], counts["sent"], counts["duplicates"], counts["unavailable"]) == (
        6,
        2,
        3,
        1,
    )
    assert client.app.state.meter.unaccounted() == 0


def test_the_openapi_document_states_the_batch_limits_and_the_value_limits(client):
    document = client.get("/openapi.json").json()
    body = document["paths"]["/v1/applications"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    [batch] = [s for s in body["anyOf"] if s.get("type") == "array"]
    assert (batch["minItems"], batch["maxItems"]) == (1, 5)
    fields = document["components"]["schemas"]["ApplicationReceived"]["properties"]
    assert fields["application_id"]["pattern"] == APPLICATION_ID_PATTERN
    assert (
        fields["SK_ID_CURR"]["maximum"] == 2**63 - 1
        and fields["submitted_at"]["format"] == "date-time"
    )
    assert "409" in document["paths"]["/v1/applications"]["post"]["responses"]


def test_each_application_is_sent_as_its_own_json_serialised_once(client, publisher, ledger):
    import sqlite3

    from ingest.idempotency import content_of

    repeated = application(application_id="bytes-1")
    post(client, [repeated, application(application_id="bytes-2"), repeated])
    events = [event for _, event in publisher.published]
    assert [e.application_id for e in events] == ["bytes-1", "bytes-2"]
    assert publisher.values == [e.to_bytes() for e in events]  # the bytes sent are the event
    with sqlite3.connect(ledger.path) as db:
        stored = dict(db.execute("SELECT application_id, content FROM applications"))
    assert stored == {e.application_id: content_of(e) for e in events}
