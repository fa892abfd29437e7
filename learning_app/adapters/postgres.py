"""The PostgreSQL engine and sessions (SQLAlchemy 2 / SQLModel over psycopg 3)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from learning_app.settings import get_settings

# Lock and statement timeouts in milliseconds, or None for none.
Timeouts = tuple[int, int] | None
_engines: dict[tuple[str, Timeouts], Engine] = {}
_lock = threading.Lock()


def get_engine(timeouts: Timeouts = None) -> Engine:
    """The engine for the configured database; with `timeouts` (lock, statement; ms), one
    whose connections carry them as session settings from the start, so a transaction
    needs no statement of its own to set them (one round trip fewer per click)."""
    url = get_settings().sqlalchemy_url
    with _lock:
        if (url, timeouts) not in _engines:
            connect_args: dict[str, object] = {"connect_timeout": 5}
            if timeouts is not None:
                lock_ms, statement_ms = timeouts
                connect_args["options"] = (
                    f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}"
                )
            # pre_ping: after a Postgres restart the pool must not hand out dead connections;
            # the next request reconnects, so the app recovers without a restart.
            _engines[url, timeouts] = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                connect_args=connect_args,
            )
        return _engines[url, timeouts]


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


# Postgres' SQLSTATEs for a statement cancelled by `statement_timeout` and for a lock not
# granted within `lock_timeout`.
QUERY_CANCELED, LOCK_NOT_AVAILABLE = "57014", "55P03"


@contextmanager
def session_scope(
    *, lock_timeout_s: float | None = None, statement_timeout_s: float | None = None
) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    With timeouts, each statement of this transaction waits at most `lock_timeout_s` for a
    lock and runs at most `statement_timeout_s` (Postgres cancels it with QUERY_CANCELED or
    LOCK_NOT_AVAILABLE, and the transaction rolls back). They come from the engine's
    connections (`get_engine(timeouts)`), which are never shared with code that has none.
    """
    timeouts: Timeouts = None
    if lock_timeout_s is not None or statement_timeout_s is not None:
        timeouts = (int((lock_timeout_s or 0) * 1000), int((statement_timeout_s or 0) * 1000))
    with Session(get_engine(timeouts), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def redacted_url(url: str) -> str:
    """The URL with its password hidden, safe for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)
