"""Loading benchmark rows with COPY, on a raw connection: fast, and outside the ORM session, so
no search-outbox job is enqueued for rows that only a benchmark sees."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pgvector.psycopg import register_vector

from learning_app.adapters.postgres import get_engine


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
