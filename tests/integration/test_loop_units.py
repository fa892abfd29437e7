"""Brief units of work on the event loop (`adapters/loop_units.py`): where they run, that the
loop serves others while they wait on Postgres, and what happens when the database is slower
than their timeouts allow."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session

from learning_app.adapters import loop_units, postgres
from learning_app.adapters.closing import close_loop_connections, connections_closed_at_exit
from learning_app.adapters.embeddings import get_embedder, query_vector
from learning_app.adapters.postgres import (
    get_engine,
    on_event_loop,
    reads_only,
    session_scope,
    statements_alone,
)
from learning_app.adapters.redis_store import get_async_redis, get_redis
from learning_app.services.accounts import viewers
from learning_app.services.attempts import results, taking
from learning_app.services.courses import reading
from learning_app.services.search import queries
from learning_app.services.search.queries import clean_query
from learning_app.services.tutor import history
from learning_app.settings import get_settings, reset_settings_cache
from learning_app.state import calls
from learning_app.state.calls import DatabaseBusy, call_with_session
from tests.integration.people import new_course, new_lesson
from tests.integration.test_read_only_units import _marked_services
from tests.loop_ticks import loop_ticks

CALLER = contextvars.ContextVar("caller", default="nobody")
SET_BY_UNIT = contextvars.ContextVar("set_by_unit", default="")


@pytest.fixture(autouse=True)
def fresh_place(stores: None) -> Iterator[None]:
    """Each test starts with a process whose brief units have not run yet."""
    calls._loop_units.forget()
    yield
    calls._loop_units.forget()


@on_event_loop()
@reads_only
def where_am_i(session: Session) -> tuple[int, str]:
    session.execute(text("SELECT 1"))
    SET_BY_UNIT.set("the unit")
    return threading.get_ident(), CALLER.get()


@on_event_loop()
@reads_only
def sleeps(session: Session, *, seconds: float, times: int = 1) -> int:
    for _ in range(times):
        session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
    return threading.get_ident()


@on_event_loop()
@statements_alone
def retitle(session: Session, *, lesson_id: str, title: str) -> int:
    session.execute(
        text("UPDATE lesson SET title = :t WHERE id = :id"), {"t": title, "id": lesson_id}
    )
    return threading.get_ident()


@on_event_loop()
def retitle_then_wait(session: Session, *, lesson_id: str, title: str, seconds: float) -> None:
    """A transaction that holds the lesson's row lock while Postgres sleeps."""
    retitle(session, lesson_id=lesson_id, title=title)
    session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})


def run_on_one_loop(*units: Callable[[], Any]) -> tuple[int, list[Any]]:
    """Await each call in turn on one event loop; returns the loop's thread and the results."""

    async def in_turn() -> tuple[int, list[Any]]:
        CALLER.set("a page")
        try:
            results = [await unit() for unit in units]
        finally:
            await close_loop_connections()
        assert SET_BY_UNIT.get() == ""  # what a unit sets stays in its own copy of the context
        return threading.get_ident(), results

    return asyncio.run(in_turn())


# Each unit that may run on the event loop, and how a cancelled statement leaves it: a
# transaction rolls back whole; a unit without one wrote nothing before its last statement, or
# writes the same again. A new mark fails here until it is reviewed and added.
ON_THE_LOOP = {
    viewers.viewer_for_session: "reads",
    reading.course_outline: "reads",
    reading.read_lesson: "an idempotent upsert of the viewer's progress",
    results.exam_intro: "reads",
    queries.search: "reads, with its query's vector cached",
    queries.suggest: "reads",
    history.tutor_page: "reads",
    taking.save_answer: "one statement",
    taking.begin_attempt: "a transaction",
    taking.get_attempt: "a transaction",
    taking.submit_attempt: "a transaction",
}


def test_every_unit_marked_for_the_loop_is_one_reviewed() -> None:
    assert _marked_services(postgres.is_on_event_loop) == set(ON_THE_LOOP)


