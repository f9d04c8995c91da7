"""schemathesis against the running ingest API, from its own OpenAPI document, then conservation on
the real broker: every application the API accepted during the run ends decided, explained and
stored, or dead-lettered."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from credit.topics import (
    APPLICATIONS_DLQ,
    DASHBOARD_DLQ,
    DECISIONS_DLQ,
    LOAN_APPLICATIONS,
    LOAN_DECISIONS,
    LOAN_EXPLANATIONS,
)
from tests.integration.stack import API_KEY, Outcomes, Tail, end_offsets
from tests.processes import wait_until

pytestmark = pytest.mark.integration

SEED = 14
MAX_EXAMPLES = 150  # per operation and phase: about 3,000 requests, a minute or two
MAX_RESPONSE_S = 30  # a batch of 1,000 on two busy cores: past the default 10 s once (10.4 s)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# schemathesis' default statuses for rejected invalid data, plus 413: the API's documented refusal
# of a batch over its limit (the body's maxItems).
CONFIG = """[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
"""


def run_schemathesis(url: str, workdir: Path) -> subprocess.CompletedProcess:
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--continue-on-failure",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--header",
            f"X-API-Key: {API_KEY}",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--max-response-time",
            str(MAX_RESPONSE_S),
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            str(workdir / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=workdir,
    )


def failures_of(report: str) -> str:
    """The failure headlines and the summary of schemathesis' report (the full report is in the
    captured output)."""
    headlines = [
        line.strip()
        for line in report.splitlines()
        if re.match(r"\s*(\d+\. Test Case ID|- \w|Invalid component|\[\d{3}\]|curl )", line)
    ]
    summary = report[report.find("=== SUMMARY") :] if "=== SUMMARY" in report else report[-3000:]
    return "\n".join(line[:300] for line in headlines) + "\n" + summary


@pytest.fixture(scope="module")
def fuzzed(stack, kafka_broker, tmp_path_factory):
    """One schemathesis run, and the applications the API published meanwhile: (partition, offset)
    -> id."""
    before = end_offsets(kafka_broker.bootstrap, LOAN_APPLICATIONS)
    result = run_schemathesis(stack.url, tmp_path_factory.mktemp("schemathesis"))
    after = end_offsets(kafka_broker.bootstrap, LOAN_APPLICATIONS)
    print(result.stdout[-200_000:], result.stderr[-20_000:], sep="\n")
    published = {}
    tail = Tail(kafka_broker.bootstrap, LOAN_APPLICATIONS)
    try:

        def all_read() -> bool:
            published.update(
                {
                    (m.partition, m.offset): json.loads(m.value)["application_id"]
                    for m in tail.read()
                    if before.get(m.partition, 0) <= m.offset < after[m.partition]
                }
            )
            return len(published) == sum(after[p] - before.get(p, 0) for p in after)

        wait_until(all_read, 60, "the applications published during the run", every=0)
    finally:
        tail.close()
    return result, published


def test_schemathesis_finds_no_failure_against_the_openapi_of_the_ingest_api(fuzzed):
    result, _ = fuzzed
    assert result.returncode == 0, failures_of(result.stdout + result.stderr)


def test_every_application_accepted_while_fuzzing_is_decided_explained_and_stored_once(
    fuzzed, kafka_broker, tmp_path
):
    from dashboard.feed import Feed
    from dashboard.store import Store

    _, published = fuzzed
    ids = set(published.values())
    assert published and len(ids) == len(
        published
    )  # each application_id published once (idempotency)
    outcomes, store = Outcomes(kafka_broker.bootstrap), Store(tmp_path / "store.db")
    feed = Feed(
        store, kafka_broker.bootstrap, f"fuzz-{uuid.uuid4().hex[:8]}", metrics_interval_s=60
    ).start()
    try:
        settle(
            outcomes,
            lambda: undecided(published, outcomes),
            "accepted applications decided or dead-lettered",
        )
        settle(outcomes, lambda: unexplained(ids, outcomes), "decisions explained or dead-lettered")
        settle(
            outcomes,
            lambda: unstored(ids, outcomes, store),
            "explanations stored or dead-lettered",
            every=0.5,
        )
        outcomes.read_to_end()
    finally:
        feed.stop()
        outcomes.close()
    letters = dead_letters_of(published, outcomes)
    report(ids, outcomes, letters)
    assert all(letter.reason.strip() for letter in letters)
    duplicated = {i: len(outcomes.decided[i]) for i in ids if len(outcomes.decided.get(i, ())) > 1}
    assert not duplicated, (
        f"decided more than once (the scorer is at-least-once, but nothing restarted): {duplicated}"
    )


def settle(outcomes: Outcomes, pending, what: str, timeout: float = 300, every: float = 0) -> None:
    """Reads outcomes until nothing is `pending()` (bounded); fails naming a few of what still
    is."""

    def done() -> bool:
        outcomes.read()
        return not pending()

    try:
        wait_until(done, timeout, what, every)
    except TimeoutError:
        missing = pending()
        pytest.fail(
            f"not all {what} after {timeout:.0f} s: {len(missing)} missing, e.g. "
            f"{sorted(missing)[:10]}"
        )


def undecided(published: dict, outcomes: Outcomes) -> set:
    """Positions on loan-applications with neither a decision (by id) nor a dead letter."""
    return {
        position
        for position, i in published.items()
        if not outcomes.decided.get(i) and not outcomes.dead.get((LOAN_APPLICATIONS, *position))
    }


def unexplained(ids: set, outcomes: Outcomes) -> set:
    """Decided ids with neither an explanation nor a dead letter of one of their decisions."""
    return {
        i
        for i in ids
        if outcomes.decided.get(i)
        and not outcomes.explained.get(i)
        and not any(
            outcomes.dead.get((LOAN_DECISIONS, *position)) for position in outcomes.decided[i]
        )
    }


def unstored(ids: set, outcomes: Outcomes, store) -> set:
    """Explained ids neither in the store's explanations nor dead-lettered by the feed."""
    explained = {i for i in ids if outcomes.explained.get(i)}
    return {
        i
        for i in explained - store.explained(explained)
        if not any(
            outcomes.dead.get((LOAN_EXPLANATIONS, *position)) for position in outcomes.explained[i]
        )
    }


def dead_letters_of(published: dict, outcomes: Outcomes) -> list:
    """The dead letters of the accepted applications, of their decisions and of their
    explanations."""
    ids = set(published.values())
    return (
        [x for position in published for x in outcomes.dead.get((LOAN_APPLICATIONS, *position), [])]
        + [
            x
            for i in ids
            for position in outcomes.decided.get(i, [])
            for x in outcomes.dead.get((LOAN_DECISIONS, *position), [])
        ]
        + [
            x
            for i in ids
            for position in outcomes.explained.get(i, [])
            for x in outcomes.dead.get((LOAN_EXPLANATIONS, *position), [])
        ]
    )


def report(ids: set, outcomes: Outcomes, letters: list) -> None:
    """How the accepted applications ended, on the captured output (with why some were
    dead-lettered)."""
    print(
        f"accepted {len(ids)}; decided {sum(1 for i in ids if outcomes.decided.get(i))}; explained "
        f"{sum(1 for i in ids if outcomes.explained.get(i))}; dead letters {len(letters)} "
        f"(on {APPLICATIONS_DLQ}, {DECISIONS_DLQ} and {DASHBOARD_DLQ})"
    )
    for letter in letters[:20]:
        print(
            f"  {letter.service} dead-lettered {letter.source_topic}[{letter.source_partition}]@"
            f"{letter.source_offset}: {letter.reason[:200]}"
        )
