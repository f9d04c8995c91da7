"""Property tests of the topic path, as an upstream system would use it (a Kafka client, no API):
whatever is put onto loan-applications or loan-decisions (arbitrary bytes, JSON objects near the
schema) ends with exactly one result or exactly one dead letter keeping its bytes, and the good
messages around it are processed, once.

hypothesis draws the messages (derandomized: the same ones on every run) and each is published as it
is drawn, between two good ones; the outcomes are awaited once for the whole batch: a broker round
trip per example would be far too slow.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from kafka import KafkaProducer

from credit.topics import LOAN_APPLICATIONS, LOAN_DECISIONS
from tests.integration.stack import Outcomes, post, read_topic
from tests.json_rows import json_rows
from tests.processes import wait_until

pytestmark = pytest.mark.integration

EXAMPLES = 100  # bad messages per test, each between two good ones
PARTITION = 1  # one partition, so the good ones are processed right before and after each bad one
DRAWN = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: the property is checked afterwards
    suppress_health_check=list(HealthCheck),
)

# What an upstream system could put in a field: none of the schema's types, or values at or past its
# edges.
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**80),
    st.integers(min_value=-(2**80), max_value=-(2**63) - 1),
    st.floats(),
    st.sampled_from([1e300, -9.5e307, 3.5e38, 1e-320, 0.5, 2.5, 365243, 365243.0, -0.0, 2**53 + 1]),
    st.text(max_size=20),
    st.sampled_from(["1", "1e3", "NaN", "Y", "granted", "\x00", "\u202e", "é" * 70]),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
        datetime.isoformat
    ),  # naive
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.lists(st.floats() | st.none(), max_size=3),
)
KEYS = st.none() | st.binary(max_size=20)  # whatever the key, the value decides


def mutated(base: dict):
    """`base` with one to four fields dropped, replaced by odd values, or added (any name)."""
    names = sorted(base)
    replaced = st.tuples(st.just("set"), st.sampled_from(names), ODD_VALUES)
    change = st.one_of(
        replaced,
        replaced,
        st.tuples(st.just("drop"), st.sampled_from(names), st.none()),
        st.tuples(st.just("add"), st.text(min_size=1, max_size=12), ODD_VALUES),
    )
    return st.lists(change, min_size=1, max_size=4).map(lambda changes: changed(base, changes))


def changed(base: dict, changes) -> dict:
    event = dict(base)
    for kind, name, value in changes:
        if kind == "drop":
            event.pop(name, None)
        else:
            event[name] = value
    return event


def with_odd_features(decision: dict):
    """A decision whose input vector has one value replaced, or is cut short."""
    n = len(decision["features"])
    replaced = st.tuples(st.integers(0, n - 1), ODD_VALUES).map(
        lambda c: {
            **decision,
            "features": [*decision["features"][: c[0]], c[1], *decision["features"][c[0] + 1 :]],
        }
    )
    return replaced | st.integers(0, n - 1).map(
        lambda k: {**decision, "features": decision["features"][:k]}
    )


def encoded(event: dict) -> bytes:
    """JSON as a careless producer writes it: NaN and Infinity as such, lone surrogates as invalid
    UTF-8."""
    return json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass")


def result_id(topic: str, position: tuple[int, int], value: bytes) -> str | None:
    """The application_id the result of this message would carry (an application without one: its
    position)."""
    try:
        event = json.loads(value)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    if "application_id" not in event:
        return f"{topic}-{position[0]}-{position[1]}" if topic == LOAN_APPLICATIONS else None
    return event["application_id"] if isinstance(event["application_id"], str) else None


class Batch:
    """Good and bad messages published in turn onto one partition of `topic`, and where each
    went."""

    def __init__(self, bootstrap: str, topic: str, good):
        self.topic, self.good = topic, good  # good(): a new valid event, with a new application_id
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.tag = f"-{uuid.uuid4().hex[:6]}-"
        self.good_ids: list[str] = []
        self.bad: dict[tuple[int, int], bytes] = {}  # (partition, offset) -> the bytes sent

    def send(self, value: bytes, key: bytes | None) -> tuple[int, int]:
        sent = self.producer.send(self.topic, key=key, value=value, partition=PARTITION).get(
            timeout=30
        )
        return sent.partition, sent.offset

    def send_good(self) -> None:
        event = self.good()
        self.good_ids.append(event["application_id"])
        self.send(encoded(event), str(event.get("SK_ID_CURR", event.get("client_id"))).encode())

    def send_bad(self, value: bytes | dict, key: bytes | None) -> None:
        """A drawn message; a drawn event's application_id, when a string, is made unique (drawn
        ones repeat)."""
        if isinstance(value, dict):
            if isinstance(value.get("application_id"), str):
                value = {
                    **value,
                    "application_id": f"{value['application_id']}{self.tag}{len(self.bad)}",
                }
            value = encoded(value)
        self.bad[self.send(value, key)] = value
        self.send_good()

    def close(self) -> None:
        self.producer.close()


def fuzz(topic: str, bootstrap: str, good, drawn, results, timeout: float = 180) -> None:
    """EXAMPLES messages drawn from `drawn` onto `topic`, a good one before and after each; then
    each bad one has exactly one result (`results(outcomes)`: id -> positions) or one dead letter
    keeping its bytes, and each good one exactly one result."""
    batch = Batch(bootstrap, topic, good)

    @DRAWN
    @given(drawn, KEYS)
    def publish(value, key):
        batch.send_bad(value, key)

    try:
        batch.send_good()
        publish()
    finally:
        batch.close()
    outcomes = Outcomes(bootstrap)

    def ended() -> bool:
        found = results(outcomes.read())
        return all(found.get(i) for i in batch.good_ids) and all(
            sum(count(batch, outcomes, results, p)) for p in batch.bad
        )

    try:
        wait_until(ended, timeout, f"an outcome of every message sent onto {topic}", every=0)
        outcomes.read_to_end()
    except TimeoutError as error:
        print(error)  # the assertions say which messages
    finally:
        outcomes.close()
    check(batch, outcomes, results)


def count(batch: Batch, outcomes: Outcomes, results, position) -> tuple[int, int]:
    """(results, dead letters) of the bad message at `position`."""
    value = batch.bad[position]
    return (
        len(results(outcomes).get(result_id(batch.topic, position, value), [])),
        len(outcomes.dead.get((batch.topic, *position), [])),
    )


def check(batch: Batch, outcomes: Outcomes, results) -> None:
    letters = {
        p: outcomes.dead[(batch.topic, *p)][0]
        for p in batch.bad
        if outcomes.dead.get((batch.topic, *p))
    }
    print(
        f"{batch.topic}: {len(batch.bad)} bad messages, {len(letters)} dead-lettered, the others "
        f"processed; {len(batch.good_ids)} good ones"
    )
    wrong = {
        p: (count(batch, outcomes, results, p), batch.bad[p][:300])
        for p in batch.bad
        if count(batch, outcomes, results, p) not in ((1, 0), (0, 1))
    }
    assert not wrong, (
        "bad messages without exactly one outcome, position: ((results, dead letters), value): "
        f"{wrong}"
    )
    not_once = {
        i: len(results(outcomes).get(i, []))
        for i in batch.good_ids
        if len(results(outcomes).get(i, [])) != 1
    }
    assert not not_once, f"good messages not processed exactly once: {not_once}"
    altered = [
        p for p, letter in letters.items() if base64.b64decode(letter.original) != batch.bad[p]
    ]
    assert not altered, f"dead letters that do not keep the original bytes: {altered}"
    assert all(letter.reason.strip() for letter in letters.values())


@pytest.fixture(scope="module")
def application(real_data_dir) -> dict:
    """A real application (a row of application_test.csv) as an upstream system sends it."""
    row = json_rows(pd.read_csv(real_data_dir / "application_test.csv").head(1))[0]
    return {**row, "application_id": "prop", "submitted_at": datetime.now(UTC).isoformat()}


@pytest.fixture(scope="module")
def decision(stack, kafka_broker, application) -> dict:
    """A real decision of the scorer (of `application`, posted through the API), as JSON."""
    [application_id] = post(
        stack.url, [{**application, "application_id": f"prop-{uuid.uuid4().hex}"}]
    )
    decisions = read_topic(
        kafka_broker.bootstrap,
        LOAN_DECISIONS,
        lambda e: any(d.get("application_id") == application_id for d in e),
        120,
        _json_object,
    )
    return next(d for d in decisions if d.get("application_id") == application_id)


def _json_object(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def renamed(event: dict):
    return lambda: {**event, "application_id": f"prop-good-{uuid.uuid4().hex}"}


def test_arbitrary_bytes_on_loan_applications_end_decided_or_dead_lettered(
    stack, kafka_broker, application
):
    fuzz(
        LOAN_APPLICATIONS,
        kafka_broker.bootstrap,
        renamed(application),
        st.binary(max_size=300),
        lambda outcomes: outcomes.decided,
    )


def test_applications_near_the_schema_on_the_topic_end_decided_or_dead_lettered(
    stack, kafka_broker, application
):
    fuzz(
        LOAN_APPLICATIONS,
        kafka_broker.bootstrap,
        renamed(application),
        mutated(application),
        lambda outcomes: outcomes.decided,
    )


def test_bytes_and_decisions_near_the_schema_on_loan_decisions_end_explained_or_dead_lettered(
    stack, kafka_broker, decision
):
    drawn = st.one_of(st.binary(max_size=300), mutated(decision), with_odd_features(decision))
    fuzz(
        LOAN_DECISIONS,
        kafka_broker.bootstrap,
        renamed(decision),
        drawn,
        lambda outcomes: outcomes.explained,
    )
