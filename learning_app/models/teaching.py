"""What a teacher sets per student or per path through a course: accommodations (more time,
more attempts, their own dates) and prerequisites (a lesson or exam that unlocks once another
exam is passed well enough)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from learning_app.models.base import created_at_field, timestamp_field, updated_at_field, uuid_pk


class Accommodation(SQLModel, table=True):
    """One student's adjusted exams, as Moodle's user overrides (WCAG 2.2.1, Timing Adjustable).

    `exam_id` NULL is a standing accommodation for every exam of the course; an accommodation
    for one exam wins over it field by field. Extra time is a factor or minutes, not both. An
    attempt keeps the deadline it started with: changing an accommodation changes only the
    attempts started after it.
    """

    __tablename__ = "accommodation"
    __table_args__ = (
        sa.CheckConstraint(
            "time_factor IS NULL OR (time_factor > 1 AND time_factor <= 10)",
            name="time_factor_range",
        ),
        sa.CheckConstraint(
            "extra_minutes IS NULL OR extra_minutes > 0", name="extra_minutes_positive"
        ),
        sa.CheckConstraint(
            "time_factor IS NULL OR extra_minutes IS NULL", name="factor_or_minutes"
        ),
        sa.CheckConstraint(
            "extra_attempts IS NULL OR extra_attempts > 0", name="extra_attempts_positive"
        ),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", name="window_order"
        ),
        sa.Index(
            "ux_accommodation_user_id_exam_id",
            "user_id",
            "exam_id",
            unique=True,
            postgresql_where=sa.text("exam_id IS NOT NULL"),
        ),
        sa.Index(
            "ux_accommodation_user_id_course_id",
            "user_id",
            "course_id",
            unique=True,
            postgresql_where=sa.text("exam_id IS NULL"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    exam_id: uuid.UUID | None = Field(
        default=None, foreign_key="exam.id", ondelete="CASCADE", index=True
    )
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    time_factor: float | None = Field(default=None)
    extra_minutes: int | None = Field(default=None)
    extra_attempts: int | None = Field(default=None)
    opens_at: datetime | None = timestamp_field()
    closes_at: datetime | None = timestamp_field()
    granted_by: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field(index=False)
    updated_at: datetime = updated_at_field()


class Prerequisite(SQLModel, table=True):
    """A lesson (in this course) or an exam that unlocks once the student has passed
    `required_exam_id` with at least `min_percent` (their best graded attempt): Canvas's
    MasteryPaths, Moodle's "restrict access". The services enforce it, not only the pages."""

    __tablename__ = "prerequisite"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(lesson_id, exam_id) = 1", name="one_target"),
        sa.CheckConstraint("min_percent >= 0 AND min_percent <= 100", name="percent_range"),
        sa.CheckConstraint("exam_id IS NULL OR exam_id <> required_exam_id", name="not_itself"),
        sa.Index(
            "ux_prerequisite_lesson",
            "course_id",
            "lesson_id",
            "required_exam_id",
            unique=True,
            postgresql_where=sa.text("lesson_id IS NOT NULL"),
        ),
        sa.Index(
            "ux_prerequisite_exam",
            "exam_id",
            "required_exam_id",
            unique=True,
            postgresql_where=sa.text("exam_id IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    lesson_id: uuid.UUID | None = Field(
        default=None, foreign_key="lesson.id", ondelete="CASCADE", index=True
    )
    exam_id: uuid.UUID | None = Field(default=None, foreign_key="exam.id", ondelete="CASCADE")
    required_exam_id: uuid.UUID = Field(foreign_key="exam.id", ondelete="CASCADE", index=True)
    min_percent: float
    created_at: datetime = created_at_field(index=False)
