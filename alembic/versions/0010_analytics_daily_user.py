"""Daily roll-ups kept by the flush: who was already counted as active on each day, so that a
batch of events is added to `analytics_daily` without reading the day's earlier events.

The table is filled from every stored event, and today's and yesterday's roll-ups are
recomputed once: the per-minute job that kept them current is gone, and events flushed since
its last run are not in them yet.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate may render sqlmodel / pgvector types; these keep such code importable.
_ = (pgvector.sqlalchemy, sqlmodel)


# A teacher's mark (an essay graded) is not the student being active that day.
_ACTIVE_USERS = """
    INSERT INTO analytics_daily_user (day, course_id, event_name, user_id)
    SELECT DISTINCT (e.occurred_at AT TIME ZONE 'UTC')::date, e.course_id, n.event_name, e.user_id
    FROM analytics_event e CROSS JOIN LATERAL unnest(ARRAY[e.name, '*']) AS n(event_name)
    WHERE e.user_id IS NOT NULL AND e.context->>'by_student' IS DISTINCT FROM 'false'
"""
_RECENT_DAYS = (
    """DELETE FROM analytics_daily
       WHERE day >= (now() AT TIME ZONE 'UTC')::date - 1""",
    """INSERT INTO analytics_daily (day, course_id, event_name, event_count, active_users)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, course_id, coalesce(name, '*'),
              count(*),
              count(DISTINCT user_id)
                  FILTER (WHERE context->>'by_student' IS DISTINCT FROM 'false')
       FROM analytics_event
       WHERE occurred_at >= ((now() AT TIME ZONE 'UTC')::date - 1) AT TIME ZONE 'UTC'
       GROUP BY GROUPING SETS (((occurred_at AT TIME ZONE 'UTC')::date, course_id, name),
                               ((occurred_at AT TIME ZONE 'UTC')::date, course_id))""",
)


def upgrade() -> None:
    op.create_table(
        "analytics_daily_user",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("event_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_analytics_daily_user_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_daily_user")),
        sa.UniqueConstraint(
            "day",
            "course_id",
            "event_name",
            "user_id",
            name="uq_analytics_daily_user_day_course_id_event_name_user_id",
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_analytics_daily_user_user_id"), "analytics_daily_user", ["user_id"], unique=False
    )
    op.execute(_ACTIVE_USERS)
    for statement in _RECENT_DAYS:
        op.execute(statement)
    # The periodic task is gone: a run still queued would fail for want of it.
    op.execute(
        "UPDATE procrastinate_jobs SET status = 'cancelled'"
        " WHERE task_name = 'analytics.rollup' AND status = 'todo'"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_analytics_daily_user_user_id"), table_name="analytics_daily_user")
    op.drop_table("analytics_daily_user")