def test_a_brief_unit_runs_on_the_loop_from_the_first_in_the_callers_context() -> None:
    loop, results = run_on_one_loop(
        lambda: call_with_session(where_am_i), lambda: call_with_session(where_am_i)
    )
    # A cold pool too: connecting is awaited as well.
    assert results == [(loop, "a page"), (loop, "a page")]


def test_while_a_unit_waits_on_postgres_the_loop_serves_others() -> None:
    """The point of awaiting its statements: a unit waiting on Postgres holds neither the loop
    (a ticker keeps ticking) nor another unit (two waits overlap)."""
    seconds = loop_units.STATEMENT_TIMEOUT_S * 0.8  # within the brief timeout

    async def meanwhile() -> tuple[int, list[int], float, int]:
        try:
            await call_with_session(where_am_i)
            started = time.monotonic()
            async with loop_ticks() as ticks:
                both = await asyncio.gather(
                    call_with_session(sleeps, seconds=seconds),
                    call_with_session(sleeps, seconds=seconds),
                )
            return threading.get_ident(), both, time.monotonic() - started, ticks.count
        finally:
            await close_loop_connections()

    loop, both, took, ticks = asyncio.run(meanwhile())
    assert both == [loop, loop]
    assert took < seconds * 1.8  # side by side, not one after the other
    assert ticks >= 5  # ~20 in the 0.2 s; none if the waits held the loop


def test_a_unit_cancelled_while_it_waits_on_postgres_writes_nothing_and_holds_no_lock(
    teacher: str,
) -> None:
    """A page change can cancel an event mid-unit: its transaction rolls back at once, and
    the next unit on the loop takes the same row's lock within the brief timeout."""
    lesson_id = new_lesson(teacher, new_course(teacher), "Loops")
    seconds = loop_units.STATEMENT_TIMEOUT_S * 0.8

    async def cancelled() -> None:
        waiting = call_with_session(
            retitle_then_wait, lesson_id=lesson_id, title="Never", seconds=seconds
        )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(waiting, seconds / 4)

    loop, (_, _, after) = run_on_one_loop(
        lambda: call_with_session(where_am_i),
        cancelled,
        lambda: call_with_session(retitle, lesson_id=lesson_id, title="Loops, again"),
    )
    assert after == loop  # not stopped by a lock left behind, so not rerun in a thread
    with session_scope() as session:
        title = session.execute(text("SELECT title FROM lesson WHERE id = :id"), {"id": lesson_id})
        assert title.scalar_one() == "Loops, again"


def test_a_connection_postgres_dropped_while_idle_is_replaced_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_S", 0.2)

    @on_event_loop()
    @reads_only
    def backend(session: Session) -> tuple[int, int]:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return threading.get_ident(), pid

    async def dropped() -> None:
        with get_engine().connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first[1]})
        await asyncio.sleep(0.3)  # idle: pinged before its next use

    first: tuple[int, int] = (0, 0)

    async def remember() -> None:
        nonlocal first
        first = await call_with_session(backend)

    loop, (_, _, (on, replacement)) = run_on_one_loop(
        remember, dropped, lambda: call_with_session(backend)
    )
    assert on == loop and replacement != first[1]


def test_a_unit_behind_a_lock_runs_again_in_a_thread_and_writes_once(teacher: str) -> None:
    lesson_id = new_lesson(teacher, new_course(teacher), "Loops")
    with get_engine().connect() as other:
        other.execute(text("SELECT id FROM lesson WHERE id = :id FOR UPDATE"), {"id": lesson_id})
        threading.Timer(0.5, other.rollback).start()  # another transaction, ending in 0.5 s
        started = time.monotonic()
        loop, (_, behind_lock, after) = run_on_one_loop(
            lambda: call_with_session(where_am_i),  # warms the pool
            lambda: call_with_session(retitle, lesson_id=lesson_id, title="Loops, again"),
            lambda: call_with_session(where_am_i),
        )
        waited = time.monotonic() - started
    assert behind_lock != loop and 0.45 < waited < 5
    assert after[0] != loop  # the loop's brief units are paused for a while
    with session_scope() as session:
        title = session.execute(text("SELECT title FROM lesson WHERE id = :id"), {"id": lesson_id})
        assert title.scalar_one() == "Loops, again"


