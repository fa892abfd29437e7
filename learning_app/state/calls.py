"""How states call services: off the event loop, so a slow query never stalls other users, and
with "the database is unreachable" turned into a domain error the page can show."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from learning_app.adapters.postgres import session_scope
from learning_app.services.errors import DomainError, ServiceUnavailable

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "This part of the app is unavailable right now. Please try again in a moment."

# What SQLAlchemy raises when Postgres cannot be reached or drops the connection (psycopg's
# OperationalError), or when no pooled connection frees up in time.
_DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


@contextmanager
def database_guard() -> Iterator[None]:
    """A database outage becomes ServiceUnavailable with the page's "try again" message, logged
    as one line: it is an operational condition, not a bug with a traceback to read."""
    try:
        yield
    except _DATABASE_DOWN as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        log.warning("database unavailable: %s", reason[0] if reason else type(exc).__name__)
        raise ServiceUnavailable(UNAVAILABLE_MESSAGE) from exc


async def call_service(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking service function in a worker thread and return its result."""
    with database_guard():
        return await asyncio.to_thread(func, *args, **kwargs)


async def call_with_session(
    func: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `func(session, ...)` in one transaction, in a worker thread."""

    def unit_of_work() -> T:
        with session_scope() as session:
            return func(session, *args, **kwargs)

    with database_guard():
        return await asyncio.to_thread(unit_of_work)


def describe_error(exc: Exception) -> str:
    """The message a form shows: a domain error's own words, otherwise a generic apology."""
    if isinstance(exc, DomainError):
        return str(exc)
    log.exception("unexpected error in an event handler", exc_info=exc)
    return UNAVAILABLE_MESSAGE
