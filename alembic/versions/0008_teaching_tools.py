"""Teachers' tools: accommodations per student (more time, attempts, their own dates),
prerequisites (a lesson or exam unlocked by another exam passed well enough), and each exam's
grade policy (best, last or average attempt) for the gradebook.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate may render sqlmodel / pgvector types; these keep such code importable.
_ = (pgvector.sqlalchemy, sqlmodel)


def upgrade() -> None:
    op.create_table(
        "accommodation",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("exam_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("time_factor", sa.Float(), nullable=True),
        sa.Column("extra_minutes", sa.Integer(), nullable=True),
        sa.Column("extra_attempts", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "extra_attempts IS NULL OR extra_attempts > 0",
            name=op.f("ck_accommodation_extra_attempts_positive"),
        ),
        sa.CheckConstraint(
            "extra_minutes IS NULL OR extra_minutes > 0",
            name=op.f("ck_accommodation_extra_minutes_positive"),
        ),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at",
            name=op.f("ck_accommodation_window_order"),
        ),
        sa.CheckConstraint(
            "time_factor IS NULL OR (time_factor > 1 AND time_factor <= 10)",
            name=op.f("ck_accommodation_time_factor_range"),
        ),
        sa.CheckConstraint(
            "time_factor IS NULL OR extra_minutes IS NULL",
            name=op.f("ck_accommodation_factor_or_minutes"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_accommodation_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exam.id"], name=op.f("fk_accommodation_exam_id_exam"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["user.id"],
            name=op.f("fk_accommodation_granted_by_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_accommodation_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodation")),
    )
    op.create_index(
        op.f("ix_accommodation_course_id"), "accommodation", ["course_id"], unique=False
    )
    op.create_index(op.f("ix_accommodation_exam_id"), "accommodation", ["exam_id"], unique=False)
    op.create_index(op.f("ix_accommodation_user_id"), "accommodation", ["user_id"], unique=False)
    op.create_index(
        "ux_accommodation_user_id_course_id",
        "accommodation",
        ["user_id", "course_id"],
        unique=True,
        postgresql_where=sa.text("exam_id IS NULL"),
    )
    op.create_index(
        "ux_accommodation_user_id_exam_id",
        "accommodation",
        ["user_id", "exam_id"],
        unique=True,
        postgresql_where=sa.text("exam_id IS NOT NULL"),
    )
    op.create_table(
        "prerequisite",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=True),
        sa.Column("exam_id", sa.Uuid(), nullable=True),
        sa.Column("required_exam_id", sa.Uuid(), nullable=False),
        sa.Column("min_percent", sa.Float(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "exam_id IS NULL OR exam_id <> required_exam_id",
            name=op.f("ck_prerequisite_not_itself"),
        ),
        sa.CheckConstraint(
            "min_percent >= 0 AND min_percent <= 100", name=op.f("ck_prerequisite_percent_range")
        ),
        sa.CheckConstraint(
            "num_nonnulls(lesson_id, exam_id) = 1", name=op.f("ck_prerequisite_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exam.id"], name=op.f("fk_prerequisite_exam_id_exam"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_prerequisite_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_exam_id"],
            ["exam.id"],
            name=op.f("fk_prerequisite_required_exam_id_exam"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prerequisite")),
    )
    op.create_index(op.f("ix_prerequisite_course_id"), "prerequisite", ["course_id"], unique=False)
    op.create_index(op.f("ix_prerequisite_lesson_id"), "prerequisite", ["lesson_id"], unique=False)
    op.create_index(
        op.f("ix_prerequisite_required_exam_id"), "prerequisite", ["required_exam_id"], unique=False
    )
    op.create_index(
        "ux_prerequisite_exam",
        "prerequisite",
        ["exam_id", "required_exam_id"],
        unique=True,
        postgresql_where=sa.text("exam_id IS NOT NULL"),
    )
    op.create_index(
        "ux_prerequisite_lesson",
        "prerequisite",
        ["course_id", "lesson_id", "required_exam_id"],
        unique=True,
        postgresql_where=sa.text("lesson_id IS NOT NULL"),
    )
    grade_policy = sa.Enum("best", "last", "average", name="grade_policy")
    grade_policy.create(op.get_bind(), checkfirst=True)
    op.add_column(
        "exam",
        sa.Column(
            "grade_policy",
            grade_policy,
            server_default="best",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("exam", "grade_policy")
    op.drop_index(
        "ux_prerequisite_lesson",
        table_name="prerequisite",
        postgresql_where=sa.text("lesson_id IS NOT NULL"),
    )
    op.drop_index(
        "ux_prerequisite_exam",
        table_name="prerequisite",
        postgresql_where=sa.text("exam_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_prerequisite_required_exam_id"), table_name="prerequisite")
    op.drop_index(op.f("ix_prerequisite_lesson_id"), table_name="prerequisite")
    op.drop_index(op.f("ix_prerequisite_course_id"), table_name="prerequisite")
    op.drop_table("prerequisite")
    op.drop_index(
        "ux_accommodation_user_id_exam_id",
        table_name="accommodation",
        postgresql_where=sa.text("exam_id IS NOT NULL"),
    )
    op.drop_index(
        "ux_accommodation_user_id_course_id",
        table_name="accommodation",
        postgresql_where=sa.text("exam_id IS NULL"),
    )
    op.drop_index(op.f("ix_accommodation_user_id"), table_name="accommodation")
    op.drop_index(op.f("ix_accommodation_exam_id"), table_name="accommodation")
    op.drop_index(op.f("ix_accommodation_course_id"), table_name="accommodation")
    op.drop_table("accommodation")
    sa.Enum(name="grade_policy").drop(op.get_bind(), checkfirst=True)
