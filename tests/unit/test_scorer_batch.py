"""The scorer's micro-batch step and its Faust agent, without a broker."""

from __future__ import annotations

import asyncio
import base64

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError

from credit.dead_letters import Message
from credit.events import ApplicationReceived, ApplicationScored, DeadLettered, HistoryRecorded
from credit.topics import APPLICATIONS_DLQ, LOAN_APPLICATIONS, LOAN_DECISIONS
from scorer.batch import process_batch
from tests.fakes import FakeBatchConsumer, FakeHistory, FakeScorer, FakeSends, Outlets

pytestmark = pytest.mark.unit


def message(value: bytes | None, offset: int, key: bytes | None = b"100001") -> Message:
    return Message(key, value, LOAN_APPLICATIONS, 1, offset)


def application(client: int, credit: float = 200_000.0) -> bytes:
    return ApplicationReceived(SK_ID_CURR=client, AMT_CREDIT=credit).to_bytes()


def run(messages, scorer=None, histories=None, outlets=None):
    outlets = outlets or Outlets()
    count = asyncio.run(
        process_batch(
            messages,
            scorer or FakeScorer(),
            (histories or {}).get,
            outlets.publish,
            outlets.publish_dead,
        )
    )
    return outlets.published, outlets.dead, count


def test_good_applications_are_decided_in_order():
    published, dead, _ = run([message(application(1), 0), message(application(2, 5e6), 1)])
    assert [(d.client_id, d.decision) for d in published] == [(1, "granted"), (2, "refused")]
    assert dead == []


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"", "empty message"),
        (b"\x00\xff garbage", "Invalid JSON"),
        (
            b'{"SK_ID_CURR": 5, "AMT_CREDIT": -10}',
            "AMT_CREDIT: Input should be greater than or equal to 1",
        ),
        (b'{"AMT_CREDIT": 10}', "SK_ID_CURR: Field required"),
        (
            b'{"SK_ID_CURR": 5, "NAME_CONTRACT_TYPE": "Mortgage"}',
            "NAME_CONTRACT_TYPE: Input should be",
        ),
        (
            b'{"SK_ID_CURR": 5, "DAYS_BIRTH": -1000}',
            "DAYS_BIRTH: Input should be less than or equal to -6570",
        ),
        (
            b'{"SK_ID_CURR": 5, "favourite_colour": "red"}',
            "favourite_colour: Extra inputs are not permitted",
        ),
    ],
)
def test_poison_message_goes_to_dead_letter_with_reason_and_offset_and_the_rest_continues(
    raw, reason
):
    published, dead, _ = run([message(raw, 41, key=b"k"), message(application(7), 42)])
    assert [d.client_id for d in published] == [7]
    ((letter, key),) = dead
    assert reason in letter.reason and key == b"k"
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
        LOAN_APPLICATIONS,
        1,
        41,
    )
    assert base64.b64decode(letter.original) == raw


def test_a_message_too_large_for_a_dead_letter_keeps_its_start_and_says_how_large_it_was():
    from credit.dead_letters import ORIGINAL_KEPT

    raw = (
        b'{"SK_ID_CURR": 5, "NAME_TYPE_SUITE": "' + b"x" * 999_000 + b'"}'
    )  # a 1 MB message the broker took
    _, [(letter, _)], _ = run([message(raw, 3)])
    assert base64.b64decode(letter.original) == raw[:ORIGINAL_KEPT] and letter.original_size == len(
        raw
    )
    assert len(letter.to_bytes()) < 512 * 1024 and "NAME_TYPE_SUITE" in letter.reason


def test_client_history_is_looked_up_and_missing_history_is_allowed():
    record = HistoryRecorded(
        client_id=1, aggregates={"INST_LATE_COUNT": 3.0}, computed_from="x"
    ).to_bytes()
    scorer = FakeScorer()
    published, _, _ = run(
        [message(application(1), 0), message(application(2), 1)], scorer, {1: record}
    )
    assert len(published) == 2 and scorer.seen_histories == {1: {"INST_LATE_COUNT": 3.0}}


def test_an_event_that_cannot_be_featured_is_dead_lettered_alone():
    published, dead, _ = run(
        [message(application(1), 0), message(application(66), 1), message(application(3), 2)],
        FakeScorer(bad_client=66),
    )
    assert [d.client_id for d in published] == [1, 3]
    assert [letter.source_offset for letter, _ in dead] == [1]


def test_any_error_scoring_one_application_dead_letters_it_alone_with_its_cause():
    published, dead, _ = run(
        [message(application(1), 0), message(application(66), 1), message(application(3), 2)],
        FakeScorer(broken_client=66),
    )
    assert [d.client_id for d in published] == [1, 3]
    [(letter, _)] = dead
    assert (
        letter.source_offset == 1
        and letter.reason == "cannot be scored: ZeroDivisionError: float division by zero"
    )


def test_a_decision_that_cannot_be_published_is_dead_lettered_and_the_others_go_on():
    outlets = Outlets(
        refused={2: TypeError("can't subtract offset-naive and offset-aware datetimes")}
    )
    published, _, count = run([message(application(c), c) for c in (1, 2, 3)], outlets=outlets)
    assert count == 2
    assert [d.client_id for d in published] == [1, 3]
    [letter] = outlets.letters
    assert letter.source_offset == 2 and letter.reason.startswith(
        "the decision cannot be published: TypeError"
    )


