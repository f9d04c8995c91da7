"""The explainer's micro-batch step and its Faust agent, without a broker or a model."""
from __future__ import annotations

import asyncio
import base64
from unittest.mock import AsyncMock

import pytest

from credit.dead_letters import Message
from credit.events import ApplicationExplained, ApplicationScored, DeadLettered, now
from credit.topics import DECISIONS_DLQ, LOAN_DECISIONS, LOAN_EXPLANATIONS
from explainer.batch import process_batch
from explainer.models import UnknownModel

pytestmark = pytest.mark.unit


class FakeExplainer:
    """Puts the whole PD gap on one group; for client 666 it gets the sum wrong on purpose."""
    features = ["A", "B"]

    def explain(self, decisions):
        return [self._one(d, d.probability_of_default - 0.05 + (0.01 if d.client_id == 666 else 0)) for d in decisions]

    def _one(self, d, points):
        return ApplicationExplained(
            application_id=d.application_id, client_id=d.client_id, model_version=d.model_version,
            probability_of_default=d.probability_of_default, decision=d.decision, threshold=d.threshold,
            base_value=0.05, contributions=[{"group": "age", "points": points}], feature_points=[points, 0.0],
            reasons=[], summary={"fr": "r", "en": "s"}, decided_at=d.decided_at, explained_at=now())


class FakeExplainers:
    def __init__(self):
        self.asked = []

    def get(self, version):
        self.asked.append(version)
        if version != "v1":
            raise UnknownModel(f"model version {version!r} is not in models (known: v1)")
        return FakeExplainer()


def decision(client: int, version: str = "v1", features=(0.5, None)) -> bytes:
    return ApplicationScored(application_id=f"app-{client}", client_id=client, probability_of_default=0.2,
                             decision="refused", threshold=0.1, model_version=version, decided_at=now(),
                             submitted_at=now(), timings_ms={}, features=list(features)).to_bytes()


def run(values: list[bytes | None]):
    published, dead = [], []

    async def publish(explanation):
        published.append(explanation)

    async def publish_dead(letter, key):
        dead.append((letter, key))
    messages = [Message(b"k%d" % i, v, LOAN_DECISIONS, 0, i) for i, v in enumerate(values)]
    count = asyncio.run(process_batch(messages, FakeExplainers(), publish, publish_dead))
    return count, published, {letter.source_offset: letter for letter, _ in dead}


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
    count, published, dead = run([b"{not json", None, decision(4, features=[1.0]), decision(666), decision(5)])
    assert count == 1 and [e.client_id for e in published] == [5]
    assert set(dead) == {0, 1, 2, 3}
    assert "1 features; model v1 takes 2" in dead[2].reason
    assert "does not add up to the decision's PD" in dead[3].reason
    assert dead[1].reason == "no value (a null message)"


class CrashingExplainer(FakeExplainer):
    def explain(self, decisions):
        if any(d.client_id == 13 for d in decisions):
            raise FloatingPointError("overflow encountered in exp")
        return super().explain(decisions)


def test_any_error_explaining_one_decision_dead_letters_it_alone_and_so_does_a_failed_publication():
    explainers = FakeExplainers()
    explainers.get = lambda version: CrashingExplainer()
    published, dead = [], []

    async def publish(explanation):
        if explanation.client_id == 7:
            raise ValueError("message too large")
        published.append(explanation)

    async def publish_dead(letter, key):
        dead.append(letter)
    messages = [Message(b"k", decision(c), LOAN_DECISIONS, 0, c) for c in (1, 13, 7, 2)]
    assert asyncio.run(process_batch(messages, explainers, publish, publish_dead)) == 2
    assert [e.client_id for e in published] == [1, 2]
    assert {d.source_offset: d.reason for d in dead} == {
        13: "cannot be explained: FloatingPointError: overflow encountered in exp",
        7: "the explanation cannot be published: message too large"}


def test_the_agent_publishes_explanations_keyed_by_client_and_dead_letters_with_the_original_key(tmp_path):
    from explainer.app import create_app
    from explainer.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, batch_wait_s=0.01), explainers=FakeExplainers())
    sends = {name: AsyncMock() for name in (LOAN_EXPLANATIONS, DECISIONS_DLQ)}
    for name, send in sends.items():
        app.explainer_topics[name].send = send

    async def drive():
        async with app.agents["explain-decisions"].test_context() as agent:
            await agent.put(decision(7), key=b"7")
            await agent.put(b"\xff", key=b"8")
            await agent.put(decision(9, "nope"), key=b"9")

    asyncio.run(drive())
    explained = [(c.kwargs["key"], ApplicationExplained.from_bytes(c.kwargs["value"]))
                 for c in sends[LOAN_EXPLANATIONS].call_args_list]
    assert [(key, e.application_id) for key, e in explained] == [(b"7", "app-7")]
    letters = [(c.kwargs["key"], DeadLettered.from_bytes(c.kwargs["value"])) for c in sends[DECISIONS_DLQ].call_args_list]
    assert [key for key, _ in letters] == [b"8", b"9"] and all(letter.reason for _, letter in letters)
    report = app.explainer_meter.report()  # what operations are told of the same work
    assert report.counts == {"received": 3, "sent": 1, "dead_letters": 2}
    assert report.latency["decided_to_explained"].n == 1 and report.latency["batch"].n >= 1
