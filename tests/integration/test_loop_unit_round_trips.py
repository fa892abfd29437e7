"""A brief unit of work on the event loop leaves its round trips to Redis to the loop: its
session is resolved, and the events it records are buffered, with the loop's own client
around the unit (`state.calls._brief`), so the loop serves other tabs while Redis answers."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session

from learning_app.adapters.closing import close_loop_connections
from learning_app.adapters.postgres import on_event_loop
from learning_app.adapters.redis_store import get_redis
from learning_app.services.accounts import sessions
from learning_app.services.errors import ServiceUnavailable
from learning_app.services.progress import events
from learning_app.settings import reset_settings_cache
from learning_app.state import calls
from learning_app.state.calls import call_with_session
from tests.integration.test_loop_units import run_on_one_loop


@pytest.fixture(autouse=True)
def fresh_place(stores: None) -> Iterator[None]:
    calls._loop_units.forget()
    yield
    calls._loop_units.forget()
    reset_settings_cache()


@pytest.fixture
def blocking_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The round trips to Redis made inside a unit, on whichever thread runs it."""
    made: list[str] = []
    resolve, push = sessions._resolve_in_redis, events._push_now

    def resolving(token: str) -> uuid.UUID | None:
        made.append("session")
        return resolve(token)

    def pushing(lines: list[str]) -> None:
        made.append("buffer")
        push(lines)

    monkeypatch.setattr(sessions, "_resolve_in_redis", resolving)
    monkeypatch.setattr(events, "_push_now", pushing)
    return made


@on_event_loop()
def warms(session: Session) -> int:
    """A transaction of its own, before Redis goes away."""
    session.execute(text("SELECT 1"))
    return threading.get_ident()


@on_event_loop()
def searches(session: Session, *, token: str) -> tuple[int, uuid.UUID | None]:
    """A transaction that reads its session and records an event, as a search does."""
    session.execute(text("SELECT 1"))
    user_id = sessions.resolve_session(token)
    events.record_event(
        "search_performed",
        user_id=user_id,
        course_id=None,
        context={"query_chars": 5, "hits": 1, "degraded": False},
        session=session,
    )
    return threading.get_ident(), user_id


def _buffered() -> list[dict[str, object]]:
    return [json.loads(line) for line in get_redis().lrange(events.BUFFER_KEY, 0, -1)]


def test_a_unit_on_the_loop_sends_no_round_trip_to_redis_itself(
    student: str, blocking_calls: list[str]
) -> None:
    user_id = sessions.resolve_session(student)
    blocking_calls.clear()
    loop, [(on, found)] = run_on_one_loop(lambda: call_with_session(searches, token=student))
    assert on == loop
    assert found == user_id
    assert blocking_calls == []
    # Buffered before the call returned, as a unit in a thread buffers before it returns.
    assert [(e["name"], e["user_id"]) for e in _buffered()] == [("search_performed", str(user_id))]


def test_a_unit_in_a_thread_makes_its_round_trips_there(
    student: str, blocking_calls: list[str]
) -> None:
    calls._loop_units.get().pause("a test")  # as after a unit overran its brief timeouts
    loop, [(on, found)] = run_on_one_loop(lambda: call_with_session(searches, token=student))
    assert on != loop
    assert found is not None
    assert blocking_calls == ["session", "buffer"]
    assert len(_buffered()) == 1


def test_each_unit_on_the_loop_resolves_its_session_afresh(student: str) -> None:
    async def signed_out() -> None:
        sessions.end_session(student)

    loop, ((first_on, first), _, (second_on, second)) = run_on_one_loop(
        lambda: call_with_session(searches, token=student),
        signed_out,
        lambda: call_with_session(searches, token=student),
    )
    assert first_on == second_on == loop
    assert first is not None
    assert second is None  # what the first unit resolved was its own
    assert [e["user_id"] for e in _buffered()] == [None, str(first)]  # newest first


def test_with_redis_unreachable_a_unit_on_the_loop_refuses_and_records_nothing(
    student: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]

    async def redis_gone() -> None:
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{closed}/0")
        reset_settings_cache()

    async def then_search() -> None:
        await call_with_session(searches, token=student)

    async def in_turn() -> None:
        await call_with_session(warms)
        await redis_gone()
        try:
            await then_search()
        finally:
            await close_loop_connections()

    with pytest.raises(ServiceUnavailable):
        asyncio.run(in_turn())
    monkeypatch.undo()
    reset_settings_cache()
    assert _buffered() == []
