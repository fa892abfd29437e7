"""The AI tutor's conversations: each question a student asked in a course, and its answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from learning_app.models.base import created_at_field, uuid_pk


class TutorExchange(SQLModel, table=True):
    """One question and its answer, in one user's history for one course.

    `citations` is a list of `{"number", "source", "heading", "page", "lesson_id",
    "document_id", "text", "score"}`: where each numbered reference came from, not a link;
    pages build the links when they show the history (a file's is `/files/<id>`, which checks
    the reader each time it is opened). `mode` says how the answer was made: `extractive`,
    `generated`, `fallback` (the language model failed, so the answer is extractive with a
    notice), `related` (the closest passages are shown, but they may not answer the question)
    or `not_found`. Each citation may carry `highlight`: the `[start, end]` of the sentences
    that answer, inside its text.
    Both parents CASCADE: a history belongs to its user and its course.
    """

    __tablename__ = "tutor_exchange"
    __table_args__ = (
        sa.Index("ix_tutor_exchange_user_course", "user_id", "course_id", "created_at"),
        sa.CheckConstraint(
            "mode IN ('extractive', 'generated', 'fallback', 'related', 'not_found')",
            name="mode_known",
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    question: str = Field(sa_type=sa.Text)
    answer: str = Field(sa_type=sa.Text)
    mode: str = Field(max_length=20)
    citations: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'[]'::jsonb")},
    )
    created_at: datetime = created_at_field(index=False)
