"""The ops feed's reading of the application_id of the messages it reconciles: what json.loads of
the whole message says, on generated JSON and on real events."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.dead_letters import Message, dead_letter, derived_id
from credit.topics import LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS
from dashboard.intake import _application_id
from tests.unit.test_dashboard_store import application, decision, explanation

pytestmark = pytest.mark.unit

RECONCILED = (LOAN_APPLICATIONS, LOAN_DECISIONS, LOAN_EXPLANATIONS)


def read_by_json(message: Message) -> str | None:
    """The application_id as json.loads of the whole message reads it (the feed's former way)."""
    try:
        event = json.loads(message.value)
        if message.topic == LOAN_APPLICATIONS and "application_id" not in event:
            return derived_id(message)
        return event["application_id"] if isinstance(event["application_id"], str) else None
    except Exception:  # noqa: BLE001 - whatever json.loads or the lookup refuses
        return None


def message(value: bytes | None, topic: str = LOAN_EXPLANATIONS) -> Message:
    return Message(b"7", value, topic, 2, 41)


spaces = st.text(alphabet=" \t\n\r", max_size=2)
# keys that are, or look like, application_id; texts with quotes, escapes and the key's name
names = st.sampled_from(["application_id", "application_idx", "client_id", '"application_id'])
texts = st.one_of(names, st.text(max_size=8), st.sampled_from(['"', "\\", "\x00", "€", "\ud800"]))


@st.composite
def strings(draw, of=texts) -> str:
    """A JSON string as any serializer may write it: plain, ASCII-escaped, or each character in
    \\u escapes at random."""
    text = draw(of)
    if draw(st.booleans()):
        return json.dumps(text, ensure_ascii=draw(st.booleans()))
    escaped = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return (
        '"'
        + "".join(
            f"\\u{ord(c):04x}" if e else json.dumps(c, ensure_ascii=False)[1:-1]
            for c, e in zip(text, escaped)
        )
        + '"'
    )


@st.composite
def values(draw, depth: int = 2) -> str:
    scalars = st.one_of(
        st.sampled_from(["null", "true", "false", "NaN", "-Infinity"]),
        st.integers().map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        strings(),
    )
    kind = draw(st.integers(0, 2)) if depth else 0
    if kind == 0:
        return draw(scalars)
    if kind == 1:
        items = draw(st.lists(values(depth - 1), max_size=3))
        return "[" + ",".join(draw(spaces) + item + draw(spaces) for item in items) + "]"
    return draw(objects(depth - 1))


@st.composite
def objects(draw, depth: int = 2) -> str:
    """A JSON object, its first key often application_id, its keys sometimes repeated."""
    keys = draw(st.lists(strings(names) | strings(), max_size=4))
    if draw(st.booleans()):
        keys.insert(0, '"application_id"')
    members = [
        f"{draw(spaces)}{key}{draw(spaces)}:{draw(spaces)}{draw(values(depth))}{draw(spaces)}"
        for key in keys
    ]
    return "{" + ",".join(members) + "}"


@settings(deadline=None)  # a loaded machine's slow example is not a failure
@given(document=objects() | values(), topic=st.sampled_from(RECONCILED), around=spaces)
def test_the_application_id_is_what_json_loads_reads_in_any_json_document(document, topic, around):
    raw = (around + document + around).encode("utf-8", "surrogatepass")
    assert _application_id(message(raw, topic)) == read_by_json(message(raw, topic))


def real_events() -> list[tuple[str, bytes]]:
    without_id = application("x", 7).model_dump(mode="json", exclude={"application_id"})
    return [
        (LOAN_APPLICATIONS, application("a-1", 7).to_bytes()),
        (LOAN_APPLICATIONS, json.dumps(without_id).encode()),
        (LOAN_DECISIONS, decision("a-1", 7).to_bytes()),
        (LOAN_EXPLANATIONS, explanation("a-1", 7).to_bytes()),
        (LOAN_DECISIONS, dead_letter(b"{}", "bad", LOAN_DECISIONS, 0, 3, "scorer").to_bytes()),
    ]


# what another writer may do to an event: reformat it, repeat its key (last one read), spell it
# with escapes, cut it short, or send something else
REWRITES = [
    lambda raw: raw,
    lambda raw: json.dumps(json.loads(raw), indent=2, ensure_ascii=True).encode(),
    lambda raw: b" \n" + raw.replace(b'":', b'" :\t') + b"\r\n",
    lambda raw: raw[:-1] + b',"application_id":"later"}',
    lambda raw: raw[:-1] + b',"application\\u005fid":"later"}',
    lambda raw: raw[:-1] + b',"nested":{"application_id":"inner"}}',
    lambda raw: raw[:-1] + b',"application_id":7}',
    lambda raw: raw[: len(raw) // 2],
    lambda raw: raw[:-1],
    lambda raw: b"\xef\xbb\xbf" + raw,  # a byte-order mark, which json.loads skips in bytes
    lambda raw: raw.decode().encode("utf-16"),
    lambda raw: raw.replace(b"a-1", b"a-\xff"),  # not UTF-8
    lambda raw: raw[:-1] + b',"name":"\xff"}',
    lambda raw: raw.replace(b"a-1", b"a\\u002d1"),  # the id itself in escapes
    lambda raw: raw.replace(b"a-1", b"a\t1"),  # a control character: not JSON
    lambda raw: b"[" + raw + b"]",
    lambda raw: b"",
    lambda raw: None,
]


@pytest.mark.parametrize("rewrite", range(len(REWRITES)))
def test_the_application_id_of_real_events_rewritten_is_what_json_loads_reads(rewrite):
    for topic, raw in real_events():
        value = REWRITES[rewrite](raw)
        assert _application_id(message(value, topic)) == read_by_json(message(value, topic))


def test_the_events_our_services_write_give_their_id_and_an_application_without_one_its_position():
    ids = [_application_id(message(raw, topic)) for topic, raw in real_events()]
    assert ids == ["a-1", "loan-applications-2-41", "a-1", "a-1", None]


def test_a_broken_event_that_begins_with_its_id_gives_the_id_its_dead_letter_is_by_position():
    # the one difference from json.loads, which refuses the whole message
    broken = b'{"application_id":"a-1","client_id":7,}'
    assert read_by_json(message(broken)) is None
    assert _application_id(message(broken)) == "a-1"