def test_an_unreadable_history_record_dead_letters_its_clients_application_only():
    published, dead, _ = run(
        [message(application(1), 0), message(application(2), 1)], histories={1: b"{not json"}
    )
    assert [d.client_id for d in published] == [2]
    [(letter, _)] = dead
    assert letter.source_offset == 0 and "history record cannot be read" in letter.reason


def scorer_worker(settings, *batches, sends=None):
    """The scorer's worker over fakes: its scorer, its producer, its consumer of `batches` of
    (key, value), an empty history already read (no broker)."""
    from credit.monitoring import Meter
    from scorer.app import create_app

    sends, meter = sends or FakeSends(), Meter("scorer", "test")
    consumer = FakeBatchConsumer(LOAN_APPLICATIONS, *batches)
    worker = create_app(
        settings,
        scorer=FakeScorer(),
        send=sends,
        consumer=consumer,
        history=FakeHistory(),
        meter=meter,
    )
    return worker.batches["score-applications"], sends, meter, consumer


def test_a_timestamp_without_timezone_in_a_batch_loses_no_decision_and_the_counts_balance(tmp_path):
    """Issue 14, loss 1: the 2nd of 4 applications of one client had a naive submitted_at; the agent
    failed after publishing the first decision and the rest of the batch was committed with no
    decision."""
    from scorer.settings import Settings

    naive = b'{"SK_ID_CURR": 9, "AMT_CREDIT": 1000.0, "submitted_at": "2026-12-01T19:45:00"}'
    batch = [(b"9", v) for v in (application(9), naive, application(9), application(9))]
    applications, sends, meter, consumer = scorer_worker(Settings(data_dir=tmp_path), batch)

    assert asyncio.run(applications.step()) == 4
    assert sends[LOAN_DECISIONS].await_count == 3
    (dead,) = [
        DeadLettered.from_bytes(c.kwargs["value"]) for c in sends[APPLICATIONS_DLQ].call_args_list
    ]
    assert "submitted_at" in dead.reason
    assert meter.report().unaccounted == 0
    assert consumer.commits == [{(LOAN_APPLICATIONS, 0): 4}]


def test_the_worker_decodes_scores_and_sends_through_its_topics(tmp_path):
    from scorer.settings import Settings

    applications, sends, meter, _ = scorer_worker(
        Settings(data_dir=tmp_path),
        [(b"9", application(9)), (b"9", b"not json")],
        [(b"10", application(10))],
    )

    async def drive():
        return [await applications.step() for _ in range(3)]

    assert asyncio.run(drive()) == [2, 1, 0]
    decided = [
        ApplicationScored.from_bytes(c.kwargs["value"])
        for c in sends[LOAN_DECISIONS].call_args_list
    ]
    assert [
        (d.client_id, c.kwargs["key"])
        for d, c in zip(decided, sends[LOAN_DECISIONS].call_args_list)
    ] == [(9, b"9"), (10, b"10")]
    (dead,) = [
        DeadLettered.from_bytes(c.kwargs["value"]) for c in sends[APPLICATIONS_DLQ].call_args_list
    ]
    assert "Invalid JSON" in dead.reason
    report = meter.report()  # what operations are told of the same work
    by_decision = {d.decision: sum(x.decision == d.decision for x in decided) for d in decided}
    assert report.counts == {"received": 3, "sent": 2, "dead_letters": 1, **by_decision}
    assert sum(report.pd_histogram) == 2 and report.latency["submitted_to_decided"].n == 2


def test_a_decision_the_broker_does_not_acknowledge_is_dead_lettered_then_committed(tmp_path):
    from scorer.settings import Settings

    sends = FakeSends(unacknowledged={LOAN_DECISIONS: KafkaTimeoutError("no answer in time")})
    applications, _, meter, consumer = scorer_worker(
        Settings(data_dir=tmp_path), [(b"9", application(9))], sends=sends
    )
    asyncio.run(applications.step())
    (letter,) = [
        DeadLettered.from_bytes(c.kwargs["value"]) for c in sends[APPLICATIONS_DLQ].call_args_list
    ]
    assert letter.reason.startswith("the decision was not acknowledged: KafkaTimeoutError")
    assert meter.report().counts == {"received": 1, "dead_letters": 1}
    assert consumer.commits == [{(LOAN_APPLICATIONS, 0): 1}]


def test_a_batch_whose_sends_all_fail_is_not_committed_and_stops_the_worker(tmp_path):
    """The at-least-once rule of the batched path: neither the decisions nor their dead letters
    are acknowledged, so nothing is committed and the worker exits to read the batch again."""
    from adapters.batched_topic import EXIT_UNPUBLISHED
    from scorer.settings import Settings

    gone = KafkaConnectionError("broker gone")
    sends = FakeSends(unacknowledged={LOAN_DECISIONS: gone, APPLICATIONS_DLQ: gone})
    applications, _, meter, consumer = scorer_worker(
        Settings(data_dir=tmp_path), [(b"9", application(9)), (b"10", application(10))], sends=sends
    )
    exits = []
    applications.exit = exits.append
    with pytest.raises(KafkaConnectionError):
        asyncio.run(applications.step())
    assert exits == [EXIT_UNPUBLISHED] and consumer.commits == []
    assert meter.report().counts.get("sent", 0) == 0


def test_worker_refuses_to_start_without_a_valid_bundle(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SCORER_MODELS_DIR": str(tmp_path),
        "SCORER_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "scorer", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"scorer: refusing to start: {tmp_path}: no model bundle found" in result.stderr
    assert "Traceback" not in result.stderr
