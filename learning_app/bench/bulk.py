"""Loading benchmark rows with COPY, on a raw connection: fast, and outside the ORM session, so
no search-outbox job is enqueued for rows that only a benchmark sees."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from pgvector.psycopg import register_vector

from learning_app.adapters.postgres import get_engine, session_scope


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    binary_types: Sequence[str] | None = None,
) -> None:
    """COPY `rows` into `table`, committed. Binary COPY (needed for vectors) takes the
    Postgres type of each column in `binary_types`; text COPY needs none."""
    raw = get_engine().raw_connection()
    try:
        connection = raw.driver_connection
        register_vector(connection)
        options = " WITH (FORMAT BINARY)" if binary_types else ""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN{options}"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            if binary_types:
                copy.set_types(list(binary_types))
            for row in rows:
                copy.write_row(row)
        connection.commit()
    finally:
        raw.close()


def execute(statement: str, params: dict[str, object] | None = None) -> None:
    """One statement on a raw connection, committed (deletes that must skip the outbox)."""
    raw = get_engine().raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute(statement, params)
        raw.driver_connection.commit()
    finally:
        raw.close()


def generate(statements: Sequence[str], params: Mapping[str, object]) -> float:
    """Run a bench's generating statements in one transaction; the seconds it took, to 0.1."""
    start = time.perf_counter()
    with session_scope() as session:
        for statement in statements:
            session.execute(sa.text(statement), dict(params))
    return round(time.perf_counter() - start, 1)
