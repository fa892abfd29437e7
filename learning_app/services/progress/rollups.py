"""Daily roll-ups of the raw events, and the teacher aggregates kept as materialized views.

`analytics_daily` holds, per UTC day, per course (NULL: site-wide) and per event name, the
number of events and of distinct users. One extra row per day and course, named `ALL_EVENTS`,
counts the distinct users of any event: daily active students cannot be summed from the
per-event rows (one student viewing and completing would count twice).

A day is recomputed whole, in one transaction (delete, then insert from one grouped scan), so
recomputing is idempotent and late events are picked up by the next run. The scheduled job
recomputes today and yesterday; `learning-app events rollup --since DATE` backfills.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.base import utc_now

ALL_EVENTS = "*"
# The materialized views of alembic/versions/0004_progress_views.py, each with a unique index.
TEACHER_VIEWS = (
    "course_enrolment_daily",
    "lesson_funnel",
    "exam_score_distribution",
    "question_correct_rate",
)
_ROLLUP_LOCK_ID = 0x726F6C6C7570  # "rollup"

_RECOMPUTE_DAY = sa.text(
    """
    INSERT INTO analytics_daily (id, day, course_id, event_name, event_count, active_users,
                                 updated_at)
    SELECT gen_random_uuid(), :day, course_id, coalesce(name, :all_events), count(*),
           -- a teacher's mark (an essay graded) is not the student being active that day
           count(DISTINCT user_id) FILTER (WHERE context->>'by_student' IS DISTINCT FROM 'false'),
           now()
    FROM analytics_event
    WHERE occurred_at >= :start AND occurred_at < :end
    GROUP BY GROUPING SETS ((course_id, name), (course_id))
    """
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def rollup_day(session: Session, day: date) -> int:
    """Recompute one UTC day's roll-up rows; returns how many rows it has."""
    # Two runs of the same day would collide on the unique key: take turns.
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ROLLUP_LOCK_ID)))
    session.execute(sa.text("DELETE FROM analytics_daily WHERE day = :day"), {"day": day})
    start, end = day_bounds(day)
    result = session.execute(
        _RECOMPUTE_DAY, {"day": day, "start": start, "end": end, "all_events": ALL_EVENTS}
    )
    return result.rowcount


def rollup_recent(session: Session, *, now: datetime | None = None) -> list[date]:
    """Today and yesterday (UTC): events still arrive for both from the buffer."""
    today = (now or utc_now()).astimezone(UTC).date()
    days = [today - timedelta(days=1), today]
    for day in days:
        rollup_day(session, day)
    return days


def rollup_since(session: Session, since: date, *, now: datetime | None = None) -> int:
    """Every day from `since` to today; returns how many days."""
    today = (now or utc_now()).astimezone(UTC).date()
    count = 0
    while since + timedelta(days=count) <= today:
        rollup_day(session, since + timedelta(days=count))
        count += 1
    return count


def refresh_teacher_views(session: Session) -> None:
    """Refresh every teacher view without blocking dashboards that read them meanwhile."""
    for view in TEACHER_VIEWS:
        session.execute(sa.text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))
