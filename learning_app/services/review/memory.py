"""Recording reviews: the one place a memory state (`review_card`) changes.

Every review goes through `record_review`, under the card's row lock: the scheduler computes
the new state, the review is logged with the state before it, and `card_reviewed` is recorded
with the transaction. A review names the version (`reps`) it was shown; if the card has moved
on since (the same review sent twice), nothing changes and the caller is told so.

`remember_exam_answers` is the first review of the auto-graded questions of a submitted exam,
written with the grade in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fsrs import Rating, State
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from learning_app.models.questions import Question
from learning_app.models.review import ReviewCard, ReviewLog
from learning_app.services.progress import events
from learning_app.services.review import scheduling
from learning_app.services.review.queue import QueueEntry

# A review left open over lunch says nothing about recall time: longer ones are stored as this.
MAX_DURATION_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class ReviewOutcome:
    counted: bool  # False: this review was already recorded (a resend); nothing changed
    rating: int
    due: datetime
    next_entry: QueueEntry  # the card at its new version, for a sitting that shows it again


def entry_for(row: ReviewCard) -> QueueEntry:
    return QueueEntry(
        str(row.id),
        str(row.flashcard_id) if row.flashcard_id else None,
        str(row.question_id) if row.question_id else None,
        str(row.course_id),
        row.reps,
    )


def _log(row: ReviewCard, rating: Rating, now: datetime, duration_ms: int | None) -> ReviewLog:
    return ReviewLog(
        review_card_id=row.id,
        user_id=row.user_id,
        course_id=row.course_id,
        sequence=row.reps,
        rating=int(rating),
        reviewed_at=now,
        duration_ms=None if duration_ms is None else max(0, min(duration_ms, MAX_DURATION_MS)),
        state_before=row.state,
        step_before=row.step,
        stability_before=row.stability,
        difficulty_before=row.difficulty,
        due_before=row.due,
        last_review_before=row.last_review,
    )


def record_review(
    session: Session,
    row: ReviewCard,
    *,
    expected_reps: int,
    rating: Rating,
    duration_ms: int | None,
    now: datetime,
) -> ReviewOutcome:
    """Review a locked memory state (the caller checked the student may review it)."""
    if row.reps != expected_reps:
        return ReviewOutcome(False, int(rating), row.due, entry_for(row))
    card = scheduling.review(scheduling.fsrs_card(row), rating, now)
    session.add(_log(row, rating, now, duration_ms))
    scheduling.store_card(row, card, rating)
    row.updated_at = now
    session.add(row)
    session.flush()
    events.record_event(
        "card_reviewed",
        user_id=row.user_id,
        course_id=row.course_id,
        context={
            "review_card_id": str(row.id),
            "item": "flashcard" if row.flashcard_id else "question",
            "rating": int(rating),
            "duration_ms": duration_ms,
            "state": int(row.state),
        },
        occurred_at=now,
        session=session,
    )
    return ReviewOutcome(True, int(rating), row.due, entry_for(row))


# The exam's answers as first reviews, in one statement built once: a new card per question
# the student does not review yet, and its review's log line. Built as one multi-row INSERT
# per call, SQLAlchemy compiled it anew every time (its row count is part of the statement),
# which was half of a submit's CPU.
_FIRST_REVIEWS = sa.text(
    """
    WITH seen AS (
        SELECT * FROM unnest(
            CAST(:card_ids AS uuid[]), CAST(:log_ids AS uuid[]), CAST(:course_ids AS uuid[]),
            CAST(:question_ids AS uuid[]), CAST(:ratings AS smallint[]),
            CAST(:states AS smallint[]), CAST(:steps AS integer[]),
            CAST(:stabilities AS float8[]), CAST(:difficulties AS float8[]),
            CAST(:dues AS timestamptz[])
        ) AS s(card_id, log_id, course_id, question_id, rating, state, step, stability,
               difficulty, due)
    ), added AS (
        INSERT INTO review_card (id, user_id, course_id, question_id, state, step, stability,
                                 difficulty, due, last_review, reps, lapses, created_at,
                                 updated_at)
        SELECT card_id, :user_id, course_id, question_id, state, step, stability, difficulty,
               due, :now, 1, 0, :now, :now
        FROM seen
        ON CONFLICT DO NOTHING
        RETURNING id
    ), logged AS (
        INSERT INTO review_log (id, review_card_id, user_id, course_id, sequence, rating,
                                reviewed_at, state_before, step_before, due_before)
        SELECT seen.log_id, added.id, :user_id, seen.course_id, 0, seen.rating, :now,
               :learning, 0, :now
        FROM added JOIN seen ON seen.card_id = added.id
        RETURNING 1
    )
    SELECT count(*) FROM logged
    """
)

# The arrays `_FIRST_REVIEWS` takes, in the order `remember_exam_answers` builds its rows.
_FIRST_REVIEW_COLUMNS = (
    "card_ids",
    "log_ids",
    "course_ids",
    "question_ids",
    "ratings",
    "states",
    "steps",
    "stabilities",
    "difficulties",
    "dues",
)


def remember_exam_answers(
    session: Session, user_id: uuid.UUID, answers: Iterable[tuple[Question, bool]], now: datetime
) -> int:
    """Start reviewing the questions a student just answered in an exam: right counts as a
    Good first review, wrong as Again, scheduled in days (`FIRST_SIGHT_SCHEDULER`). A question
    the student already reviews keeps its own state. Returns how many were added."""
    rows = []
    for question, correct in answers:
        rating = Rating.Good if correct else Rating.Again
        card = scheduling.review(scheduling.new_card(now), rating, now, first_sight=True)
        rows.append(
            (
                uuid.uuid4(),
                uuid.uuid4(),
                question.course_id,
                question.id,
                int(rating),
                int(card.state),
                card.step,
                card.stability,
                card.difficulty,
                card.due,
            )
        )
    if not rows:
        return 0
    columns = zip(*rows, strict=True)
    params: dict[str, Any] = {
        name: list(values) for name, values in zip(_FIRST_REVIEW_COLUMNS, columns, strict=True)
    }
    params |= {"user_id": user_id, "now": now, "learning": int(State.Learning)}
    return int(session.execute(_FIRST_REVIEWS, params).scalar_one())


def locked_card(session: Session, user_id: uuid.UUID, card_id: uuid.UUID) -> ReviewCard | None:
    """The student's own memory state, locked; None for anyone else's id."""
    return session.exec(
        select(ReviewCard)
        .where(ReviewCard.id == card_id, ReviewCard.user_id == user_id)
        .with_for_update()
    ).first()


def first_review_card(
    session: Session,
    user_id: uuid.UUID,
    course_id: uuid.UUID,
    flashcard_id: uuid.UUID,
    now: datetime,
) -> ReviewCard:
    """The memory state of a flashcard's first review, created if this is it (two first reviews
    racing create one row: the loser finds the winner's), locked."""
    session.execute(
        pg_insert(ReviewCard)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            course_id=course_id,
            flashcard_id=flashcard_id,
            state=int(State.Learning),
            step=0,
            due=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
    )
    row = session.exec(
        select(ReviewCard)
        .where(ReviewCard.user_id == user_id, ReviewCard.flashcard_id == flashcard_id)
        .with_for_update()
    ).one()
    return row
