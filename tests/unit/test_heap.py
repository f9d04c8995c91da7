"""The collector's settings once a service has started (adapters.heap)."""

import gc

import pytest

from adapters.heap import YOUNG_COLLECTION_EVERY, settle


@pytest.fixture
def restored():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_settle_freezes_what_start_up_allocated_and_collects_the_young_less_often(restored):
    kept = [object() for _ in range(1000)]
    older = gc.get_threshold()[1:]
    settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, *older)
