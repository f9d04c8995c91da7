"""The explainer's micro-batch step and its Faust agent, without a broker or a model."""

from __future__ import annotations

import asyncio
import base64

import pytest

from credit.dead_letters import Message
from credit.events import ApplicationExplained, ApplicationScored, DeadLettered, now
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from explainer.batch import process_batch
from tests.fakes import FakeBatchConsumer, FakeExplainer, FakeExplainers, FakeSends, Outlets

pytestmark = pytest.mark.unit


def decision(client: int, version: str = "v1", features=(0.5, None)) -> bytes:
    return ApplicationScored(
        application_id=f"app-{client}",
        client_id=client,
        probability_of_default=0.2,
        decision="refused",
        threshold=0.1,
        model_version=version,
        decided_at=now(),
        submitted_at=now(),
        timings_ms={},
        features=list(features),
    ).to_bytes()


def run(values: list[bytes | None]):
    outlets = Outlets()
    messages = [Message(b"k%d" % i, v, LOAN_DECISIONS, 0, i) for i, v in enumerate(values)]
    count = asyncio.run(
        process_batch(messages, FakeExplainers(), outlets.publish, outlets.publish_dead)
    )
    return count, outlets.published, {letter.source_offset: letter for letter in outlets.letters}


def test_decisions_are_explained_by_their_own_model_version():
    count, published, dead = run([decision(1), decision(2)])
    assert count == 2 and [e.application_id for e in published] == ["app-1", "app-2"] and not dead


def test_an_unknown_model_version_is_dead_lettered_with_the_version_and_the_rest_explained():
    retired = decision(2, "v0-retired")
    count, published, dead = run([decision(1), retired, decision(3)])
    assert [e.client_id for e in published] == [1, 3]
    assert list(dead) == [1] and "'v0-retired' is not in models" in dead[1].reason
    assert base64.b64decode(dead[1].original) == retired and dead[1].service == "explainer"


def test_garbage_a_wrong_feature_count_and_a_sum_that_does_not_add_up_are_dead_lettered():
    count, published, dead = run(
        [b"{not json", None, decision(4, features=[1.0]), decision(666), decision(5)]
    )
    assert count == 1 and [e.client_id for e in published] == [5]
    assert set(dead) == {0, 1, 2, 3}
    assert "1 features; model v1 takes 2" in dead[2].reason
    assert "does not add up to the decision's PD" in dead[3].reason
    assert dead[1].reason == "no value (a null message)"


def test_any_error_explaining_one_decision_dead_letters_it_alone_and_so_does_a_failed_publication():
    explainers = FakeExplainers(FakeExplainer(crashing_client=13))
    outlets = Outlets(refused={7: ValueError("message too large")})
    messages = [Message(b"k", decision(c), LOAN_DECISIONS, 0, c) for c in (1, 13, 7, 2)]
    assert (
        asyncio.run(process_batch(messages, explainers, outlets.publish, outlets.publish_dead)) == 2
    )
    assert [e.client_id for e in outlets.published] == [1, 2]
    assert {d.source_offset: d.reason for d in outlets.letters} == {
        13: "cannot be explained: FloatingPointError: overflow encountered in exp",
        7: "the explanation cannot be published: message too large",
    }


def test_the_worker_publishes_explanations_keyed_by_client_and_dead_letters_with_the_original_key(
    tmp_path,
):
    from credit.monitoring import Meter
    from explainer.app import create_app
    from explainer.settings import Settings

    sends, meter = FakeSends(), Meter("explainer", "test")
    consumer = FakeBatchConsumer(
        LOAN_DECISIONS, [(b"7", decision(7)), (b"8", b"\xff"), (b"9", decision(9, "nope"))]
    )
    worker = create_app(
        Settings(data_dir=tmp_path),
        explainers=FakeExplainers(),
        send=sends,
        consumer=consumer,
        meter=meter,
    )

    assert asyncio.run(worker.batches["explain-decisions"].step()) == 3
    assert consumer.commits == [{(LOAN_DECISIONS, 0): 3}]
    explained = [
        (c.kwargs["key"], ApplicationExplained.from_bytes(c.kwargs["value"]))
        for c in sends[LOAN_EXPLANATIONS].call_args_list
    ]
    assert [(key, e.application_id) for key, e in explained] == [(b"7", "app-7")]
    letters = [
        (c.kwargs["key"], DeadLettered.from_bytes(c.kwargs["value"]))
        for c in sends[DECISIONS_DLQ].call_args_list
    ]
    assert [key for key, _ in letters] == [b"8", b"9"] and all(
        letter.reason for _, letter in letters
    )
    report = meter.report()  # what operations are told of the same work
    assert report.counts == {"received": 3, "sent": 1, "dead_letters": 2}
    assert report.latency["decided_to_explained"].n == 1 and report.latency["batch"].n >= 1
