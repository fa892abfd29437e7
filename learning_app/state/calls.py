"""How states call services: never blocking the event loop on a store, so a slow query never
stalls other users (in a thread, or, for a brief unit marked `on_event_loop`, on the loop with
its statements awaited there: `adapters/loop_units.py`), and with "the database is
unreachable" turned into a domain error the page can show.

Nothing a click starts waits for the database forever: `call_with_session` gives its
transaction a lock and a statement timeout (settings `interactive_*_timeout_seconds`), and a
timeout becomes `DatabaseBusy`, whose message says that nothing was changed (the transaction
rolled back). While an action runs, pages show `components/progress.still_working`, which
appears once it has taken more than two seconds.

Page states call them through the `ServiceCalls` mixin (and `PageLoading`, for a page with a
loading flag): it owns the `error` and `notice` a page shows and acts as the signed-in viewer.
Background event handlers, which may change the state only inside `async with self`, call
`call_with_session` and `describe_error` themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import reflex as rx
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from learning_app.adapters import loop_units
from learning_app.adapters.awaited import run_awaited
from learning_app.adapters.per_process import PerProcess
from learning_app.adapters.postgres import (
    LOCK_NOT_AVAILABLE,
    QUERY_CANCELED,
    is_on_event_loop,
    is_reads_only,
    is_statements_alone,
    session_scope,
)
from learning_app.adapters.unit_slots import unit_slot
from learning_app.services import markdown_render
from learning_app.services.accounts.sessions import resolve_ahead, resolve_ahead_in
from learning_app.services.accounts.viewers import Viewer, noted_viewer
from learning_app.services.errors import DomainError, ServiceUnavailable
from learning_app.services.progress import events
from learning_app.settings import get_settings

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "This part of the app is unavailable right now. Please try again in a moment."
BUSY_MESSAGE = (
    "The database is busy and this took too long, so it was stopped and nothing was changed. "
    "Please try again in a moment."
)


class DatabaseBusy(ServiceUnavailable):
    """An interactive transaction hit its lock or statement timeout and was rolled back."""

    default_message = BUSY_MESSAGE


# What SQLAlchemy raises when Postgres cannot be reached or drops the connection (psycopg's
# OperationalError), or when no pooled connection frees up in time.
_DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _is_timeout(exc: sa_exc.DBAPIError) -> bool:
    """Postgres cancelled the statement for our own lock or statement timeout."""
    return getattr(exc.orig, "sqlstate", None) in (QUERY_CANCELED, LOCK_NOT_AVAILABLE)


@contextmanager
def database_guard() -> Iterator[None]:
    """A database outage becomes ServiceUnavailable with the page's "try again" message, and
    an interactive timeout DatabaseBusy, each logged as one line: they are operational
    conditions, not bugs with a traceback to read."""
    try:
        yield
    except _DATABASE_DOWN as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = reason[0] if reason else type(exc).__name__
        if isinstance(exc, sa_exc.OperationalError) and _is_timeout(exc):
            log.warning("database busy: %s", first)
            raise DatabaseBusy() from exc
        log.warning("database unavailable: %s", first)
        raise ServiceUnavailable(UNAVAILABLE_MESSAGE) from exc


async def call_service(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking service function in a worker thread and return its result."""
    with database_guard():
        return await asyncio.to_thread(func, *args, **kwargs)


# Threads for calls that wait on the language model: a tutor answer streams for seconds, a
# drafted batch takes up to OPENAI_TIMEOUT_SECONDS. They have their own, since `call_service`
# runs in asyncio's default executor, min(32, CPUs + 4) threads (6 on two cores) shared with
# rendering lessons: six students reading a streamed answer at once held every one of them.
MODEL_CALL_THREADS = 64
_model_call_threads = PerProcess(
    lambda: ThreadPoolExecutor(MODEL_CALL_THREADS, thread_name_prefix="model-call")
)


