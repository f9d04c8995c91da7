"""Finding the bad items of a batch by halving it: every good item keeps its result, each bad one
fails alone."""

from __future__ import annotations

import asyncio

import pytest

from credit.dead_letters import isolate_failures

pytestmark = pytest.mark.unit


def run(items, bad):
    calls, failed = [], []

    async def work(some):
        calls.append(len(some))
        if bad & set(some):
            raise ValueError("bad item")
        return [item * 10 for item in some]

    async def on_failure(item, error):
        failed.append((item, str(error)))

    results = asyncio.run(isolate_failures(items, work, on_failure))
    return results, failed, calls


def test_a_good_batch_is_one_call():
    results, failed, calls = run(list(range(64)), set())
    assert results == [(i, i * 10) for i in range(64)] and failed == [] and calls == [64]


def test_one_bad_item_in_64_costs_a_few_calls_not_64_and_the_others_keep_their_results_in_order():
    results, failed, calls = run(list(range(64)), {37})
    assert results == [(i, i * 10) for i in range(64) if i != 37]
    assert failed == [(37, "bad item")]
    assert len(calls) == 1 + 2 * 6 and sum(calls) <= 3 * 64


def test_several_bad_items_are_each_isolated_and_reported_in_batch_order():
    results, failed, _ = run(list(range(10)), {0, 5, 9})
    assert [item for item, _ in failed] == [0, 5, 9] and [i for i, _ in results] == [
        1,
        2,
        3,
        4,
        6,
        7,
        8,
    ]


def test_a_work_that_returns_fewer_results_than_items_is_a_failure_too():
    async def short(some):
        return [1] * (len(some) - 1) if len(some) > 1 else [1]

    async def on_failure(item, error):
        raise AssertionError("single items succeed")

    assert asyncio.run(isolate_failures([1, 2, 3], short, on_failure)) == [(1, 1), (2, 1), (3, 1)]
