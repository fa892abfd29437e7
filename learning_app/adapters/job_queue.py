"""Enqueueing jobs inside the caller's SQLAlchemy transaction, and reading which wait to run."""

from __future__ import annotations

from typing import Any, LiteralString

import procrastinate
import psycopg
from procrastinate.sync_psycopg_connector import wrap_exceptions
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlmodel import Session


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Jsonb(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_wrap(item) for item in value)
    return value


class TransactionConnector(procrastinate.BaseConnector):
    """A Procrastinate connector that runs its queries on one open psycopg connection, inside
    whatever transaction that connection is in. Only enqueueing uses it; workers use a pool.
    Its errors are Procrastinate's, as its own connectors raise them (a queueing lock already
    held is `AlreadyEnqueued`)."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    def get_sync_connector(self) -> procrastinate.BaseConnector:
        return self

    def execute_query(self, query: LiteralString, **arguments: Any) -> None:
        with wrap_exceptions(), self._connection.cursor() as cursor:
            cursor.execute(query, {k: _wrap(v) for k, v in arguments.items()})

    def execute_query_one(self, query: LiteralString, **arguments: Any) -> dict[str, Any]:
        with wrap_exceptions(), self._connection.cursor(row_factory=dict_row) as cursor:
            cursor.execute(query, {k: _wrap(v) for k, v in arguments.items()})
            row = cursor.fetchone()
        if row is None:
            raise procrastinate.exceptions.NoResult
        return row

    def execute_query_all(self, query: LiteralString, **arguments: Any) -> list[dict[str, Any]]:
        with wrap_exceptions(), self._connection.cursor(row_factory=dict_row) as cursor:
            cursor.execute(query, {k: _wrap(v) for k, v in arguments.items()})
            return cursor.fetchall()


def defer_in_transaction(
    session: Session,
    task_name: str,
    *,
    queue: str = "default",
    queueing_lock: str | None = None,
    **arguments: Any,
) -> int:
    """Enqueue `task_name(**arguments)` in the session's transaction; returns the job id.

    If the transaction rolls back, the job was never enqueued; if it commits, a worker runs it,
    retrying while the target store is down.
    """
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    enqueuer = procrastinate.App(connector=TransactionConnector(connection))
    deferrer = enqueuer.configure_task(
        task_name, allow_unknown=True, queue=queue, queueing_lock=queueing_lock
    )
    return deferrer.defer(**arguments)


def defer_unless_waiting(
    session: Session, task_name: str, *, queueing_lock: str, **arguments: Any
) -> bool:
    """`defer_in_transaction` on the default queue, unless a job holding `queueing_lock`
    already waits to run; returns whether it queued one. The refused insert is undone to a
    savepoint, so the caller's transaction goes on."""
    try:
        with session.begin_nested():
            defer_in_transaction(session, task_name, queueing_lock=queueing_lock, **arguments)
    except procrastinate.exceptions.AlreadyEnqueued:
        return False
    return True


def waiting_jobs(session: Session, queue: str) -> list[tuple[str, dict[str, Any]]]:
    """(task name, arguments) of the queue's jobs that wait to run (due now or retried later),
    oldest first. Jobs being run are not included."""
    rows = session.execute(
        text(
            "SELECT task_name, args FROM procrastinate_jobs"
            " WHERE queue_name = :queue AND status = 'todo' ORDER BY id"
        ),
        {"queue": queue},
    ).all()
    return [(str(task_name), dict(args)) for task_name, args in rows]
