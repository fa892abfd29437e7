"""Fixtures shared by the integration tests: clean stores and a signed-in teacher and student."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from learning_app.adapters.redis_store import get_redis
from learning_app.models.users import UserRole
from tests.integration.people import person


@pytest.fixture
def stores(clean_db: str) -> Iterator[None]:
    get_redis().flushdb()
    yield
    get_redis().flushdb()


@pytest.fixture
def teacher(stores: None) -> str:
    return person("rosa", UserRole.TEACHER)


@pytest.fixture
def student(stores: None) -> str:
    return person("ada")
