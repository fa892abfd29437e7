"""Product analytics: raw events and their daily roll-up.

History outlives what it is about: deleting a user or a course must not delete the events
that counted them, so references are SET NULL (events) or plain ids without a foreign key
(daily roll-ups). Only the record of who was counted on a day goes with its user.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from learning_app.models.base import created_at_field, updated_at_field, utc_now, uuid_pk


class AnalyticsEvent(SQLModel, table=True):
    """Something that happened (`lesson_viewed`, `exam_submitted`, `tutor_asked`, ...).

    `occurred_at` is when it happened (client or service clock), `received_at` when we stored
    it. `context` holds event-specific fields (ids, durations); never secrets or raw answers.
    """

    __tablename__ = "analytics_event"
    __table_args__ = (
        sa.Index("ix_analytics_event_name_occurred_at", "name", "occurred_at"),
        sa.CheckConstraint("jsonb_typeof(context) = 'object'", name="context_is_object"),
    )

    id: uuid.UUID = uuid_pk()
    # Indexed by ix_analytics_event_name_occurred_at (name first).
    name: str = Field(max_length=100)
    # SET NULL: the event still counts after the user or course is deleted.
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    course_id: uuid.UUID | None = Field(
        default=None, foreign_key="course.id", ondelete="SET NULL", index=True
    )
    context: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'{}'::jsonb")},
    )
    occurred_at: datetime = Field(
        default_factory=utc_now,
        index=True,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    received_at: datetime = Field(
        default_factory=utc_now,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )


class AnalyticsDaily(SQLModel, table=True):
    """Events per day (UTC), per course and event name; `course_id` NULL is the site-wide row
    for events without a course.

    One row per `(day, course_id, event_name)`, NULL included: the unique constraint is
    `NULLS NOT DISTINCT` (PostgreSQL 15+), so two site-wide rows for the same day and event
    collide like any other pair, and the roll-up job can upsert with a plain
    `ON CONFLICT (day, course_id, event_name) DO UPDATE` (a COALESCE expression index would
    force every upsert to repeat the expression; a sentinel uuid would be a fake course).

    `course_id` has no foreign key on purpose: a deleted course's history stays (SET NULL
    would merge it into the site-wide row and collide, CASCADE would erase it).
    """

    __tablename__ = "analytics_daily"
    __table_args__ = (
        sa.UniqueConstraint(
            "day",
            "course_id",
            "event_name",
            name="uq_analytics_daily_day_course_id_event_name",
            postgresql_nulls_not_distinct=True,
        ),
        sa.Index("ix_analytics_daily_course_id_day", "course_id", "day"),
        sa.CheckConstraint("event_count >= 0 AND active_users >= 0", name="counts_not_negative"),
    )

    id: uuid.UUID = uuid_pk()
    day: date
    course_id: uuid.UUID | None = Field(default=None)
    event_name: str = Field(max_length=100)
    event_count: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    active_users: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = updated_at_field()


class AnalyticsDailyUser(SQLModel, table=True):
    """Each user already counted in a day's `active_users`, per course and event name (`*`
    for any event), so that the flush can add a batch's events to `analytics_daily` without
    reading the day's earlier events: a user is counted when their row here is new.

    Unlike the counts, these rows are about a person: they go when the user is deleted.
    """

    __tablename__ = "analytics_daily_user"
    __table_args__ = (
        sa.UniqueConstraint(
            "day",
            "course_id",
            "event_name",
            "user_id",
            name="uq_analytics_daily_user_day_course_id_event_name_user_id",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: uuid.UUID = uuid_pk()
    day: date
    course_id: uuid.UUID | None = Field(default=None)
    event_name: str = Field(max_length=100)
    # Indexed for the cascade when a user is deleted.
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class AnalyticsClosedDay(SQLModel, table=True):
    """A UTC day whose `analytics_daily_user` rows are gone: they are kept for the last days
    only (`rollups.ACTIVE_USERS_KEPT_DAYS`), since they grow with every student every day.
    The flush no longer adds to a closed day's roll-ups (it could not tell who is new there);
    an event that still arrives for it has the day recomputed whole, by a job."""

    __tablename__ = "analytics_closed_day"

    day: date = Field(primary_key=True)
    closed_at: datetime = created_at_field(index=False)
