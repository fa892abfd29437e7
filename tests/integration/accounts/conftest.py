"""Accounts tests start from empty tables and an empty test Redis, with a mail worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from learning_app.adapters.redis_store import get_redis


@pytest.fixture
def stores(clean_db: str, job_worker: None) -> Iterator[None]:
    """Empty tables and an empty test Redis (DB 1, never the developer's data)."""
    get_redis().flushdb()
    yield
    get_redis().flushdb()


@pytest.fixture
def email(unique: str) -> str:
    # A fresh address per test: the sink's mailbox is shared by every run.
    return f"learner-{unique}@example.com"
