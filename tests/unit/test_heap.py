"""An app server's heap after start-up: frozen, and full collections ten times rarer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from learning_app.adapters.heap import FULL_COLLECTION_AFTER, freeze_heap


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_start_up_heap_is_frozen_and_full_collections_wait_longer(
    collector_restored: None,
) -> None:
    young, middle, _ = gc.get_threshold()
    freeze_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, FULL_COLLECTION_AFTER)
    assert FULL_COLLECTION_AFTER > 10  # Python's own
