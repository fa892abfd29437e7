"""Units of work that only read, the pool's ping (`adapters/postgres.py`), and rows a unit
already holds (`services/rows.py`).

A service marked `reads_only` runs without a transaction, on a connection whose transactions
are read-only: Postgres refuses any write it tries. So each marked service runs here for every
kind of caller of the access matrix's world, and must answer, or refuse as a service does,
never fail on a write; and a new mark without a case here fails the coverage test.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import pkgutil
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

import learning_app.services
from learning_app.adapters import postgres
from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import EngineKind, get_engine, reads_only, session_scope
from learning_app.models.content import Course
from learning_app.services.access.courses import load_course
from learning_app.services.accounts import viewers
from learning_app.services.attempts import results, taking
from learning_app.services.courses import catalog, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.search import queries
from learning_app.services.tutor import history
from learning_app.state.calls import call_with_session
from tests.conftest import _libpq
from tests.integration.access_world import CALLERS, World, world_in_empty_stores
from tests.integration.people import count, new_course

world = pytest.fixture(scope="module")(world_in_empty_stores)

Call = Callable[[Session, str | None, World], Any]
READS_ONLY_CALLS: dict[Callable[..., Any], list[Call]] = {
    viewers.viewer_for_session: [lambda s, t, w: viewers.viewer_for_session(s, t)],
    queries.search: [
        lambda s, t, w: queries.search(s, token=t, query="lesson", embedder=get_embedder())
    ],
    queries.suggest: [lambda s, t, w: queries.suggest(s, token=t, query="less", limit=6)],
    results.exam_intro: [
        lambda s, t, w: results.exam_intro(s, token=t, exam_id=w.exam),
        lambda s, t, w: results.exam_intro(s, token=t, exam_id=w.practice_exam),
    ],
    reading.course_outline: [
        lambda s, t, w: reading.course_outline(s, token=t, course_id=w.course)
    ],
    history.tutor_page: [lambda s, t, w: history.tutor_page(s, token=t, course_id=w.course)],
    catalog.list_published_courses: [lambda s, t, w: catalog.list_published_courses(s)],
}


# Units whose every statement stands alone (`statements_alone`): in autocommit, each statement
# its own transaction. Run for every caller as above, on a connection in autocommit.
STATEMENTS_ALONE_CALLS: dict[Callable[..., Any], list[Call]] = {
    reading.read_lesson: [
        lambda s, t, w: reading.read_lesson(s, token=t, course_id=w.course, lesson_id=w.lesson)
    ],
    taking.save_answer: [
        lambda s, t, w: taking.save_answer(
            s, token=t, attempt_id=w.attempt, question_id=w.question, response={"option_id": ""}
        )
    ],
}


def _marked_services(is_marked: Callable[[Callable[..., Any]], bool]) -> set[Callable[..., Any]]:
    marked = set()
    for module in pkgutil.walk_packages(
        learning_app.services.__path__, learning_app.services.__name__ + "."
    ):
        for value in vars(importlib.import_module(module.name)).values():
            if callable(value) and is_marked(value):
                marked.add(value)
    return marked


def test_every_service_marked_reads_only_is_run_here() -> None:
    assert _marked_services(postgres.is_reads_only) == set(READS_ONLY_CALLS)


def test_every_service_marked_statements_alone_is_run_here() -> None:
    assert _marked_services(postgres.is_statements_alone) == set(STATEMENTS_ALONE_CALLS)


# Each kind of marked unit: how `call_with_session` opens its session, and its services.
UNIT_KINDS: dict[str, tuple[dict[str, bool], dict[Callable[..., Any], list[Call]]]] = {
    "reads_only": ({"read_only": True}, READS_ONLY_CALLS),
    "statements_alone": ({"autocommit": True}, STATEMENTS_ALONE_CALLS),
}
MARKED = [(kind, service) for kind, (_, calls) in UNIT_KINDS.items() for service in calls]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("kind", "service"), MARKED, ids=[f"{k}-{s.__qualname__}" for k, s in MARKED]
)
def test_a_marked_service_answers_or_refuses_in_autocommit_without_a_write_failing(
    world: World, kind: str, service: Callable[..., Any], caller: str
) -> None:
    scope, calls = UNIT_KINDS[kind]
    for call in calls[service]:
        # A refusal is the access matrix's to judge; a write refused by a read-only
        # connection would be an error.
        with (
            session_scope(**scope) as session,
            contextlib.suppress(PermissionDenied, NotFound, InvalidInput),
        ):
            assert session.connection().connection.dbapi_connection.autocommit  # type: ignore[union-attr]
            call(session, world.tokens[caller], world)


@reads_only
def _what_the_unit_runs_in(session: Session) -> tuple[bool, str, str]:
    dbapi_connection = session.connection().connection.dbapi_connection
    assert dbapi_connection is not None
    read_only, ef_search = session.execute(
        text("SELECT current_setting('transaction_read_only'), current_setting('hnsw.ef_search')")
    ).one()
    return dbapi_connection.autocommit, read_only, ef_search


@reads_only
def _writes_although_marked(session: Session) -> None:
    session.add(Course(owner_id=None, title="Never", slug="never"))  # type: ignore[arg-type]
    session.flush()


def test_a_reads_only_unit_runs_in_autocommit_on_a_read_only_connection(stores: None) -> None:
    assert asyncio.run(call_with_session(_what_the_unit_runs_in)) == (True, "on", "100")


def test_a_write_in_a_reads_only_unit_is_refused_and_nothing_is_written(stores: None) -> None:
    with pytest.raises(sa_exc.InternalError, match="read-only transaction"):
        asyncio.run(call_with_session(_writes_although_marked))
    assert count(Course) == 0


def _connection_in(session: Session) -> tuple[int, bool]:
    dbapi_connection = session.connection().connection.dbapi_connection
    assert dbapi_connection is not None
    pid = int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return pid, dbapi_connection.autocommit


def test_a_connection_lent_in_autocommit_comes_back_to_the_pool_transactional(
    stores: None,
) -> None:
    get_engine().dispose()  # one connection, lent twice
    with session_scope(autocommit=True) as session:
        lent, autocommit = _connection_in(session)
        assert autocommit
    with session_scope() as session:
        assert _connection_in(session) == (lent, False)


def _backend_pid(kind: EngineKind) -> int:
    with Session(get_engine(kind)) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize("kind", [EngineKind(), EngineKind((1000, 2000), read_only=True)])
def test_a_connection_is_pinged_only_after_lying_idle_and_a_dead_one_is_replaced(
    stores: None, pg_admin_url: str, monkeypatch: pytest.MonkeyPatch, kind: EngineKind
) -> None:
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_S", 0.2)
    engine = get_engine(kind)
    engine.dispose()  # one fresh connection, then the pool's most recent one each time
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))

    first = _backend_pid(kind)
    assert _backend_pid(kind) == first and pings == []  # used moments ago: no ping
    time.sleep(0.3)
    assert _backend_pid(kind) == first and len(pings) == 1  # idle: pinged, and alive

    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    time.sleep(0.3)
    replaced = _backend_pid(kind)  # the ping failed: the pool connected anew
    assert replaced != first and len(pings) == 2


def test_a_row_the_unit_holds_is_not_read_again_unless_locked_or_deleted(teacher: str) -> None:
    course_id = new_course(teacher, "Held")
    statements: list[str] = []
    with session_scope() as session:
        course = load_course(session, course_id)
        event.listen(session.connection(), "before_cursor_execute", _record(statements))
        assert load_course(session, course_id) is course and statements == []
        assert load_course(session, course_id, lock=True) is course and len(statements) == 1
        session.delete(course)
        with pytest.raises(NotFound):
            load_course(session, course_id)  # the delete is flushed first, as before
        session.rollback()


def _record(statements: list[str]) -> Callable[..., None]:
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    return record
