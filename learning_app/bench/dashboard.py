"""`learning-app bench dashboard`: the teacher dashboard's queries, roll-ups and views against
naive aggregates over the raw rows, on one large course.

The fixture is generated inside Postgres with `generate_series` (seconds, not minutes): a
teacher, a course tagged `bench-dashboard-<tag>` with 20 lessons and an exam of 20 questions,
N students (default 10,000) enrolled over 90 days with lesson progress, one graded attempt each
with its answers, and M raw events (default 1,000,000) over the same 90 days. Roll-ups of those
days and the materialized views are then computed (timed), both ways are timed in one run, and
every generated row is deleted at the end (the touched days are rolled up again).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.bench.bulk import generate
from learning_app.bench.stats import percentile
from learning_app.models.base import utc_now
from learning_app.services.progress.dashboards import (
    ACTIVITY_DAYS,
    HARDEST_QUESTIONS,
    course_figures,
)
from learning_app.services.progress.rollups import refresh_teacher_views, rollup_day

DAYS = 90
LESSONS = 20
QUESTIONS = 20

_FIXTURE = [
    """INSERT INTO "user" (id, email)
       VALUES (:teacher, 'bench-' || :tag || '-teacher@bench.invalid')""",
    """INSERT INTO course (id, owner_id, title, slug, status, published_at)
       VALUES (:course, :teacher, 'Bench dashboard ' || :tag, 'bench-dashboard-' || :tag,
               'published', now())""",
    """CREATE TEMP TABLE bench_students ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n, floor(random() * 21)::int AS reached
       FROM generate_series(1, :students) g""",
    """CREATE TEMP TABLE bench_lessons ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g - 1 AS position FROM generate_series(1, :lessons) g""",
    """CREATE TEMP TABLE bench_questions ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, :questions) g""",
    """INSERT INTO "user" (id, email)
       SELECT id, 'bench-' || :tag || '-' || n || '@bench.invalid' FROM bench_students""",
    """INSERT INTO enrollment (id, course_id, user_id, enrolled_at)
       SELECT gen_random_uuid(), :course, id, now() - random() * interval '90 days'
       FROM bench_students""",
    """INSERT INTO lesson (id, owner_id, title, status, published_at)
       SELECT id, :teacher, 'Lesson ' || (position + 1), 'published', now() FROM bench_lessons""",
    """INSERT INTO course_lesson (course_id, lesson_id, position)
       SELECT :course, id, position FROM bench_lessons""",
    # Student s opened lessons up to `reached` and completed all but the last of them.
    """INSERT INTO lesson_progress (id, user_id, lesson_id, course_id, status, first_viewed_at,
                                    completed_at)
       SELECT gen_random_uuid(), s.id, l.id, :course,
              CASE WHEN l.position < s.reached - 1 THEN 'completed' ELSE 'in_progress' END
                  ::lesson_progress_status,
              now(), CASE WHEN l.position < s.reached - 1 THEN now() END
       FROM bench_students s JOIN bench_lessons l ON l.position < s.reached""",
    """INSERT INTO question (id, course_id, type, prompt_markdown)
       SELECT id, :course, 'single_choice', 'Question ' || n FROM bench_questions""",
    """INSERT INTO exam (id, course_id, title, status, published_at)
       VALUES (:exam, :course, 'Bench exam', 'published', now())""",
    """INSERT INTO exam_attempt (id, exam_id, user_id, attempt_number, status, submitted_at,
                                 graded_at, score, max_score, percent, passed)
       SELECT gen_random_uuid(), :exam, id, 1, 'graded', now(), now(), p / 5, 20, p, p >= 60
       FROM (SELECT id, round((random() * 100)::numeric, 1)::float8 AS p FROM bench_students) s""",
    # Question n is answered correctly with probability n / (questions + 1): some are hard.
    """INSERT INTO attempt_answer (id, attempt_id, question_id, is_correct, points_awarded)
       SELECT gen_random_uuid(), a.id, q.id, c, CASE WHEN c THEN 1 ELSE 0 END
       FROM exam_attempt a CROSS JOIN bench_questions q
       CROSS JOIN LATERAL (SELECT random() < q.n::float8 / (:questions + 1) AS c) r
       WHERE a.exam_id = :exam""",
    """INSERT INTO analytics_event (id, name, user_id, course_id, context, occurred_at)
       SELECT gen_random_uuid(), (ARRAY['lesson_viewed', 'lesson_viewed', 'lesson_completed',
              'question_answered', 'exam_started', 'exam_completed'])[1 + g % 6],
              s.ids[1 + (g::bigint * 7919) % :students],
              :course, jsonb_build_object('lesson_id', 'l' || (g % :lessons),
                                          'percent', (g * 31) % 101),
              now() - (g % 90) * interval '1 day' - random() * interval '1 day'
       FROM generate_series(1, :events) g,
            (SELECT array_agg(id ORDER BY n) AS ids FROM bench_students) s""",
]

NAIVE_QUERIES = {
    "students": "SELECT count(*) FROM enrollment WHERE course_id = :course",
    "enrolments": """SELECT (enrolled_at AT TIME ZONE 'UTC')::date AS day, count(*)
        FROM enrollment WHERE course_id = :course GROUP BY day ORDER BY day""",
    "funnel": """SELECT context->>'lesson_id',
               count(DISTINCT user_id) FILTER (WHERE name = 'lesson_viewed'),
               count(DISTINCT user_id) FILTER (WHERE name = 'lesson_completed')
        FROM analytics_event WHERE course_id = :course
          AND name IN ('lesson_viewed', 'lesson_completed') GROUP BY 1""",
    "scores": """SELECT a.exam_id, LEAST(floor(a.percent / 10), 9)::int AS bucket, count(*)
        FROM exam_attempt a JOIN exam x ON x.id = a.exam_id
        WHERE x.course_id = :course AND a.status = 'graded' GROUP BY 1, 2""",
    "hardest": """SELECT a.question_id, count(*), count(*) FILTER (WHERE a.is_correct)
        FROM attempt_answer a JOIN question q ON q.id = a.question_id
        WHERE q.course_id = :course AND a.is_correct IS NOT NULL
        GROUP BY 1 ORDER BY count(*) FILTER (WHERE a.is_correct)::float8 / count(*) LIMIT :limit""",
    "daily_active": """SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, count(DISTINCT user_id)
        FROM analytics_event WHERE course_id = :course AND occurred_at >= :since
        GROUP BY day ORDER BY day""",
}


def _timed(session: Session, run: object, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        run(session)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def _naive(session: Session, course: uuid.UUID) -> None:
    since = utc_now() - timedelta(days=ACTIVITY_DAYS)
    params = {"course": course, "limit": HARDEST_QUESTIONS, "since": since}
    for query in NAIVE_QUERIES.values():
        session.execute(sa.text(query), params).all()


def _cleanup(tag: str, course: uuid.UUID, exam: uuid.UUID, teacher: uuid.UUID) -> None:
    with session_scope() as session:
        for statement in (
            "DELETE FROM analytics_event WHERE course_id = :course",
            "DELETE FROM analytics_daily WHERE course_id = :course",
            "DELETE FROM exam_attempt WHERE exam_id = :exam",
            "DELETE FROM course WHERE id = :course",
            "DELETE FROM lesson WHERE owner_id = :teacher",
            """DELETE FROM "user" WHERE email LIKE 'bench-' || :tag || '-%@bench.invalid'""",
        ):
            session.execute(
                sa.text(statement),
                {"course": course, "exam": exam, "teacher": teacher, "tag": tag},
            )
        refresh_teacher_views(session)


def run_dashboard_bench(*, students: int, events: int, samples: int, naive_samples: int) -> dict:
    tag = uuid.uuid4().hex[:8]
    course, exam, teacher = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    params = {
        "tag": tag,
        "course": course,
        "exam": exam,
        "teacher": teacher,
        "students": students,
        "events": events,
        "lessons": LESSONS,
        "questions": QUESTIONS,
    }
    result: dict[str, float | int] = {"students": students, "events": events}
    try:
        result["generate_s"] = generate(_FIXTURE, params)
        with get_engine().connect() as conn:
            conn.execute(sa.text("ANALYZE"))
        start = time.perf_counter()
        today = utc_now().astimezone(UTC).date()
        with session_scope() as session:
            for back in range(DAYS + 1):
                rollup_day(session, today - timedelta(days=back))
        result["rollup_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        with session_scope() as session:
            refresh_teacher_views(session)
        result["refresh_s"] = round(time.perf_counter() - start, 1)
        with session_scope() as session:
            fast = _timed(session, lambda s: course_figures(s, course, today), samples)
            naive = _timed(session, lambda s: _naive(s, course), naive_samples)
    finally:
        _cleanup(tag, course, exam, teacher)
    result.update(
        p50_ms=round(percentile(fast, 0.5), 2),
        p95_ms=round(percentile(fast, 0.95), 2),
        naive_p50_ms=round(percentile(naive, 0.5), 1),
        naive_p95_ms=round(percentile(naive, 0.95), 1),
    )
    result["speedup"] = round(float(result["naive_p95_ms"]) / max(float(result["p95_ms"]), 0.01), 1)
    return result
