"""Raw events out of Postgres as NDJSON or CSV, streamed (a server-side cursor), for loading
into a warehouse such as ClickHouse when Postgres is no longer the place to analyse them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import TextIO

import sqlalchemy as sa

from learning_app.adapters.postgres import get_engine

EXPORT_FORMATS = ("ndjson", "csv")
COLUMNS = ["id", "name", "user_id", "course_id", "context", "occurred_at", "received_at"]
_ROWS_PER_FETCH = 5000

_QUERY = sa.text(
    """
    SELECT id, name, user_id, course_id, context, occurred_at, received_at
    FROM analytics_event WHERE occurred_at >= :since ORDER BY occurred_at, id
    """
)


def _rows(since: date) -> Iterator[dict[str, str | None]]:
    start = datetime.combine(since, time.min, tzinfo=UTC)
    with get_engine().connect() as conn:
        result = conn.execution_options(yield_per=_ROWS_PER_FETCH).execute(_QUERY, {"since": start})
        for row in result:
            yield {
                "id": str(row.id),
                "name": row.name,
                "user_id": str(row.user_id) if row.user_id else None,
                "course_id": str(row.course_id) if row.course_id else None,
                # The context stays a JSON string in both formats: one column in a warehouse.
                "context": json.dumps(row.context, separators=(",", ":"), sort_keys=True),
                "occurred_at": row.occurred_at.astimezone(UTC).isoformat(),
                "received_at": row.received_at.astimezone(UTC).isoformat(),
            }


def export_events(out: TextIO, *, since: date, fmt: str) -> int:
    """Write every event since `since` (UTC midnight) to `out`; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    writer = csv.DictWriter(out, fieldnames=COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in _rows(since):
        if writer:
            writer.writerow(row)
        else:
            out.write(json.dumps(row, separators=(",", ":")) + "\n")
        count += 1
    return count
