"""Progress views: materialized teacher aggregates, each refreshable CONCURRENTLY.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Dashboards read these instead of aggregating enrolments, progress rows, attempts and answers
on every page view. Each view has a unique index, which `REFRESH MATERIALIZED VIEW
CONCURRENTLY` requires (the `analytics.refresh_views` job runs it on a schedule), and leads
with `course_id` so one course's rows are an index range. Views are not SQLModel tables; the
models-vs-migrations comparison only reflects tables, so it does not see them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = {
    # Enrolments per course per UTC day.
    "course_enrolment_daily": (
        """
        SELECT course_id, (enrolled_at AT TIME ZONE 'UTC')::date AS day, count(*) AS enrolments
        FROM enrollment GROUP BY course_id, day
        """,
        ["course_id", "day"],
    ),
    # How many students opened and completed each lesson of each course.
    "lesson_funnel": (
        """
        SELECT course_id, lesson_id,
               count(*) FILTER (WHERE first_viewed_at IS NOT NULL OR status <> 'not_started')
                   AS viewed,
               count(*) FILTER (WHERE status = 'completed') AS completed
        FROM lesson_progress GROUP BY course_id, lesson_id
        """,
        ["course_id", "lesson_id"],
    ),
    # Graded attempts per exam in ten-point buckets (bucket 9 holds 90-100).
    "exam_score_distribution": (
        """
        SELECT e.course_id, a.exam_id, LEAST(floor(a.percent / 10), 9)::int AS bucket,
               count(*) AS attempts
        FROM exam_attempt a JOIN exam e ON e.id = a.exam_id
        WHERE a.status = 'graded' AND a.percent IS NOT NULL
        GROUP BY e.course_id, a.exam_id, bucket
        """,
        ["course_id", "exam_id", "bucket"],
    ),
    # Graded answers and correct answers per question.
    "question_correct_rate": (
        """
        SELECT q.course_id, a.question_id, count(*) AS answers,
               count(*) FILTER (WHERE a.is_correct) AS correct
        FROM attempt_answer a JOIN question q ON q.id = a.question_id
        WHERE a.is_correct IS NOT NULL
        GROUP BY q.course_id, a.question_id
        """,
        ["course_id", "question_id"],
    ),
}


def upgrade() -> None:
    for name, (query, key) in VIEWS.items():
        op.execute(f"CREATE MATERIALIZED VIEW {name} AS {query} WITH DATA")
        op.execute(f"CREATE UNIQUE INDEX ux_{name} ON {name} ({', '.join(key)})")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {name}")