async def call_model(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`call_service` for a call that mostly waits on the language model, in threads of its
    own."""
    return await _in_threads(_model_call_threads.get(), functools.partial(func, *args, **kwargs))


async def _in_threads(threads: ThreadPoolExecutor, call: Callable[[], T]) -> T:
    """`call()` in one of `threads`, with the caller's context variables (as
    `asyncio.to_thread`), its database errors turned into the page's messages."""
    run_in_context = functools.partial(contextvars.copy_context().run, call)
    with database_guard():
        return await asyncio.get_running_loop().run_in_executor(threads, run_in_context)


async def rendered(texts: list[str]) -> list[str]:
    """The texts' Markdown as sanitised HTML: on the event loop when every one was rendered
    lately (a cache hit costs no thread hop), otherwise in a worker thread, since a long
    lesson would stall every tab of this worker."""
    found = markdown_render.rendered_lately(texts)
    return found if found is not None else await call_service(markdown_render.render_all, texts)


# Threads for units of work, per process. How many run at once is `unit_slot`'s to say; the
# others wait for a slot, or on the hashing processes, at no CPU cost. Fewer than the engine's
# 30 pooled connections, so a wave of sign-ins cannot hold them all.
UNIT_OF_WORK_THREADS = 16
_unit_of_work_threads = PerProcess(
    lambda: ThreadPoolExecutor(UNIT_OF_WORK_THREADS, thread_name_prefix="unit-of-work")
)


class NotedViewer:
    """Filled by `call_noting_viewer` with the (token, viewer) its unit of work resolved, if it
    resolved one (`services.accounts.viewers.noted_viewer`)."""

    def __init__(self) -> None:
        self.found: tuple[str | None, Viewer | None] | None = None


