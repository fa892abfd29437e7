"""The per-course question bank: questions, their options, and tags used for random draws."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from learning_app.models.base import (
    created_at_field,
    pg_enum,
    timestamp_field,
    updated_at_field,
    uuid_pk,
)


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"
    ESSAY = "essay"


class QuestionOrigin(StrEnum):
    """Where a question came from, so that item analysis can point teachers at the questions
    no teacher wrote: drafted ones above all."""

    WRITTEN = "written"  # by a teacher, in the question form
    DRAFTED = "drafted"  # proposed by the language model and kept by a teacher
    IMPORTED = "imported"  # from a bank file or a course package


class Question(SQLModel, table=True):
    """One question in a course's bank.

    How it is graded depends on `type`: choice questions by their `question_option` rows,
    `numeric` by `numeric_answer` +/- `numeric_tolerance`, `short_answer` against
    `accepted_answers` (a JSON list of strings), `essay` by a teacher.

    Deleting the course deletes its bank (CASCADE). The author is kept for attribution only
    (SET NULL): the bank belongs to the course, not to the teacher who wrote a question.
    A question that students have answered cannot be deleted (attempt_answer RESTRICT);
    services archive it instead (`archived_at`).
    """

    __tablename__ = "question"
    __table_args__ = (
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
        sa.CheckConstraint(
            "numeric_tolerance IS NULL OR numeric_tolerance >= 0", name="tolerance_not_negative"
        ),
        sa.CheckConstraint(
            "type <> 'numeric' OR numeric_answer IS NOT NULL", name="numeric_has_answer"
        ),
        sa.CheckConstraint(
            "accepted_answers IS NULL OR jsonb_typeof(accepted_answers) = 'array'",
            name="accepted_answers_is_array",
        ),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    type: QuestionType = Field(sa_type=pg_enum(QuestionType, "question_type"))
    prompt_markdown: str = Field(sa_type=sa.Text)
    explanation_markdown: str = Field(
        default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""}
    )
    points: float = Field(default=1.0, sa_column_kwargs={"server_default": "1"})
    numeric_answer: float | None = Field(default=None)
    numeric_tolerance: float | None = Field(default=None)
    accepted_answers: list[str] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    case_sensitive: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    origin: QuestionOrigin = Field(
        default=QuestionOrigin.WRITTEN,
        sa_type=pg_enum(QuestionOrigin, "question_origin"),
        sa_column_kwargs={"server_default": QuestionOrigin.WRITTEN.value},
    )
    archived_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class QuestionOption(SQLModel, table=True):
    """A choice of a single/multiple-choice or true/false question, in display order."""

    __tablename__ = "question_option"
    __table_args__ = (
        sa.UniqueConstraint(
            "question_id",
            "position",
            name="uq_question_option_question_id_position",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: uuid.UUID = uuid_pk()
    question_id: uuid.UUID = Field(foreign_key="question.id", ondelete="CASCADE")
    body: str = Field(sa_type=sa.Text)
    is_correct: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    position: int
    feedback: str | None = Field(default=None, sa_type=sa.Text)


class Tag(SQLModel, table=True):
    """A label within one course's bank (unique per course, ignoring case)."""

    __tablename__ = "tag"
    __table_args__ = (
        sa.Index("ux_tag_course_id_lower_name", "course_id", sa.text("lower(name)"), unique=True),
        sa.CheckConstraint("btrim(name) <> ''", name="name_not_blank"),
    )

    id: uuid.UUID = uuid_pk()
    # Indexed by ux_tag_course_id_lower_name (course_id first).
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    created_at: datetime = created_at_field(index=False)


class QuestionTag(SQLModel, table=True):
    """Tags on a question. Both sides CASCADE: the link means nothing without either."""

    __tablename__ = "question_tag"

    question_id: uuid.UUID = Field(primary_key=True, foreign_key="question.id", ondelete="CASCADE")
    tag_id: uuid.UUID = Field(
        primary_key=True, foreign_key="tag.id", ondelete="CASCADE", index=True
    )


class QuestionShown(SQLModel, table=True):
    """A question some attempt has shown: from then on it is locked (its options keep their
    ids, since answers refer to them, and it is archived instead of deleted).

    Written by the insert that starts an attempt, for the questions it shows that are not
    here yet. Reading whether a question is locked was a containment test over every
    attempt's `question_order` (no index can serve it well), 190 ms a question at 100,000
    attempts, once per question of a bank listed; it is now one key lookup.
    """

    __tablename__ = "question_shown"

    question_id: uuid.UUID = Field(primary_key=True, foreign_key="question.id", ondelete="CASCADE")
    first_shown_at: datetime = created_at_field(index=False)
