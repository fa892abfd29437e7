"""Exams, the questions they draw, students' attempts and their answers.

Grades are history. An exam or question that has attempts against it cannot be deleted
(ON DELETE RESTRICT from `exam_attempt.exam_id` and `attempt_answer.question_id`); services
unpublish or archive instead, or purge the attempts explicitly first. Because those RESTRICTs
sit under the course's CASCADE chain, deleting a course whose exams were taken also fails
until its attempts are dealt with deliberately. Deleting a student, on the other hand,
removes their attempts (CASCADE from `user`): their data goes with their account.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
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
from learning_app.models.content import PublishStatus, publish_status_type


class ExamType(StrEnum):
    PRACTICE = "practice"
    QUIZ = "quiz"
    FINAL = "final"


class FeedbackPolicy(StrEnum):
    """When a student may see correct answers and explanations."""

    NEVER = "never"
    AFTER_SUBMIT = "after_submit"
    AFTER_CLOSE = "after_close"


class GradePolicy(StrEnum):
    """Which attempt is a student's grade for an exam (the gradebook's figure)."""

    BEST = "best"
    LAST = "last"
    AVERAGE = "average"


class AttemptStatus(StrEnum):
    """in_progress -> submitted -> graded, or -> awaiting_grading -> graded when a teacher
    has to mark essays. `submitted` is the short moment between submit and auto-grading."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    AWAITING_GRADING = "awaiting_grading"
    GRADED = "graded"


class Exam(SQLModel, table=True):
    """A practice test, quiz or final in a course.

    Questions come from fixed `exam_question` rows and/or `exam_draw_rule` random draws.
    `max_attempts` NULL means unlimited; `time_limit_minutes` NULL means untimed.
    """

    __tablename__ = "exam"
    __table_args__ = (
        sa.CheckConstraint("passing_score >= 0 AND passing_score <= 100", name="passing_score"),
        sa.CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit_positive"
        ),
        sa.CheckConstraint(
            "max_attempts IS NULL OR max_attempts > 0", name="max_attempts_positive"
        ),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", name="window_order"
        ),
        sa.CheckConstraint("btrim(title) <> ''", name="title_not_blank"),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    # Attribution only: the exam belongs to the course, so it survives its author's account.
    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    type: ExamType = Field(
        default=ExamType.QUIZ,
        sa_type=pg_enum(ExamType, "exam_type"),
        sa_column_kwargs={"server_default": ExamType.QUIZ.value},
    )
    time_limit_minutes: int | None = Field(default=None)
    max_attempts: int | None = Field(default=None)
    opens_at: datetime | None = timestamp_field()
    closes_at: datetime | None = timestamp_field()
    passing_score: float = Field(default=60.0, sa_column_kwargs={"server_default": "60"})
    shuffle_questions: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    shuffle_options: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    feedback_policy: FeedbackPolicy = Field(
        default=FeedbackPolicy.AFTER_SUBMIT,
        sa_type=pg_enum(FeedbackPolicy, "feedback_policy"),
        sa_column_kwargs={"server_default": FeedbackPolicy.AFTER_SUBMIT.value},
    )
    grade_policy: GradePolicy = Field(
        default=GradePolicy.BEST,
        sa_type=pg_enum(GradePolicy, "grade_policy"),
        sa_column_kwargs={"server_default": GradePolicy.BEST.value},
    )
    status: PublishStatus = Field(
        default=PublishStatus.DRAFT,
        index=True,
        sa_type=publish_status_type(),
        sa_column_kwargs={"server_default": PublishStatus.DRAFT.value},
    )
    published_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ExamQuestion(SQLModel, table=True):
    """A fixed question of an exam, in order; `points` overrides the question's own points.

    Removing a question from the bank removes it from exams (CASCADE); a question that has
    answers cannot be removed at all (see module docstring).
    """

    __tablename__ = "exam_question"
    __table_args__ = (
        *ordered_positions("exam_question", "exam_id"),
        sa.CheckConstraint("points IS NULL OR points >= 0", name="points_not_negative"),
    )

    exam_id: uuid.UUID = Field(primary_key=True, foreign_key="exam.id", ondelete="CASCADE")
    question_id: uuid.UUID = Field(
        primary_key=True, foreign_key="question.id", ondelete="CASCADE", index=True
    )
    position: int
    points: float | None = Field(default=None)