async def call_with_session(
    func: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `func(session, ...)` in one transaction, in a worker thread (with the caller's
    context variables, as `asyncio.to_thread`), once one of the worker's slots is free
    (`adapters/unit_slots.py`). A function marked `reads_only` or `statements_alone` runs
    without a transaction around its statements.
    The session of a `token` argument is resolved before the slot is taken (`resolve_ahead`)."""
    return await _unit_of_work(None, func, *args, **kwargs)


async def call_noting_viewer(
    noted: NotedViewer,
    func: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`call_with_session`, and `noted` gets the viewer the unit resolved for its session
    token, whether or not the unit then succeeds."""
    return await _unit_of_work(noted, func, *args, **kwargs)


async def _unit_of_work(
    noted: NotedViewer | None,
    func: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    settings = get_settings()
    read_only, autocommit = is_reads_only(func), is_statements_alone(func)
    token = kwargs.get("token")

    def unit_of_work(lock_timeout_s: float, statement_timeout_s: float, *, on_loop: bool) -> T:
        """In a thread, with a slot; on the loop (inside `run_awaited`), with its statements
        awaited there."""
        resolve_ahead(token)
        with (
            contextlib.nullcontext() if on_loop else unit_slot(),
            session_scope(
                lock_timeout_s=lock_timeout_s,
                statement_timeout_s=statement_timeout_s,
                read_only=read_only,
                autocommit=autocommit,
                awaited=on_loop,
            ) as session,
        ):
            try:
                return func(session, *args, **kwargs)
            finally:
                if noted is not None:
                    noted.found = noted_viewer(session)

    brief = settings.units_on_event_loop and is_on_event_loop(func, kwargs)
    if brief and not _loop_units.get().paused():
        try:
            return await _brief(unit_of_work, token)
        except loop_units.Overran as exc:
            _loop_units.get().pause(f"{func.__qualname__}: {exc}")
    interactive = functools.partial(
        unit_of_work,
        settings.interactive_lock_timeout_seconds,
        settings.interactive_statement_timeout_seconds,
        on_loop=False,
    )
    return await _in_threads(_unit_of_work_threads.get(), interactive)


_loop_units = PerProcess(loop_units.LoopUnits)


async def _brief(unit_of_work: Callable[..., T], token: object) -> T:
    """A unit marked `on_event_loop`, on the event loop with the brief units' timeouts (in a
    copy of the caller's context, as in a thread), its statements awaited there. Raises
    `Overran` if a timeout stopped it.

    Its round trips to Redis are awaited around it: its session is resolved before it, and
    the events it records are buffered after it."""

    def brief() -> T:
        try:
            return unit_of_work(
                loop_units.LOCK_TIMEOUT_S, loop_units.STATEMENT_TIMEOUT_S, on_loop=True
            )
        except sa_exc.OperationalError as exc:
            if _is_timeout(exc):
                raise loop_units.Overran(str(exc.orig).strip().splitlines()[0]) from exc
            raise

    unit_context = contextvars.copy_context()
    await resolve_ahead_in(unit_context, token)
    recorded = events.lines_kept_in(unit_context)
    try:
        with database_guard():
            return await run_awaited(functools.partial(unit_context.run, brief))
    finally:
        if recorded:
            # Shielded: a page change that cancels this event still buffers what its unit did.
            await asyncio.shield(events.buffer_kept(recorded))


def describe_error(exc: Exception) -> str:
    """The message a form shows: a domain error's own words, otherwise a generic apology."""
    if isinstance(exc, DomainError):
        return str(exc)
    log.exception("unexpected error in an event handler", exc_info=exc)
    return UNAVAILABLE_MESSAGE


class ServiceCalls(rx.State, mixin=True):
    """A state that calls services for the signed-in viewer: `error` says why the viewer's
    last action failed, `notice` what it did.

    A Reflex mixin, used as `class PageState(ServiceCalls, AuthState)`: a mixin's own fields
    become vars only when it derives from `rx.State` itself and a real state comes after it,
    and the calls use the session token that `AuthState._session_token` reads.
    """

    error: str = ""
    notice: str = ""

    if TYPE_CHECKING:

        async def _session_token(self) -> str: ...  # from AuthState

        async def _service_call(self, action: Callable[..., T], /, **kwargs: object) -> T: ...

        signed_in: bool  # from AuthState

    async def _fetch(self, action: Callable[..., T], /, **kwargs: object) -> T:
        """`action(session, token=<the viewer's session token>, **kwargs)` in one transaction,
        off the event loop (`AuthState._service_call`); a failure propagates (to `_loading`,
        say)."""
        return await self._service_call(action, **kwargs)

    async def _call(self, action: Callable[..., T], /, **kwargs: object) -> T | None:
        """What an event handler calls: `_fetch`, after clearing `error` and `notice`; on
        failure `error` says why (the "unavailable" message when a store is down) and the
        result is None (so is a service's own None: then `not self.error` means success)."""
        return await self._noting_error(self._service_call(action, **kwargs))

    async def _call_as_visitor(self, action: Callable[..., T], /, **kwargs: object) -> T | None:
        """`_call` for a service that does not act for a session (signing up or in, a link
        from an email): `action(session, **kwargs)`, no token added."""
        return await self._noting_error(call_with_session(action, **kwargs))

    async def _noting_error(self, call: Awaitable[T]) -> T | None:
        self.error, self.notice = "", ""
        try:
            return await call
        except Exception as exc:
            self.error = describe_error(exc)
            return None


class PageLoading(ServiceCalls, mixin=True):
    """`ServiceCalls` for a page that loads what it shows: `loading` until the load is over.

    A load calls `_start_loading()`, then runs its service calls (`_fetch`) in
    `with self._loading():`. A page whose flag starts False (nothing loads until asked)
    declares `loading = False`.
    """

    loading: bool = True

    def _start_loading(self) -> None:
        self.loading, self.error, self.notice = True, "", ""

    def _start_signed_in_load(self) -> bool:
        """`_start_loading()` for a load that follows the page's first load, which checked
        sign-in (`opens_page`) but does not stop the page's other loads; False for a visitor,
        whom that check is already sending to sign in (the spinner stays until the page
        changes)."""
        self._start_loading()
        return self.signed_in

    @contextmanager
    def _loading(self) -> Iterator[None]:
        """The body of a load: a failure ends it and shows (`_load_failed`); either way
        `loading` ends with it."""
        try:
            yield
        except Exception as exc:
            self._load_failed(exc)
        finally:
            self.loading = False

    def _load_failed(self, exc: Exception) -> None:
        self.error = describe_error(exc)
