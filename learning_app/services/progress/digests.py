"""What a student's stats are computed from, kept per lesson, attempt and day instead of per
event, so that recomputing them does not read every event the student ever caused.

The flush recomputes the stats of every student in its batch (`progress.user_stats`), every few
seconds. Read from the raw events, that cost grew with each student's history: for 200
students of 5,000 events each (a year of daily use) the statement took 2.85 s, every flush;
from the digests, 61 ms (`learning-app bench histories`). The digests hold the same facts in
a few rows per lesson, attempt and day, and the flush adds each batch to them in the statement
that stores it (`DIGEST_BATCH`, a fragment of `progress.events`' statement):

- `user_lesson_done`: each lesson completed, once;
- `user_attempt_result`: each attempt's latest `exam_completed` (an essay marked later
  regrades it);
- `user_active_day`: each day the student did something themselves, in the time zone it was
  counted in. A student whose zone has changed since has their days rebuilt from the events
  (`rebuild_digests`), as does `learning-app events rollup`, which recomputes everything.

Adding is exact, not an estimate: each digest row is a set member or a "latest wins" value,
so a batch stored again after a crash adds nothing, and a late event lands where it belongs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.services.progress.rollups import STORED_COLUMNS

# Data-modifying CTEs that add `stored`'s events (`rollups.STORED_COLUMNS`) to the digests;
# `zones` has each student's (user_id, tz), a zone Postgres knows.
DIGEST_BATCH = """
    lessons_done AS (
        INSERT INTO user_lesson_done (id, user_id, course_id, lesson_id)
        SELECT gen_random_uuid(), user_id, course_id, lesson_id
        FROM (
            SELECT DISTINCT user_id, course_id, context->>'lesson_id' AS lesson_id
            FROM stored WHERE name = 'lesson_completed' AND user_id IS NOT NULL
        ) done
        ON CONFLICT (user_id, course_id, lesson_id) DO NOTHING
    ),
    results AS (
        INSERT INTO user_attempt_result (user_id, attempt_id, exam_id, percent, passed,
                                         occurred_at, event_id)
        SELECT DISTINCT ON (user_id, coalesce(context->>'attempt_id', ''))
               user_id, coalesce(context->>'attempt_id', ''), context->>'exam_id',
               (context->>'percent')::float8, (context->>'passed')::boolean, occurred_at, id
        FROM stored WHERE name = 'exam_completed' AND user_id IS NOT NULL
        ORDER BY user_id, coalesce(context->>'attempt_id', ''), occurred_at DESC, id DESC
        ON CONFLICT (user_id, attempt_id) DO UPDATE
        SET exam_id = EXCLUDED.exam_id, percent = EXCLUDED.percent, passed = EXCLUDED.passed,
            occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id
        WHERE (EXCLUDED.occurred_at, EXCLUDED.event_id)
              > (user_attempt_result.occurred_at, user_attempt_result.event_id)
    ),
    active_days AS (
        INSERT INTO user_active_day (user_id, tz, day)
        SELECT DISTINCT s.user_id, z.tz, (s.occurred_at AT TIME ZONE z.tz)::date
        FROM stored s JOIN zones z ON z.user_id = s.user_id
        WHERE s.by_student
        ON CONFLICT DO NOTHING
    )
"""
ZONES = """
    zones AS (
        SELECT * FROM jsonb_to_recordset(CAST(:zones AS jsonb)) AS z(user_id uuid, tz text)
    )
"""

_FORGET = (
    sa.text("DELETE FROM user_lesson_done WHERE user_id = ANY(CAST(:user_ids AS uuid[]))"),
    sa.text("DELETE FROM user_attempt_result WHERE user_id = ANY(CAST(:user_ids AS uuid[]))"),
    sa.text("DELETE FROM user_active_day WHERE user_id = ANY(CAST(:user_ids AS uuid[]))"),
)
_REBUILD = sa.text(
    f"""
    WITH {ZONES},
    stored AS (
        SELECT {STORED_COLUMNS}
        FROM analytics_event WHERE user_id = ANY(CAST(:user_ids AS uuid[]))
    ),
    {DIGEST_BATCH}
    SELECT 1
    """  # noqa: S608 - module constants joined, nothing from input
)
# Students whose days were counted in another zone than the one they have now.
_MOVED = sa.text(
    f"""
    WITH {ZONES}
    SELECT DISTINCT d.user_id FROM user_active_day d JOIN zones z ON z.user_id = d.user_id
    WHERE d.user_id = ANY(CAST(:user_ids AS uuid[])) AND d.tz <> z.tz
    """  # noqa: S608 - module constants joined, nothing from input
)


def zones_json(zones: Sequence[dict[str, str]]) -> str:
    return json.dumps(list(zones))


def zone_params(zones: Sequence[dict[str, str]]) -> dict[str, object]:
    """The parameters of a statement over these students: `:zones` (for `ZONES`) and
    `:user_ids`."""
    return {"zones": zones_json(zones), "user_ids": [z["user_id"] for z in zones]}


def rebuild_digests(session: Session, zones: Sequence[dict[str, str]]) -> None:
    """Derive these students' digests from all their events again (each zone a dict of
    `user_id` and `tz`)."""
    if not zones:
        return
    params = zone_params(zones)
    for statement in _FORGET:
        session.execute(statement, params)
    session.execute(_REBUILD, params)


def rebuild_moved(session: Session, zones: Sequence[dict[str, str]]) -> None:
    """Rebuild the digests of the students whose zone changed since their days were counted."""
    if not zones:
        return
    params = zone_params(zones)
    moved = {str(user_id) for user_id in session.execute(_MOVED, params).scalars()}
    rebuild_digests(session, [z for z in zones if z["user_id"] in moved])