class ExamDrawRule(SQLModel, table=True):
    """Draw `question_count` random questions tagged `tag_id` into each attempt."""

    __tablename__ = "exam_draw_rule"
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "tag_id", name="uq_exam_draw_rule_exam_id_tag_id"),
        sa.CheckConstraint("question_count > 0", name="question_count_positive"),
        sa.CheckConstraint("points IS NULL OR points >= 0", name="points_not_negative"),
    )

    id: uuid.UUID = uuid_pk()
    exam_id: uuid.UUID = Field(foreign_key="exam.id", ondelete="CASCADE")
    tag_id: uuid.UUID = Field(foreign_key="tag.id", ondelete="CASCADE", index=True)
    question_count: int
    # Points for each drawn question; NULL means each question's own points.
    points: float | None = Field(default=None)
    created_at: datetime = created_at_field(index=False)


class ExamAttempt(SQLModel, table=True):
    """One student's sitting of an exam.

    `deadline_at` is computed from the server clock at start (started_at + time limit, capped
    by the exam's `closes_at`); answers after it are refused. `question_order` freezes what
    this attempt shows: `[{"question_id": ..., "option_ids": [...], "points": ...}, ...]`
    after draws and shuffles, so a reload shows the same exam.

    `attempt_number` is unique per (exam, user): two concurrent "start" clicks collide on it
    instead of exceeding `max_attempts`; at most one attempt per (exam, user) is in progress.
    """

    __tablename__ = "exam_attempt"
    __table_args__ = (
        sa.UniqueConstraint(
            "exam_id",
            "user_id",
            "attempt_number",
            name="uq_exam_attempt_exam_id_user_id_attempt_number",
        ),
        sa.Index(
            "ux_exam_attempt_one_in_progress",
            "exam_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status = 'in_progress'"),
        ),
        sa.CheckConstraint("attempt_number > 0", name="attempt_number_positive"),
        sa.CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent"),
        sa.CheckConstraint(
            "score IS NULL OR max_score IS NULL OR (score >= 0 AND score <= max_score)",
            name="score_range",
        ),
        sa.CheckConstraint(
            "jsonb_typeof(question_order) = 'array'", name="question_order_is_array"
        ),
    )

    id: uuid.UUID = uuid_pk()
    # RESTRICT: an exam with attempts keeps its grades; see module docstring.
    exam_id: uuid.UUID = Field(foreign_key="exam.id", ondelete="RESTRICT")
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    attempt_number: int = Field(default=1)
    status: AttemptStatus = Field(
        default=AttemptStatus.IN_PROGRESS,
        index=True,
        sa_type=pg_enum(AttemptStatus, "attempt_status"),
        sa_column_kwargs={"server_default": AttemptStatus.IN_PROGRESS.value},
    )
    started_at: datetime = Field(
        default_factory=utc_now,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    deadline_at: datetime | None = timestamp_field()
    submitted_at: datetime | None = timestamp_field()
    auto_submitted: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    graded_at: datetime | None = timestamp_field()
    score: float | None = Field(default=None)
    max_score: float | None = Field(default=None)
    percent: float | None = Field(default=None)
    passed: bool | None = Field(default=None)
    question_order: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'[]'::jsonb")},
    )
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class AttemptAnswer(SQLModel, table=True):
    """A student's answer to one question of an attempt, and its grade.

    `response` is JSON shaped by question type: `{"option_ids": [...]}`, `{"text": "..."}`,
    `{"value": 3.14}`. `is_correct`/`points_awarded` stay NULL until graded; essays are graded
    by a teacher (`graded_by`, `feedback`).
    """

    __tablename__ = "attempt_answer"
    __table_args__ = (
        sa.UniqueConstraint(
            "attempt_id", "question_id", name="uq_attempt_answer_attempt_id_question_id"
        ),
        sa.CheckConstraint(
            "points_awarded IS NULL OR points_awarded >= 0", name="points_not_negative"
        ),
    )

    id: uuid.UUID = uuid_pk()
    attempt_id: uuid.UUID = Field(foreign_key="exam_attempt.id", ondelete="CASCADE")
    # RESTRICT: an answered question stays in the bank (archived), so answers keep meaning.
    question_id: uuid.UUID = Field(foreign_key="question.id", ondelete="RESTRICT", index=True)
    response: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'{}'::jsonb")},
    )
    is_correct: bool | None = Field(default=None)
    points_awarded: float | None = Field(default=None)
    feedback: str | None = Field(default=None, sa_type=sa.Text)
    # The grading teacher may leave; the grade stays.
    graded_by: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    graded_at: datetime | None = timestamp_field()
    answered_at: datetime = Field(
        default_factory=utc_now,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    updated_at: datetime = updated_at_field()
