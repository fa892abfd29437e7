"""The review session as a student sees it: show an item, rate a flashcard, answer a question.

Every call checks again that the student may review the item now: enrolled in its course, the
course published, the flashcard or question not archived, a personal card their own, a memory
state their own. Queue entries are kept on the server, but a test (or an attacker) can hand
any id in; another student's card is "not found", never reviewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.base import utc_now
from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.models.review import Flashcard, ReviewCard
from learning_app.services.access.prerequisites import (
    LOCKED_LESSON_PLACES_SQL,
    locked_sql_params,
    require_lesson_unlocked,
)
from learning_app.services.access.roles import require_viewer
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.markdown_render import render_markdown
from learning_app.services.progress import events
from learning_app.services.questions.bank import question_options
from learning_app.services.questions.grading import CHOICE_TYPES, GradingKey, grade_answer
from learning_app.services.questions.responses import clean_response, correct_answer_text
from learning_app.services.review import memory, scheduling
from learning_app.services.review.memory import ReviewOutcome
from learning_app.services.review.queue import QueueEntry
from learning_app.services.values import parse_id

ITEM_GONE = (
    "This card is no longer in your reviews: its course was unpublished or archived, you left "
    "the course, or its teacher retired it."
)
NOT_A_QUESTION = "This card has no question to answer: flip it and rate how well you knew it."
NOT_A_FLASHCARD = "Answer this question to review it."

_COURSE_TITLE = sa.text(
    """
    SELECT c.title FROM course c
    JOIN enrollment e ON e.course_id = c.id AND e.user_id = :user
    WHERE c.id = :course AND c.status = 'published'
    """
)


# The course's title and the card, if the student may review it: course published and
# enrolled in, card not archived, a personal card their own; and whether a prerequisite still
# locks its lesson for them. One round trip: rating a card is the review's hot path.
_REVIEWABLE_CARD = sa.text(
    "".join(
        (
            """
    SELECT c.title, f.front_markdown, f.back_markdown, f.owner_id, f.lesson_id,
           f.owner_id IS NULL AND EXISTS (
               SELECT 1 FROM (""",
            LOCKED_LESSON_PLACES_SQL,
            """) AS locked
               WHERE locked.course_id = f.course_id AND locked.lesson_id = f.lesson_id
           ) AS locked
    FROM flashcard f
    JOIN course c ON c.id = f.course_id AND c.status = 'published'
    JOIN enrollment e ON e.course_id = c.id AND e.user_id = :user
    WHERE f.id = :card AND f.course_id = :course AND f.archived_at IS NULL
      AND (f.owner_id IS NULL OR f.owner_id = :user)
    """,
        )
    )
)


@dataclass(frozen=True)
class ChoiceView:
    id: str
    body: str  # plain text, as the exam page shows options


@dataclass(frozen=True)
class ReviewItemView:
    """What the page shows of one item. A question's answers are not in it."""

    kind: str  # "flashcard" | "question"
    course_title: str
    front_html: str  # the card's front, or the question's prompt
    back_html: str = ""  # flashcards only
    question_type: str = ""
    choices: list[ChoiceView] = field(default_factory=list)
    personal: bool = False  # a card the student saved themselves


@dataclass(frozen=True)
class AnswerOutcome:
    correct: bool
    correct_answer: str
    explanation_html: str
    review: ReviewOutcome


def _course_title(session: Session, user_id: uuid.UUID, course_id: uuid.UUID) -> str:
    title = session.execute(_COURSE_TITLE, {"user": user_id, "course": course_id}).scalar()
    if title is None:
        raise NotFound(ITEM_GONE)
    return str(title)


def _flashcard(session: Session, viewer: Viewer, course_id: uuid.UUID, entry: QueueEntry) -> Any:
    """The reviewable card's row (`_REVIEWABLE_CARD`); NotFound if the student may not review
    it, PermissionDenied while its lesson is locked on their mastery path."""
    card_id = parse_id(entry.flashcard_id, ITEM_GONE)
    params = {**locked_sql_params(viewer), "course": course_id, "card": card_id}
    row = session.execute(_REVIEWABLE_CARD, params).first()
    if row is None:
        raise NotFound(ITEM_GONE)
    if row.locked:  # the refusal names what unlocks it
        require_lesson_unlocked(session, viewer, course_id, row.lesson_id, editor=None)
    return row


def _question(session: Session, course_id: uuid.UUID, entry: QueueEntry) -> Question:
    question = session.get(Question, parse_id(entry.question_id, ITEM_GONE))
    if (
        question is None
        or question.course_id != course_id
        or question.archived_at is not None
        or question.type == QuestionType.ESSAY
    ):
        raise NotFound(ITEM_GONE)
    return question


def _options(session: Session, question: Question) -> list[QuestionOption]:
    if question.type not in CHOICE_TYPES:
        return []
    return question_options(session, [question.id]).get(question.id, [])