def test_a_statement_past_the_brief_timeout_finishes_in_a_thread() -> None:
    seconds = loop_units.STATEMENT_TIMEOUT_S + 0.2
    loop, (_, slow, after) = run_on_one_loop(
        lambda: call_with_session(where_am_i),
        lambda: call_with_session(sleeps, seconds=seconds),
        lambda: call_with_session(where_am_i),
    )
    assert slow != loop and after[0] != loop


def test_the_interactive_timeouts_still_end_a_unit_that_waits_too_long(
    teacher: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERACTIVE_LOCK_TIMEOUT_SECONDS", "0.5")
    reset_settings_cache()
    lesson_id = new_lesson(teacher, new_course(teacher), "Loops")
    try:
        with get_engine().connect() as other:
            other.execute(
                text("SELECT id FROM lesson WHERE id = :id FOR UPDATE"), {"id": lesson_id}
            )
            with pytest.raises(DatabaseBusy, match="nothing was changed"):
                run_on_one_loop(
                    lambda: call_with_session(retitle, lesson_id=lesson_id, title="Never")
                )
            other.rollback()
    finally:
        monkeypatch.undo()
        reset_settings_cache()


def test_switched_off_every_unit_runs_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNITS_ON_EVENT_LOOP", "false")
    reset_settings_cache()
    try:
        loop, results = run_on_one_loop(
            lambda: call_with_session(where_am_i), lambda: call_with_session(where_am_i)
        )
    finally:
        monkeypatch.undo()
        reset_settings_cache()
    assert all(thread != loop for thread, _ in results)


def test_a_search_runs_on_the_loop_only_with_its_query_vector_at_hand() -> None:
    embedder = get_embedder()
    query = f"  Photosynthesis  in {uuid.uuid4().hex}  "  # cleaned before it is embedded
    call = {"token": None, "query": query, "embedder": embedder}
    assert not postgres.is_on_event_loop(queries.search, call)  # the model would hold the loop
    query_vector(embedder, clean_query(query)[0])
    assert postgres.is_on_event_loop(queries.search, call)
    assert postgres.is_on_event_loop(queries.search, {**call, "embedder": None})
    assert postgres.is_on_event_loop(queries.search, {**call, "query": "   "})
    assert postgres.is_on_event_loop(queries.suggest, call)  # words only: nothing to embed


@on_event_loop()
@reads_only
def backend_pid(session: Session) -> int:
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_worker_that_stops_closes_its_connections_to_the_stores() -> None:
    """The app's lifespan step closes the loop's Postgres and Redis connections on the way out
    (Typesense's: `test_search_sync`)."""

    async def serve_then_stop() -> tuple[int, int, list[int]]:
        async with connections_closed_at_exit():
            on_loop = await call_with_session(backend_pid)
            with session_scope() as session:  # a thread's pooled connection
                pooled = int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            client_ids = [int(await get_async_redis().client_id()), int(get_redis().client_id())]
        return on_loop, pooled, client_ids

    on_loop, pooled, client_ids = asyncio.run(serve_then_stop())
    deadline = time.monotonic() + 5
    with psycopg.connect(
        get_settings().sqlalchemy_url.replace("+psycopg", ""), autocommit=True
    ) as pg:
        while pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", ([on_loop, pooled],)
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "a Postgres connection outlived the worker"
            time.sleep(0.05)
    # The loop's client and a thread's.
    assert get_redis().execute_command("CLIENT", "LIST", "ID", *client_ids) == ""
