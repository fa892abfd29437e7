"""How far each student has got: per lesson within a course, and overall counters."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from learning_app.models.base import (
    created_at_field,
    pg_enum,
    timestamp_field,
    updated_at_field,
    uuid_pk,
)


class LessonProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class LessonProgress(SQLModel, table=True):
    """A student's progress on one lesson in the context of one course.

    Keyed by course as well as lesson because a lesson can sit in several courses and each
    course reports its own completion. Everything CASCADEs: progress is meaningless without
    the student, the lesson or the course.
    """

    __tablename__ = "lesson_progress"
    __table_args__ = (
        sa.UniqueConstraint(
            "user_id", "course_id", "lesson_id", name="uq_lesson_progress_user_course_lesson"
        ),
        sa.CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL", name="completed_has_date"
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    lesson_id: uuid.UUID = Field(foreign_key="lesson.id", ondelete="CASCADE", index=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    status: LessonProgressStatus = Field(
        default=LessonProgressStatus.NOT_STARTED,
        sa_type=pg_enum(LessonProgressStatus, "lesson_progress_status"),
        sa_column_kwargs={"server_default": LessonProgressStatus.NOT_STARTED.value},
    )
    first_viewed_at: datetime | None = timestamp_field()
    last_viewed_at: datetime | None = timestamp_field()
    completed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field(index=False)
    updated_at: datetime = updated_at_field()


class UserStats(SQLModel, table=True):
    """Per-user counters shown on the dashboard: streaks, completions, scores.

    XP itself lives on `user_profile.xp` (the seed puts it on the profile); the same stats job
    updates both, so there is still one writer.

    `last_active_date` is a calendar date in the user's own timezone (user_profile.timezone),
    which is what a daily streak counts.
    """

    __tablename__ = "user_stats"
    __table_args__ = (
        sa.CheckConstraint(
            "current_streak_days >= 0 AND longest_streak_days >= current_streak_days"
            " AND lessons_completed >= 0 AND exams_passed >= 0",
            name="counters_not_negative",
        ),
        sa.CheckConstraint(
            "average_score IS NULL OR (average_score >= 0 AND average_score <= 100)",
            name="average_score_range",
        ),
    )

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    current_streak_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    longest_streak_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_active_date: date | None = Field(default=None)
    lessons_completed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    exams_passed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Mean percent over graded attempts; NULL until the first one.
    average_score: float | None = Field(default=None)
    updated_at: datetime = updated_at_field()


class UserLessonDone(SQLModel, table=True):
    """A lesson a student completed, once (from `lesson_completed` events): what
    `user_stats.lessons_completed` counts. One of the three digests of a student's events
    that the flush keeps, so that recomputing their stats reads a few rows per lesson, exam
    and day instead of every event they ever caused (`services/progress/digests.py`)."""

    __tablename__ = "user_lesson_done"
    __table_args__ = (
        sa.UniqueConstraint(
            "user_id",
            "course_id",
            "lesson_id",
            name="uq_user_lesson_done_user_id_course_id_lesson_id",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    course_id: uuid.UUID | None = Field(default=None)
    # As the event's context names it (ids of lessons since deleted still count).
    lesson_id: str | None = Field(default=None, sa_type=sa.Text)


class UserAttemptResult(SQLModel, table=True):
    """Each attempt's latest `exam_completed` event (an essay marked later regrades it): what
    `exams_passed` and `average_score` are computed from."""

    __tablename__ = "user_attempt_result"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    # The event's attempt id ('' when it named none, which all count as one attempt).
    attempt_id: str = Field(primary_key=True, sa_type=sa.Text)
    exam_id: str | None = Field(default=None, sa_type=sa.Text)
    percent: float | None = Field(default=None)
    passed: bool | None = Field(default=None)
    # Which event is the latest: its time, then its id.
    occurred_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    event_id: uuid.UUID


class UserActiveDay(SQLModel, table=True):
    """A calendar day on which the student did something themselves (a teacher's mark does
    not count), in the time zone named: the days their streaks are counted from. Days kept
    in another zone than the student's current one are rebuilt from the events."""

    __tablename__ = "user_active_day"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    tz: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