def _check_memory(session: Session, user_id: uuid.UUID, entry: QueueEntry) -> ReviewCard | None:
    """The named memory state, locked, if it is this student's and of this very item; None for
    a flashcard never reviewed (its first review creates it)."""
    if entry.review_card_id is None:
        if entry.flashcard_id is None:
            raise NotFound(ITEM_GONE)  # a question is only ever reviewed from its state
        return None
    row = memory.locked_card(session, user_id, parse_id(entry.review_card_id, ITEM_GONE))
    if row is None or (str(row.flashcard_id) if row.flashcard_id else None) != entry.flashcard_id:
        raise NotFound(ITEM_GONE)
    if (str(row.question_id) if row.question_id else None) != entry.question_id:
        raise NotFound(ITEM_GONE)
    return row


def item_view(session: Session, *, token: str | None, entry: QueueEntry) -> ReviewItemView:
    """The item to show next, if the student may still review it."""
    viewer = require_viewer(session, token)
    user_id = uuid.UUID(viewer.user_id)
    course_id = parse_id(entry.course_id, ITEM_GONE)
    _check_memory(session, user_id, entry)
    if entry.flashcard_id:
        card = _flashcard(session, viewer, course_id, entry)
        return ReviewItemView(
            "flashcard",
            str(card.title),
            render_markdown(card.front_markdown),
            render_markdown(card.back_markdown),
            personal=card.owner_id is not None,
        )
    title = _course_title(session, user_id, course_id)
    question = _question(session, course_id, entry)
    return ReviewItemView(
        "question",
        title,
        render_markdown(question.prompt_markdown),
        question_type=str(question.type),
        choices=[ChoiceView(str(o.id), o.body) for o in _options(session, question)],
    )


def rate_flashcard(
    session: Session,
    *,
    token: str | None,
    entry: QueueEntry,
    rating: object,
    duration_ms: int | None,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Record how well the student knew a flashcard (1 Again ... 4 Easy)."""
    try:
        parsed = scheduling.parse_rating(rating)
    except scheduling.InvalidRating as exc:
        raise InvalidInput(str(exc)) from None
    viewer = require_viewer(session, token)
    user_id = uuid.UUID(viewer.user_id)
    course_id = parse_id(entry.course_id, ITEM_GONE)
    if entry.flashcard_id is None:
        raise InvalidInput(NOT_A_FLASHCARD)
    card_id = parse_id(entry.flashcard_id, ITEM_GONE)
    _flashcard(session, viewer, course_id, entry)
    row = _check_memory(session, user_id, entry)
    moment = now or utc_now()
    if row is None:
        row = memory.first_review_card(session, user_id, course_id, card_id, moment)
    return memory.record_review(
        session, row, expected_reps=entry.reps, rating=parsed, duration_ms=duration_ms, now=moment
    )


def answer_question(
    session: Session,
    *,
    token: str | None,
    entry: QueueEntry,
    response: Mapping[str, Any],
    duration_ms: int,
    now: datetime | None = None,
) -> AnswerOutcome:
    """Grade the student's answer to a question in review and record it as a review: wrong is
    Again, right and quick Good, right and slow Hard."""
    user_id = uuid.UUID(require_viewer(session, token).user_id)
    course_id = parse_id(entry.course_id, ITEM_GONE)
    _course_title(session, user_id, course_id)
    if entry.question_id is None:
        raise InvalidInput(NOT_A_QUESTION)
    row = _check_memory(session, user_id, entry)
    if row is None:  # a question is reviewed from its memory state, never a new one
        raise NotFound(ITEM_GONE)
    question = _question(session, course_id, entry)
    options = _options(session, question)
    shown = {"question_id": str(question.id), "option_ids": [str(o.id) for o in options]}
    answer = clean_response(QuestionType(question.type), shown, response)
    result = grade_answer(GradingKey.from_question(question, options), answer)
    correct = bool(result.is_correct)
    rating = scheduling.rating_for_answer(correct, duration_ms / 1000)
    moment = now or utc_now()
    outcome = memory.record_review(
        session, row, expected_reps=entry.reps, rating=rating, duration_ms=duration_ms, now=moment
    )
    return AnswerOutcome(
        correct,
        correct_answer_text(question, options),
        render_markdown(question.explanation_markdown) if question.explanation_markdown else "",
        outcome,
    )


def complete_session(
    session: Session, *, token: str | None, reviewed: int, again: int, seconds: int
) -> None:
    """Record `review_session_completed` for the student's sitting (figures the page counted
    on the server)."""
    viewer = require_viewer(session, token)
    events.record_event(
        "review_session_completed",
        user_id=viewer.user_id,
        course_id=None,
        context={"reviewed": max(0, reviewed), "again": max(0, again), "seconds": max(0, seconds)},
        session=session,
    )


def retire_my_card(
    session: Session, *, token: str | None, entry: QueueEntry, now: datetime | None = None
) -> None:
    """Take a personal card (one the student saved from the tutor) out of their reviews for
    good. It is archived, not deleted, so its review history keeps its meaning."""
    user_id = uuid.UUID(require_viewer(session, token).user_id)
    card = session.get(Flashcard, parse_id(entry.flashcard_id, ITEM_GONE), with_for_update=True)
    if card is None or card.owner_id != user_id:
        raise NotFound(ITEM_GONE)
    card.archived_at = card.archived_at or now or utc_now()
    session.add(card)
