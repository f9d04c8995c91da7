"""The garbage collector's settings for a long-running service, applied once start-up is over."""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 50_000  # allocations (Python's default: 700)


def settle() -> None:
    """What start-up allocated (bundles, reference tables, libraries) lives as long as the process:
    `gc.freeze` takes it out of the collector's walks, which otherwise visit all of it again at
    every full collection. And the youngest generation is collected every 50,000 allocations rather
    than 700: a batch allocates hundreds of thousands of short-lived objects (events, texts) that
    reference counting frees, and collecting among them every 700 costs up to a third of a busy
    worker's time (benchmarks/HISTORY.md)."""
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
