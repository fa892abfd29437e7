"""Digests of each student's events (lessons done, each attempt's latest result, active days),
so that recomputing their stats on every flush reads a few rows per lesson, attempt and day
instead of every event they ever caused. Filled here from the events already stored.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate may render sqlmodel / pgvector types; these keep such code importable.
_ = (pgvector.sqlalchemy, sqlmodel)


# The same facts as `services/progress/digests.py` derives, from every stored event. A zone
# Postgres does not know counts as UTC, as the app reads it.
_BACKFILL = (
    """INSERT INTO user_lesson_done (user_id, course_id, lesson_id)
       SELECT DISTINCT user_id, course_id, context->>'lesson_id'
       FROM analytics_event WHERE name = 'lesson_completed' AND user_id IS NOT NULL""",
    """INSERT INTO user_attempt_result (user_id, attempt_id, exam_id, percent, passed,
                                        occurred_at, event_id)
       SELECT DISTINCT ON (user_id, coalesce(context->>'attempt_id', ''))
              user_id, coalesce(context->>'attempt_id', ''), context->>'exam_id',
              (context->>'percent')::float8, (context->>'passed')::boolean, occurred_at, id
       FROM analytics_event WHERE name = 'exam_completed' AND user_id IS NOT NULL
       ORDER BY user_id, coalesce(context->>'attempt_id', ''), occurred_at DESC, id DESC""",
    """INSERT INTO user_active_day (user_id, tz, day)
       SELECT DISTINCT e.user_id, z.tz, (e.occurred_at AT TIME ZONE z.tz)::date
       FROM analytics_event e
       JOIN (SELECT p.user_id,
                    CASE WHEN EXISTS (SELECT 1 FROM pg_timezone_names n
                                      WHERE n.name = p.timezone)
                         THEN p.timezone ELSE 'UTC' END AS tz
             FROM user_profile p) z ON z.user_id = e.user_id
       WHERE e.context->>'by_student' IS DISTINCT FROM 'false'""",
)


def upgrade() -> None:
    op.create_table(
        "user_active_day",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_active_day_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "tz", "day", name=op.f("pk_user_active_day")),
    )
    op.create_table(
        "user_attempt_result",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Text(), nullable=False),
        sa.Column("exam_id", sa.Text(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_attempt_result_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "attempt_id", name=op.f("pk_user_attempt_result")),
    )
    op.create_table(
        "user_lesson_done",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("lesson_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_lesson_done_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_lesson_done")),
        sa.UniqueConstraint(
            "user_id",
            "course_id",
            "lesson_id",
            name="uq_user_lesson_done_user_id_course_id_lesson_id",
            postgresql_nulls_not_distinct=True,
        ),
    )
    for statement in _BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("user_lesson_done")
    op.drop_table("user_attempt_result")
    op.drop_table("user_active_day")
