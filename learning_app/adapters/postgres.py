"""The PostgreSQL engine and sessions (SQLAlchemy 2 / SQLModel over psycopg 3)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from learning_app.settings import get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine() -> Engine:
    url = get_settings().sqlalchemy_url
    with _lock:
        if url not in _engines:
            # pre_ping: after a Postgres restart the pool must not hand out dead connections;
            # the next request reconnects, so the app recovers without a restart.
            _engines[url] = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                connect_args={
                    "connect_timeout": 5,
                },
            )
        return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def redacted_url(url: str) -> str:
    """The URL with its password hidden, safe for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)
