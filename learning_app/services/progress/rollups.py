"""Daily roll-ups of the raw events, and the teacher aggregates kept as materialized views.

`analytics_daily` holds, per UTC day, per course (NULL: site-wide) and per event name, the
number of events and of distinct users. One extra row per day and course, named `ALL_EVENTS`,
counts the distinct users of any event: daily active students cannot be summed from the
per-event rows (one student viewing and completing would count twice).

The flush adds each batch of events to its days' rows in the transaction that stores them
(`progress.events`), reading none of the day's earlier events: a user counts as active when
their `analytics_daily_user` row for that day, course and event name is new. So the work per
batch stays the same however many events a day already has. A job used to recompute today
and yesterday every minute instead, reading all of both days' events each time: 1.8-2.0 s of
Postgres for a day of a million events, twice a minute (`learning-app bench rollup`).

`rollup_day` recomputes a day whole from the raw events, in one transaction (delete, then add
all of the day's events as the flush adds a batch), for backfills and repairs (`learning-app
events rollup --since DATE`) and for events stored without the flush (the benches' generated
ones). Both take the roll-up lock, so a flush's additions never interleave with a recompute
of the same day.

`analytics_daily_user` has a row per student, day, course and event name: it would grow with
every student every day for ever. The hourly job closes the days older than
`ACTIVE_USERS_KEPT_DAYS` (`close_old_days`): their rows go, and the day is marked in
`analytics_closed_day`. The flush adds nothing to a closed day's roll-ups, since it could no
longer tell who is new there; an event that still arrives for one (a buffer kept through a
week's outage, an import) has the day recomputed whole by the `analytics.rollup_day` job,
queued in the flush's transaction, once per day however many events arrive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.adapters.job_queue import defer_unless_waiting
from learning_app.models.base import utc_now

ALL_EVENTS = "*"
# Who was counted active is kept for today and the 7 days before it; a day older than that is
# closed, and an event that arrives for it has its day recomputed instead.
ACTIVE_USERS_KEPT_DAYS = 7
ROLLUP_DAY_TASK = "analytics.rollup_day"
# The materialized views of alembic/versions/0004_progress_views.py, each with a unique index.
TEACHER_VIEWS = (
    "course_enrolment_daily",
    "lesson_funnel",
    "exam_score_distribution",
    "question_correct_rate",
)
_ROLLUP_LOCK_ID = 0x726F6C6C7570  # "rollup"

# What the batch fragments read of each event (`ROLLUP_BATCH` as `counted`, the digests as
# `stored`): its UTC day, and whether the student did it themselves (a teacher's mark, an
# essay graded, is not the student being active).
STORED_COLUMNS = """
    id, user_id, course_id, name, context, occurred_at,
    (occurred_at AT TIME ZONE 'UTC')::date AS day,
    context->>'by_student' IS DISTINCT FROM 'false' AS by_student
"""
# The flush's stored events (`stored`) that it adds to the roll-ups: those of days not closed.
COUNTED_EVENTS = """
    counted AS (
        SELECT * FROM stored s
        WHERE NOT EXISTS (SELECT FROM analytics_closed_day c WHERE c.day = s.day)
    )
"""
# The closed days among the flush's stored events, as one array (NULL: none).
CLOSED_DAYS = """
    (SELECT array_agg(DISTINCT s.day) FROM stored s JOIN analytics_closed_day c USING (day))
