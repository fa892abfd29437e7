"""Spaced repetition: flashcards, each student's memory state of what they review, the review
log, and streak freezes.

A `ReviewCard` is one student's memory of one item: a course's flashcard, their own card, or
an auto-gradable question they met in an exam. It holds the FSRS state (`fsrs.Card`: state,
step, stability, difficulty, due, last review) so the scheduler can be rebuilt from the row;
`reps` counts reviews and is the optimistic version a review must name, so a review sent twice
(a double click, a resent websocket event) changes the card once.

Every review is logged with the state before it (`ReviewLog`), which is what fitting
per-student FSRS parameters needs later.
"""

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


class FlashcardSource(StrEnum):
    """Where a card came from: written by a teacher, drafted from material and accepted by a
    teacher, or saved by a student from a tutor answer (a personal card)."""

    WRITTEN = "written"
    DRAFTED = "drafted"
    TUTOR = "tutor"


class Flashcard(SQLModel, table=True):
    """A card with a front and a back, in a course.

    A course's cards (`owner_id` NULL) are written by its teachers and reviewed by every enrolled
    student; a personal card (`owner_id` set) belongs to one student, who made it from a tutor
    answer, and nobody else sees it. A card a student has reviewed is archived, never deleted,
    by the services, so the review history keeps its meaning; the database still CASCADEs when
    the whole course goes.
    """

    __tablename__ = "flashcard"
    __table_args__ = (
        sa.CheckConstraint(
            "btrim(front_markdown) <> '' AND btrim(back_markdown) <> ''", name="sides_not_blank"
        ),
        sa.CheckConstraint(
            "(owner_id IS NULL) = (source <> 'tutor')", name="personal_cards_from_tutor"
        ),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    # The lesson it was drafted from or belongs to: a course card reaches a student once they
    # have opened that lesson (a card without a lesson, once they enrol).
    lesson_id: uuid.UUID | None = Field(
        default=None, foreign_key="lesson.id", ondelete="SET NULL", index=True
    )
    author_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    owner_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="CASCADE", index=True
    )
    source: FlashcardSource = Field(
        default=FlashcardSource.WRITTEN,
        sa_type=pg_enum(FlashcardSource, "flashcard_source"),
        sa_column_kwargs={"server_default": FlashcardSource.WRITTEN.value},
    )
    front_markdown: str = Field(sa_type=sa.Text)
    back_markdown: str = Field(sa_type=sa.Text)
    archived_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class FlashcardTag(SQLModel, table=True):
    """Tags on a card, from the course's one tag list (shared with its questions)."""

    __tablename__ = "flashcard_tag"

    flashcard_id: uuid.UUID = Field(
        primary_key=True, foreign_key="flashcard.id", ondelete="CASCADE"
    )
    tag_id: uuid.UUID = Field(
        primary_key=True, foreign_key="tag.id", ondelete="CASCADE", index=True
    )


def _partial_indexes(item: str) -> tuple[sa.Index, sa.Index]:
    """A student's one memory state per item (unique), and the item's states (for the
    CASCADE when the item goes), both over the rows of that kind only."""
    only = sa.text(f"{item} IS NOT NULL")
    return (
        sa.Index(
            f"ux_review_card_user_id_{item}", "user_id", item, unique=True, postgresql_where=only
        ),
        sa.Index(f"ix_review_card_{item}", item, postgresql_where=only),
    )


class ReviewCard(SQLModel, table=True):
    """One student's memory state of one item (a flashcard or a question), for FSRS.

    `state` is `fsrs.State` (1 learning, 2 review, 3 relearning). `course_id` is the item's
    course, copied so the due queue filters by enrolment and publication without joining the
    item. The due queue reads `ix_review_card_user_id_due`.
    """

    __tablename__ = "review_card"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(flashcard_id, question_id) = 1", name="one_item"),
        sa.CheckConstraint("state BETWEEN 1 AND 3", name="state_known"),
        sa.CheckConstraint("reps >= 0 AND lapses >= 0", name="counters_not_negative"),
        # Partial: each row names one kind of item, and an index of the other kind's empty
        # entries costs every review a write for nothing (5M rows: ~100 MB each).
        *_partial_indexes("flashcard_id"),
        *_partial_indexes("question_id"),
        sa.Index("ix_review_card_user_id_due", "user_id", "due"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    flashcard_id: uuid.UUID | None = Field(
        default=None, foreign_key="flashcard.id", ondelete="CASCADE"
    )
    question_id: uuid.UUID | None = Field(
        default=None, foreign_key="question.id", ondelete="CASCADE"
    )
    state: int = Field(default=1, sa_type=sa.SmallInteger)
    step: int | None = Field(default=None)
    stability: float | None = Field(default=None)
    difficulty: float | None = Field(default=None)
    due: datetime = Field(sa_type=sa.DateTime(timezone=True))
    last_review: datetime | None = timestamp_field()
    reps: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    lapses: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = created_at_field(index=False)
    updated_at: datetime = updated_at_field()


class ReviewLog(SQLModel, table=True):
    """One review: its rating, how long it took, and the card's state before it.

    `sequence` is the card's `reps` before the review; unique per card, so the same review
    stored twice is refused by the database whatever path it came by.
    """

    __tablename__ = "review_log"
    __table_args__ = (
        sa.UniqueConstraint(
            "review_card_id", "sequence", name="uq_review_log_review_card_id_sequence"
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name="rating_known"),
        sa.CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration_not_negative"),
        sa.Index("ix_review_log_user_id_reviewed_at", "user_id", "reviewed_at"),
        sa.Index("ix_review_log_course_id_reviewed_at", "course_id", "reviewed_at"),
    )

    id: uuid.UUID = uuid_pk()
    review_card_id: uuid.UUID = Field(foreign_key="review_card.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="course.id", ondelete="CASCADE")
    sequence: int
    rating: int = Field(sa_type=sa.SmallInteger)
    reviewed_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    duration_ms: int | None = Field(default=None)
    state_before: int = Field(sa_type=sa.SmallInteger)
    step_before: int | None = Field(default=None)
    stability_before: float | None = Field(default=None)
    difficulty_before: float | None = Field(default=None)
    due_before: datetime = Field(sa_type=sa.DateTime(timezone=True))
    last_review_before: datetime | None = timestamp_field()


class StreakFreeze(SQLModel, table=True):
    """A streak freeze a student bought with XP. Unused (`used_on` NULL) it is held; the stats
    job spends it on the first missed day after it was bought, which then keeps the streak."""

    __tablename__ = "streak_freeze"
    __table_args__ = (sa.CheckConstraint("xp_cost >= 0", name="cost_not_negative"),)

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    bought_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    xp_cost: int
    used_on: date | None = Field(default=None)
