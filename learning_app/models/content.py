"""Courses, lessons, who teaches them and who is enrolled.

Lessons are authored on their own and placed into courses through `course_lesson`, so one
lesson can appear in several courses at different positions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from learning_app.models.base import (
    created_at_field,
    ordered_positions,
    pg_enum,
    timestamp_field,
    updated_at_field,
    utc_now,
    uuid_pk,
)


class PublishStatus(StrEnum):
    """Shared by courses, lessons and exams (database type `publish_status`)."""

    DRAFT = "draft"
    PUBLISHED = "published"


class CourseTeacherRole(StrEnum):
    OWNER = "owner"
    CO_TEACHER = "co_teacher"


def publish_status_type() -> sa.Enum:
    return pg_enum(PublishStatus, "publish_status")


class Course(SQLModel, table=True):
    """A course: an ordered list of lessons plus its question bank, exams and material.

    `owner_id` is ON DELETE RESTRICT: a teacher who owns courses cannot be deleted by
    accident; ownership is transferred (or the courses deleted) first, by a service.
    """

    __tablename__ = "course"
    __table_args__ = (
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        sa.CheckConstraint("btrim(title) <> ''", name="title_not_blank"),
        sa.CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL", name="published_has_date"
        ),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT", index=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=120, unique=True)
    description: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    status: PublishStatus = Field(
        default=PublishStatus.DRAFT,
        index=True,
        sa_type=publish_status_type(),
        sa_column_kwargs={"server_default": PublishStatus.DRAFT.value},
    )
    is_public: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    published_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class CourseTeacher(SQLModel, table=True):
    """Who may edit a course. Exactly one `owner` row per course (partial unique index),
    mirroring `course.owner_id`; any number of co-teachers."""

    __tablename__ = "course_teacher"
    __table_args__ = (
        sa.Index(
            "ux_course_teacher_one_owner",
            "course_id",
            unique=True,
            postgresql_where=sa.text("role = 'owner'"),
        ),
    )

    course_id: uuid.UUID = Field(primary_key=True, foreign_key="course.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(
        primary_key=True, foreign_key="user.id", ondelete="CASCADE", index=True
    )
    role: CourseTeacherRole = Field(
        default=CourseTeacherRole.CO_TEACHER,
        sa_type=pg_enum(CourseTeacherRole, "course_teacher_role"),
        sa_column_kwargs={"server_default": CourseTeacherRole.CO_TEACHER.value},
    )
    created_at: datetime = created_at_field(index=False)


class Lesson(SQLModel, table=True):
    """A unit of teaching written in Markdown. Owned by its author (RESTRICT, as courses)."""

    __tablename__ = "lesson"
    __table_args__ = (
        sa.CheckConstraint("btrim(title) <> ''", name="title_not_blank"),
        sa.CheckConstraint(
            "estimated_minutes IS NULL OR estimated_minutes > 0", name="estimated_minutes_positive"
        ),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="RESTRICT", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    body_markdown: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    status: PublishStatus = Field(
        default=PublishStatus.DRAFT,
        index=True,
        sa_type=publish_status_type(),
        sa_column_kwargs={"server_default": PublishStatus.DRAFT.value},
    )
    estimated_minutes: int | None = Field(default=None)
    published_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class CourseLesson(SQLModel, table=True):
    """A lesson's place in a course.

    `(course_id, position)` is unique but DEFERRABLE INITIALLY DEFERRED, so a reorder can
    swap or shift positions inside one transaction and is checked only at COMMIT.
    """

    __tablename__ = "course_lesson"
    __table_args__ = (*ordered_positions("course_lesson", "course_id"),)

    course_id: uuid.UUID = Field(primary_key=True, foreign_key="course.id", ondelete="CASCADE")
    lesson_id: uuid.UUID = Field(
        primary_key=True, foreign_key="lesson.id", ondelete="CASCADE", index=True
    )
    position: int
    created_at: datetime = created_at_field(index=False)


class Enrollment(SQLModel, table=True):
    """A student taking a course. Deleting the student or the course removes it."""

    __tablename__ = "enrollment"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "user_id", name="uq_enrollment_course_id_user_id"),
        sa.CheckConstraint(
            "completed_at IS NULL OR completed_at >= enrolled_at", name="completed_after_enrolled"
        ),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    enrolled_at: datetime = Field(
        default_factory=utc_now,
        index=True,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    completed_at: datetime | None = timestamp_field()
