"""A tab's state tree that Reflex's Redis state manager has written back is freed by reference
counting, with no help from the cyclic collector, on both of Reflex's paths (an event without
a lease, and a lease's flush), and what was written reads back (`state/written_trees.py`)."""

from __future__ import annotations

import asyncio
import gc
import uuid
import weakref
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken

import learning_app.learning_app  # noqa: F401 - registers the page states, and the release
from learning_app.pages.courses.lesson_reader import LessonReaderState
from learning_app.settings import get_settings
from learning_app.state.written_trees import release_written_trees


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Only reference counting frees anything meanwhile."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _write_a_title(manager: StateManagerRedis, token: BaseStateToken) -> weakref.ref:
    async with manager.modify_state(token) as root:
        reader = await root.get_state(LessonReaderState)
        reader.title = "Written back"
        return weakref.ref(reader)


async def _title(manager: StateManagerRedis, token: BaseStateToken) -> str:
    root = await manager.get_state(token)
    return (await root.get_state(LessonReaderState)).title


def _manager() -> StateManagerRedis:
    return StateManagerRedis(redis=Redis.from_url(get_settings().redis_url))


def test_a_tree_written_without_a_lease_is_freed_at_once(
    monkeypatch: pytest.MonkeyPatch, collector_off: None
) -> None:
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "false")
    token = BaseStateToken(ident=str(uuid.uuid4()), cls=LessonReaderState)

    async def run() -> tuple[weakref.ref, str]:
        manager = _manager()
        try:
            held = await _write_a_title(manager, token)
            return held, await _title(manager, token)
        finally:
            await manager.close()

    held, title = asyncio.run(run())
    assert held() is None
    assert title == "Written back"


def test_a_tree_flushed_when_its_lease_ends_is_freed_at_once(
    monkeypatch: pytest.MonkeyPatch, collector_off: None
) -> None:
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "true")
    monkeypatch.setenv("REFLEX_OPLOCK_HOLD_TIME", "100ms")
    token = BaseStateToken(ident=str(uuid.uuid4()), cls=LessonReaderState)

    async def run() -> tuple[weakref.ref, bool, str]:
        manager = _manager()
        try:
            # Reflex leases a tab only once it hears the other workers' lock notifications.
            await manager._ensure_lock_task_subscribed(timeout=5)
            held = await _write_a_title(manager, token)
            alive_while_leased = held() is not None
            while manager._local_leases:  # the lease's flush writes the tree back
                await asyncio.sleep(0.05)
            return held, alive_while_leased, await _title(manager, token)
        finally:
            await manager.close()

    held, alive_while_leased, title = asyncio.run(run())
    assert alive_while_leased
    assert held() is None
    assert title == "Written back"


def test_the_release_is_installed_once() -> None:
    installed = StateManagerRedis.set_state
    release_written_trees()
    assert StateManagerRedis.set_state is installed
    assert getattr(installed, "releases_written_trees", False)
