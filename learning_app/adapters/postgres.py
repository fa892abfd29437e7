"""The PostgreSQL engine and sessions (SQLAlchemy 2 / SQLModel over psycopg 3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from learning_app.adapters.per_loop import PerLoop
from learning_app.settings import get_settings

F = TypeVar("F", bound=Callable[..., Any])

# Every connection's `hnsw.ef_search` (pgvector's default is 40): the nearest chunks an HNSW
# scan keeps, which search takes as its candidates. Set when the connection opens, so a search
# needs no statement of its own to set it; the tutor still sets its own per question.
HNSW_EF_SEARCH = 100
# A pooled connection idle for longer than this is pinged before it is handed out (and replaced
# if the ping fails: after a Postgres restart, or a connection a firewall dropped). One in use
# moments ago is not: the ping was a round trip per transaction, a thread wake-up each under
# load. The pool hands out the most recently used connection first, so under load the few in
# use stay warm and the rest go idle and are pinged when wanted again.
PING_AFTER_IDLE_S = 1.0
_LAST_USED = "last_used"


class EngineKind(NamedTuple):
    """What an engine's connections carry from the start: the interactive timeouts (lock,
    statement; ms), and whether they only read (autocommit, read-only transactions)."""

    timeouts: tuple[int, int] | None = None
    read_only: bool = False


PLAIN = EngineKind()


def engine_kind(
    lock_timeout_s: float | None, statement_timeout_s: float | None, *, read_only: bool
) -> EngineKind:
    """The kind of engine whose connections carry these timeouts (None: Postgres' own)."""
    timeouts = None
    if lock_timeout_s is not None or statement_timeout_s is not None:
        timeouts = (int((lock_timeout_s or 0) * 1000), int((statement_timeout_s or 0) * 1000))
    return EngineKind(timeouts, read_only)


_engines: dict[tuple[str, EngineKind], Engine] = {}
_lock = threading.Lock()
# Per event loop, since an async connection belongs to the loop that opened it.
_awaited_engines: PerLoop[dict[tuple[str, EngineKind], AsyncEngine]] = PerLoop(dict)
# An awaited engine's connections, per loop and kind (the brief units' two: 10 per worker).
# Units interleave on a loop while they wait on Postgres, so more than one may hold a
# connection at once; past this many they wait for one, without holding the loop. Few,
# because every app worker has its own (README, "Scaling out"): 5 workers under load held up
# to 94 connections with these and the other pools, and a few statements at once per worker
# already keep two cores busy.
AWAITED_POOL_SIZE, AWAITED_MAX_OVERFLOW = 3, 2


def get_awaited_engine(kind: EngineKind = PLAIN) -> Engine:
    """The running event loop's engine of this kind whose statements are awaited on the loop:
    psycopg's async connections, used through SQLAlchemy's greenlet bridge. A session on it
    runs only inside `awaited.run_awaited`, on that loop."""
    url = get_settings().sqlalchemy_url
    engines = _awaited_engines.get()
    if (url, kind) not in engines:
        engines[url, kind] = _create_awaited_engine(url, kind)
    return engines[url, kind].sync_engine


async def dispose_awaited_engines() -> None:
    """Close the running loop's awaited connections, before the loop ends
    (`closing.close_loop_connections`)."""
    for engine in (_awaited_engines.pop() or {}).values():
        await engine.dispose()


def get_engine(kind: EngineKind = PLAIN) -> Engine:
    """The engine for the configured database.

    With `kind.timeouts`, its connections carry them as session settings from the start, so
    a transaction needs no statement of its own to set them (one round trip fewer per
    click). With `kind.read_only`, they run in autocommit and read-only mode (`reads_only`).
    """
    url = get_settings().sqlalchemy_url
    with _lock:
        if (url, kind) not in _engines:
            _engines[url, kind] = _create_engine(url, kind)
        return _engines[url, kind]


def _create_engine(url: str, kind: EngineKind) -> Engine:
    # Up to 30 at once, but only 4 kept open while idle: each worker keeps its own, and the
    # threads' units, now that the brief ones run on the loop, rarely need more.
    engine = create_engine(url, pool_size=4, max_overflow=26, **_engine_options(kind))
    _ping_when_idle(engine)
    return engine


def _create_awaited_engine(url: str, kind: EngineKind) -> AsyncEngine:
    awaited_url = make_url(url).set(drivername="postgresql+psycopg_async")
    engine = create_async_engine(
        awaited_url,
        pool_size=AWAITED_POOL_SIZE,
        max_overflow=AWAITED_MAX_OVERFLOW,
        **_engine_options(kind),
    )
    _ping_when_idle(engine.sync_engine)
    return engine


def _engine_options(kind: EngineKind) -> dict[str, Any]:
    """What every engine of this kind sets up: its connections' session settings from the
    start (`get_engine`), the most recently used connection first."""
    options = [f"-c hnsw.ef_search={HNSW_EF_SEARCH}"]
    if kind.timeouts is not None:
        lock_ms, statement_ms = kind.timeouts
        options += [f"-c lock_timeout={lock_ms}", f"-c statement_timeout={statement_ms}"]
    if kind.read_only:
        options.append("-c default_transaction_read_only=on")
    return {
        "pool_use_lifo": True,
        "isolation_level": "AUTOCOMMIT" if kind.read_only else None,
        "connect_args": {"connect_timeout": 5, "options": " ".join(options)},
    }


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping`, only for a connection idle longer than PING_AFTER_IDLE_S.
    A dead one raises DisconnectionError, on which the pool drops it and connects anew."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _used(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa_exc.DisconnectionError(str(exc)) from exc


def dispose_engines() -> None:
    """Close every pooled connection (a worker that stops, tests that switch databases). The
    awaited engines are only forgotten: their connections can be closed only on their own
    loops, and close as they are collected."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
    _awaited_engines.forget()


# Postgres' SQLSTATEs for a statement cancelled by `statement_timeout` and for a lock not
# granted within `lock_timeout`.
QUERY_CANCELED, LOCK_NOT_AVAILABLE = "57014", "55P03"
_READS_ONLY = "_unit_reads_only"


def reads_only(func: F) -> F:
    """Mark a unit of work that only reads: `call_with_session` runs it with `session_scope(
    read_only=True)`. Under Postgres' READ COMMITTED each statement sees its own snapshot
    inside a transaction too, so autocommit changes nothing it reads, and saves the BEGIN and
    COMMIT round trips. A write (or `SELECT ... FOR UPDATE`) in it fails: mark only what never
    writes, on any path."""
    setattr(func, _READS_ONLY, True)
    return func


def is_reads_only(func: Callable[..., Any]) -> bool:
    # `is True`: some callables (SQLAlchemy's `func`) answer any attribute.
    return getattr(func, _READS_ONLY, False) is True


_STATEMENTS_ALONE = "_unit_statements_alone"


def statements_alone(func: F) -> F:
    """Mark a unit of work each of whose statements stands alone: every write is one
    statement that makes its own checks and takes its own locks. `call_with_session` runs it
    with `session_scope(autocommit=True)`, each statement a transaction of its own, with no
    BEGIN and no COMMIT round trip. Mark only what never needs two statements to agree."""
    setattr(func, _STATEMENTS_ALONE, True)
    return func


def is_statements_alone(func: Callable[..., Any]) -> bool:
    return getattr(func, _STATEMENTS_ALONE, False) is True


_ON_EVENT_LOOP = "_unit_on_event_loop"


class _OnEventLoop(NamedTuple):
    """The mark `on_event_loop` leaves: when a call of the unit may run on the loop."""

    when: Callable[[Mapping[str, Any]], bool] | None


def on_event_loop(
    when: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Callable[[F], F]:
    """Mark a unit of work brief enough to run on the app worker's event loop, without a
    thread (`adapters/loop_units.py`): it sends a few indexed statements (awaited there, as a
    search's answer from Typesense is), waits on no other server (OpenAI, the hashing
    processes), and may run again from the start after one of its statements was cancelled: a
    transaction is rolled back whole, and a `statements_alone` unit's earlier writes are
    written again to the same effect. Mark only what is that on every path; `when(kwargs)`
    says which calls of it are, where that depends on the call (a search whose query must
    first be embedded)."""

    def mark(func: F) -> F:
        setattr(func, _ON_EVENT_LOOP, _OnEventLoop(when))
        return func

    return mark


def is_on_event_loop(func: Callable[..., Any], call: Mapping[str, Any] | None = None) -> bool:
    """Whether `func` is marked `on_event_loop`, and, given a call's keyword arguments,
    whether that call may run there."""
    mark = getattr(func, _ON_EVENT_LOOP, None)
    if not isinstance(mark, _OnEventLoop):
        return False
    return call is None or mark.when is None or mark.when(call)


@contextmanager
def session_scope(
    *,
    lock_timeout_s: float | None = None,
    statement_timeout_s: float | None = None,
    read_only: bool = False,
    autocommit: bool = False,
    awaited: bool = False,
) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    With timeouts, each statement of this transaction waits at most `lock_timeout_s` for a
    lock and runs at most `statement_timeout_s` (Postgres cancels it with QUERY_CANCELED or
    LOCK_NOT_AVAILABLE, and the transaction rolls back). They come from the engine's
    connections (`get_engine(kind)`), which are never shared with code that has none.
    `read_only`: each statement is a read-only transaction of its own (`reads_only`);
    `autocommit`: each statement is a transaction of its own (`statements_alone`), on the
    same engine (psycopg switches a connection to autocommit without a round trip, and the
    pool switches it back when it returns).
    `awaited`: on the running loop's engine whose statements the loop awaits; only inside
    `awaited.run_awaited`.
    """
    kind = engine_kind(lock_timeout_s, statement_timeout_s, read_only=read_only)
    engine = get_awaited_engine(kind) if awaited else get_engine(kind)
    with Session(engine, expire_on_commit=False) as session:
        if autocommit and not read_only:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            # What the unit kept for its own statements (`session.info`: a row read ahead,
            # the enrolments of its transaction) refers back to the session through the
            # transaction or the query's context. Left there, every unit would be garbage
            # only the cyclic collector frees, and its full passes stall the worker.
            session.info.clear()


def redacted_url(url: str) -> str:
    """The URL with its password hidden, safe for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)