"""
# Data-modifying CTEs that add `counted`'s events (`STORED_COLUMNS`) to the roll-ups, a
# fragment of the flush's statement (`progress.events`): a user counts as active on a day, in
# a course, for an event name and for any event (`ALL_EVENTS`, the parameter :all_events),
# when their `analytics_daily_user` row is new.
ROLLUP_BATCH = """
    newly_active AS (
        INSERT INTO analytics_daily_user (id, day, course_id, event_name, user_id)
        SELECT gen_random_uuid(), day, course_id, event_name, user_id
        FROM (
            SELECT DISTINCT s.day, s.course_id, n.event_name, s.user_id
            FROM counted s
            CROSS JOIN LATERAL unnest(ARRAY[s.name, CAST(:all_events AS varchar)])
                AS n(event_name)
            WHERE s.user_id IS NOT NULL AND s.by_student
        ) active
        ON CONFLICT (day, course_id, event_name, user_id) DO NOTHING
        RETURNING day, course_id, event_name
    ),
    new_users AS (
        SELECT day, course_id, event_name, count(*) AS users
        FROM newly_active GROUP BY day, course_id, event_name
    ),
    new_events AS (
        SELECT day, course_id, coalesce(name, :all_events) AS event_name, count(*) AS events
        FROM counted GROUP BY GROUPING SETS ((day, course_id, name), (day, course_id))
    ),
    rolled_up AS (
        INSERT INTO analytics_daily (id, day, course_id, event_name, event_count,
                                     active_users, updated_at)
        SELECT gen_random_uuid(), e.day, e.course_id, e.event_name, e.events,
               coalesce(u.users, 0), now()
        FROM new_events e
        LEFT JOIN new_users u ON u.day = e.day AND u.event_name = e.event_name
            AND u.course_id IS NOT DISTINCT FROM e.course_id
        ON CONFLICT (day, course_id, event_name) DO UPDATE
        SET event_count = analytics_daily.event_count + EXCLUDED.event_count,
            active_users = analytics_daily.active_users + EXCLUDED.active_users,
            updated_at = now()
    )
"""
_FORGET_ACTIVE_USERS = sa.text("DELETE FROM analytics_daily_user WHERE day = :day")
_FORGET_DAY = (sa.text("DELETE FROM analytics_daily WHERE day = :day"), _FORGET_ACTIVE_USERS)
# A day whole, from its raw events, the way the flush adds a batch.
_RECOMPUTE_DAY = sa.text(
    f"""
    WITH counted AS (
        SELECT {STORED_COLUMNS} FROM analytics_event
        WHERE occurred_at >= :start AND occurred_at < :end
    ),
    {ROLLUP_BATCH}
    SELECT 1
    """  # noqa: S608 - module constants joined, nothing from input
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def lock_rollups(session: Session) -> None:
    """Take turns with every other writer of the roll-ups until this transaction ends: two
    recomputes of a day would collide on the unique keys, and a flush adding to a day that a
    recompute is rebuilding would count its events twice or not at all."""
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ROLLUP_LOCK_ID)))


def rollup_day(session: Session, day: date) -> None:
    """Recompute one UTC day's roll-up rows from its events."""
    lock_rollups(session)
    for statement in _FORGET_DAY:
        session.execute(statement, {"day": day})
    start, end = day_bounds(day)
    session.execute(_RECOMPUTE_DAY, {"start": start, "end": end, "all_events": ALL_EVENTS})


def rollup_since(session: Session, since: date, *, now: datetime | None = None) -> int:
    """Every day from `since` to today, committing after each, so that flushes wait behind one
    day's recompute at a time rather than the whole run; returns how many days."""
    today = (now or utc_now()).astimezone(UTC).date()
    count = 0
    while since + timedelta(days=count) <= today:
        rollup_day(session, since + timedelta(days=count))
        session.commit()
        count += 1
    return count


def queue_day_recompute(session: Session, day: date) -> None:
    """Queue `rollup_day` for a closed day that received events, in the session's
    transaction; nothing if one already waits for that day."""
    defer_unless_waiting(
        session, ROLLUP_DAY_TASK, queueing_lock=f"{ROLLUP_DAY_TASK}:{day}", day=day.isoformat()
    )


def oldest_day_to_close(session: Session, *, now: datetime | None = None) -> date | None:
    """The oldest day older than the kept ones that still has `analytics_daily_user` rows."""
    today = (now or utc_now()).astimezone(UTC).date()
    kept_since = today - timedelta(days=ACTIVE_USERS_KEPT_DAYS)
    return session.execute(
        sa.text("SELECT min(day) FROM analytics_daily_user WHERE day < :kept_since"),
        {"kept_since": kept_since},
    ).scalar()


def close_day(session: Session, day: date) -> None:
    """Forget who was counted active on `day` and mark it closed (see the module docstring).
    A closed day that was recomputed since has its rows again: they go the same way."""
    lock_rollups(session)
    session.execute(
        sa.text("INSERT INTO analytics_closed_day (day) VALUES (:day) ON CONFLICT DO NOTHING"),
        {"day": day},
    )
    session.execute(_FORGET_ACTIVE_USERS, {"day": day})


def refresh_teacher_views(session: Session) -> None:
    """Refresh every teacher view without blocking dashboards that read them meanwhile."""
    for view in TEACHER_VIEWS:
        session.execute(sa.text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))
