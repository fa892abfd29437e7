"""A fresh search index under the test prefix for every search test."""

from __future__ import annotations

import pytest

from tests.integration.search.helpers import fresh_index

index = pytest.fixture(fresh_index)
