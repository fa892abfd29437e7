"""Flashcards and reviews in the demo world.

Each lesson gets a few cloze cards drafted from its own text by the offline drafter, as a
teacher would accept them; on a study day a student first reviews the flashcards that are due
(up to `REVIEWS_PER_DAY`), rating them by how well they learn, through the review service. So
the dashboards show review heatmaps and the teachers' "forgotten most" lists, and the questions
students met in exams wait in their queues. Reviews draw on a random generator of their own,
so adding them left the rest of the history (and its screenshots) as it was.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

from learning_app.models.base import simulated_clock
from learning_app.models.review import FlashcardSource
from learning_app.services.review.cloze import cloze_cards
from learning_app.services.review.flashcards import create_flashcard
from learning_app.services.review.queue import due_queue
from learning_app.services.review.reviews import rate_flashcard

CARDS_PER_LESSON = 2
REVIEWS_PER_DAY = 6


def draft_lesson_cards(
    session: Session, *, token: str, course_id: str, lesson_id: str, body_markdown: str
) -> int:
    """The lesson's first cloze drafts, accepted as they are; returns how many."""
    drafts = cloze_cards(body_markdown, limit=CARDS_PER_LESSON, lesson_id=lesson_id)
    for draft in drafts:
        create_flashcard(
            session,
            token=token,
            course_id=course_id,
            front=draft.front,
            back=draft.back,
            lesson_id=lesson_id,
            source=FlashcardSource.DRAFTED,
        )
    return len(drafts)


def review_due_cards(
    session: Session, *, token: str, skill: float, clock: datetime, seed: str
) -> datetime:
    """Review today's due flashcards as a student of this `skill` (0..1); the clock after."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    with simulated_clock(clock):
        due = [e for e in due_queue(session, token=token, now=clock) if e.flashcard_id]
    for entry in due[:REVIEWS_PER_DAY]:
        roll = rng.random()
        rating = 1 if roll > 0.55 + 0.4 * skill else 4 if roll < 0.15 else 3
        with simulated_clock(clock):
            rate_flashcard(
                session,
                token=token,
                entry=entry,
                rating=rating,
                duration_ms=rng.randint(3_000, 15_000),
                now=clock,
            )
        clock += timedelta(seconds=rng.randint(8, 30))
    return clock
