"""The world the hostile-input tests attack, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from learning_app.adapters.postgres import get_engine
from learning_app.adapters.redis_store import get_redis
from tests.integration.hostile.world import World, build_world


@pytest.fixture(scope="module")
def world(database: str, s3_bucket: str) -> Iterator[World]:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with get_engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    get_redis().flushdb()
    yield build_world()
    get_redis().flushdb()
