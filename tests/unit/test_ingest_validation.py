"""The ingest's one-pass reading of a body accepts exactly what the item-by-item path accepts, with
the same events, and leaves every refusal to that path; the fingerprint taken from an event's own
bytes is the ledger's; a batch's ledger rows are written and read in one statement each."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.events import ApplicationReceived
from ingest.errors import ApiError
from ingest.idempotency import Ledger, content_of, encode, fingerprint
from ingest.validation import parse_items, read_batch, validate_batch

pytestmark = pytest.mark.unit

MAX = 5
AT = "2026-12-01T19:45:00Z"


def item_by_item(body: bytes) -> list[ApplicationReceived]:
    return validate_batch(parse_items(body, MAX))


def one_pass(body: bytes) -> list[ApplicationReceived]:
    return read_batch(body, MAX)


def outcome(read, body: bytes):
    """The events read (as JSON values), or the refusal (status and body)."""
    try:
        return [e.model_dump(mode="json") for e in read(body)]
    except ApiError as error:
        return (error.status, error.body.model_dump())


def same(body: bytes):
    assert outcome(one_pass, body) == outcome(item_by_item, body)
    return outcome(one_pass, body)


def app(**fields) -> dict:
    return {"SK_ID_CURR": 100002, "application_id": "a-1", "submitted_at": AT, **fields}


ACCEPTED = [
    json.dumps(app()),
    json.dumps([app(), app(application_id="a-2", AMT_CREDIT=2)]),
    json.dumps([app(SK_ID_CURR=100002.0, CNT_CHILDREN=1e0, FLAG_MOBIL=1.0)]),
    json.dumps([app(EXT_SOURCE_1=-0.0, EXT_SOURCE_2=0.1000000000000000055511151231257827)]),
    json.dumps([app(DAYS_EMPLOYED=365243, OWN_CAR_AGE=2, NAME_CONTRACT_TYPE="Cash loans")]),
    '[{"SK_ID_CURR": 1, "SK_ID_CURR": 2, "submitted_at": "' + AT + '", "application_id": "x"}]',
    '[{"SK_ID_CURR": 1, "FLAG_OWN_CAR": "\\u0059", "submitted_at": "' + AT + '"'
    ', "application_id": "a\\u0062c"}]',
    ' \t\r\n[{"SK_ID_CURR": 9223372036854775807, "submitted_at": "' + AT + '"'
    ', "application_id": "x", "AMT_CREDIT": 5, "AMT_CREDIT": 7}]\n',
]

REFUSED = [
    "",
    "[]",
    "not json",
    "[1, 2]",
    json.dumps([app()] * (MAX + 1)),  # valid items, too many: 413, not accepted
    json.dumps([app(AMT_CREDIT="1.5"), app(FLAG_OWN_CAR=True), app(NAME_CONTRACT_TYPE="x")]),
    json.dumps([app(), "text", app(unknown=1)]),
    json.dumps([app(submitted_at="2026-12-01T19:45:00")]),
    '[{"SK_ID_CURR": 1, "AMT_CREDIT": NaN}]',
    '[{"SK_ID_CURR": 9223372036854775808}]',
    '[{"SK_ID_CURR": 1, "application_id": "abc", "application_id": "bad id"}]',
    '[{"SK_ID_CURR": 1}]\x00',
    '[{"SK_ID_CURR": 1}] [',
    '{"SK_ID_CURR": 1',
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_a_valid_body_gives_the_same_events_in_one_pass(body):
    assert isinstance(same(body.encode()), list)


@pytest.mark.parametrize("body", REFUSED)
def test_a_refused_body_is_refused_as_item_by_item(body):
    assert isinstance(same(body.encode()), tuple)


def test_a_body_only_the_item_by_item_path_reads_is_still_accepted():
    body = "\ufeff" + json.dumps([app()])  # a byte order mark: json.loads takes it, pydantic not
    assert outcome(one_pass, body.encode()) == outcome(item_by_item, body.encode())
    assert len(read_batch(body.encode(), MAX)) == 1


def test_every_row_of_the_sample_reads_the_same_in_one_pass():
    from benchmarks.backbone_speed import application_rows

    rows = [r.model_dump(mode="json") for r in application_rows()[:1000]]
    for start in range(0, len(rows), MAX):
        same(json.dumps(rows[start : start + MAX]).encode())


numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.tuples(st.integers(-(10**20), 10**20), st.integers(0, 10**25), st.integers(-340, 340)).map(
        lambda p: f"{p[0]}.{p[1]}e{p[2]}"
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["AMT_CREDIT", "EXT_SOURCE_1", "DAYS_BIRTH", "CNT_CHILDREN", "OWN_CAR_AGE"]),
    numbers,
)
def test_any_number_reads_the_same_in_one_pass(field, number):
    body = f'[{{"SK_ID_CURR": 1, "submitted_at": "{AT}", "application_id": "n", '
    same(f'{body}"{field}": {number}}}]'.encode())


@pytest.mark.parametrize("application_id", ["a", "x" * 64, "loan-applications-2-17", "A.b_c:d-9"])
def test_the_fingerprint_of_an_event_s_bytes_is_its_content_s(application_id):
    from benchmarks.backbone_speed import application_rows

    for row in application_rows()[:200]:
        event = row.model_copy(update={"application_id": application_id})
        assert fingerprint(event.to_bytes()) == content_of(event)
        retried = event.model_copy(update={"submitted_at": "2027-01-01T00:00:00+01:00"})
        assert fingerprint(retried.to_bytes()) == content_of(event)  # time is not content
    other = event.model_copy(update={"AMT_CREDIT": (event.AMT_CREDIT or 1.0) + 1})
    assert fingerprint(other.to_bytes()) != content_of(event)


def test_the_fingerprint_refuses_bytes_that_are_not_an_application():
    with pytest.raises(ValueError):
        fingerprint(b'{"client_id": 1}')


def test_a_batch_larger_than_sqlite_s_parameter_limit_is_reserved_and_settled(tmp_path):
    ledger = Ledger(tmp_path / "applications.db", hold_s=30)
    items = [
        encode(ApplicationReceived(SK_ID_CURR=1 + i, application_id=f"big-{i}"))
        for i in range(1200)
    ]
    first = ledger.reserve(items)
    assert len(first.new) == 1200 and first.duplicates == 0
    pending = ledger.reserve(items).pending  # still publishing
    assert sorted(pending) == sorted(i.application_id for i in items)
    ledger.published(first)
    again = ledger.reserve(items)
    assert (again.new, again.duplicates, again.pending) == ([], 1200, [])
    released = ledger.reserve(
        [encode(ApplicationReceived(SK_ID_CURR=5, application_id=f"new-{i}")) for i in range(700)]
    )
    ledger.release(released)
    assert len(ledger.reserve([released.new[0]]).new) == 1  # released: publishable again
