"""A fresh search index under the test prefix for every search test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from learning_app.services.search.index import SearchIndex, default_index, drop_index, rebuild
from tests.integration.search.helpers import forget_sync_jobs


@pytest.fixture
def index(stores: None) -> Iterator[SearchIndex]:
    forget_sync_jobs()
    index = default_index()
    drop_index(index)
    rebuild(index)
    yield index
    drop_index(index)
