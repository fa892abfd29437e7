"""`learning-app bench rollup`: what keeping the daily roll-ups costs as a day fills up.

The flush adds each batch of events to the roll-ups in the statement that stores it
(`progress.rollups`). The bench times flushes of batches of events on a quiet day, then again
once today holds M more events (default 1,000,000, generated inside Postgres for N students of
a tagged course), against recomputing the day from its raw events, which a job used to do for
today and yesterday every minute. Each phase also checks that the roll-ups the flushes kept
equal a recompute's. Every generated row is deleted at the end.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.bench.stats import p50_p95
from learning_app.models.base import utc_now
from learning_app.services.progress.events import BUFFER_KEY, build_event, flush_events
from learning_app.services.progress.rollups import rollup_day

# A student views more than they complete.
_NAMES = [
    "lesson_viewed",
    "lesson_viewed",
    "lesson_completed",
    "question_answered",
    "search_performed",
]

_FIXTURE = [
    """INSERT INTO "user" (id, email)
       VALUES (:teacher, 'bench-' || :tag || '-teacher@bench.invalid')""",
    """INSERT INTO course (id, owner_id, title, slug, status, published_at)
       VALUES (:course, :teacher, 'Bench roll-up ' || :tag, 'bench-rollup-' || :tag,
               'published', now())""",
    """INSERT INTO "user" (id, email)
       SELECT gen_random_uuid(), 'bench-' || :tag || '-' || g || '@bench.invalid'
       FROM generate_series(1, :students) g""",
]
_STUDENTS = sa.text(
    """SELECT id FROM "user" WHERE email LIKE 'bench-' || :tag || '-%@bench.invalid'
       AND id <> :teacher"""
)
# Today's events, spread over the UTC day, each by one of the course's students.
_EVENTS = sa.text(
    """
    INSERT INTO analytics_event (id, name, user_id, course_id, context, occurred_at)
    SELECT gen_random_uuid(), (CAST(:names AS text[]))[1 + g % cardinality(CAST(:names AS text[]))],
           s.ids[1 + (g::bigint * 7919) % cardinality(s.ids)], :course, '{}'::jsonb,
           date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
               + random() * interval '1 day'
    FROM generate_series(1, :events) g,
         (SELECT array_agg(id) AS ids FROM "user"
          WHERE email LIKE 'bench-' || :tag || '-%@bench.invalid' AND id <> :teacher) s
    """
)
_COURSE_ROWS = sa.text(
    """SELECT event_name, event_count, active_users FROM analytics_daily
       WHERE course_id = :course AND day = :day ORDER BY event_name"""
)
_CLEANUP = [
    "DELETE FROM analytics_event WHERE course_id = :course",
    "DELETE FROM analytics_daily WHERE course_id = :course",
    "DELETE FROM analytics_daily_user WHERE course_id = :course",
    "DELETE FROM course WHERE id = :course",
    """DELETE FROM "user" WHERE email LIKE 'bench-' || :tag || '-%@bench.invalid'""",
]


def _flush_batches(
    course: uuid.UUID, students: list[uuid.UUID], batches: int, batch_size: int
) -> list[float]:
    """Buffer `batch_size` events and time the flush that stores them, `batches` times."""
    rng = random.Random(1)  # noqa: S311 - which student, not a secret
    times = []
    for _ in range(batches):
        lines = [
            build_event(rng.choice(_NAMES), user_id=rng.choice(students), course_id=course)
            for _ in range(batch_size)
        ]
        get_redis().lpush(BUFFER_KEY, *lines)
        while True:
            start = time.perf_counter()
            if not flush_events(batch_size=batch_size, max_batches=1).skipped:
                break
            time.sleep(0.1)  # the app's own flush holds the lock: wait for it
        times.append((time.perf_counter() - start) * 1000)
    return times


def _recompute_matches(course: uuid.UUID, samples: int) -> tuple[bool, list[float]]:
    """Recompute today from its raw events `samples` times (timed); whether the roll-ups the
    flushes kept for the course equal the recompute's."""
    today = utc_now().astimezone(UTC).date()
    params = {"course": course, "day": today}
    with session_scope() as session:
        kept = session.execute(_COURSE_ROWS, params).all()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        with session_scope() as session:
            rollup_day(session, today)
        times.append((time.perf_counter() - start) * 1000)
    with session_scope() as session:
        recomputed = session.execute(_COURSE_ROWS, params).all()
    return kept == recomputed, times


def run_rollup_bench(
    *, students: int, events: int, batches: int, batch_size: int, recomputes: int
) -> dict[str, float | int | bool]:
    tag = uuid.uuid4().hex[:8]
    course, teacher = uuid.uuid4(), uuid.uuid4()
    params = {"tag": tag, "course": course, "teacher": teacher}
    result: dict[str, float | int | bool] = {
        "students": students,
        "events": events,
        "batch_size": batch_size,
    }
    try:
        with session_scope() as session:
            for statement in _FIXTURE:
                session.execute(sa.text(statement), {**params, "students": students})
            ids = list(session.execute(_STUDENTS, params).scalars())
        quiet = _flush_batches(course, ids, batches, batch_size)
        result["quiet_matches"], _ = _recompute_matches(course, 1)
        start = time.perf_counter()
        with Session(get_engine()) as session, session.begin():
            session.execute(_EVENTS, {**params, "events": events, "names": _NAMES})
        result["generate_s"] = round(time.perf_counter() - start, 1)
        with get_engine().connect() as conn:
            conn.execute(sa.text("ANALYZE analytics_event"))
        with session_scope() as session:
            rollup_day(session, utc_now().astimezone(UTC).date())  # the generated events
        busy = _flush_batches(course, ids, batches, batch_size)
        result["busy_matches"], recompute = _recompute_matches(course, recomputes)
    finally:
        with session_scope() as session:
            for statement in _CLEANUP:
                session.execute(sa.text(statement), params)
    result.update(p50_p95("flush_quiet", quiet))
    result.update(p50_p95("flush_busy", busy))
    result.update(p50_p95("recompute_day", recompute))
    result["busy_over_quiet"] = round(
        float(result["flush_busy_p50_ms"]) / max(float(result["flush_quiet_p50_ms"]), 0.01), 2
    )
    result["recompute_over_flush"] = round(
        float(result["recompute_day_p50_ms"]) / max(float(result["flush_busy_p50_ms"]), 0.01), 1
    )
    return result
