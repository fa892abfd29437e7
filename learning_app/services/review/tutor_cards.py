"""Personal review cards a student saves from their own tutor answers.

The card is the student's alone (`owner_id`, source TUTOR): it is never indexed for search and
the teachers' card bank does not list it. Only the student who asked may save an answer, and
only while they are enrolled in the course or teach it. Saving the same answer twice returns
the card saved the first time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from learning_app.models.review import Flashcard, FlashcardSource
from learning_app.models.tutor import TutorExchange
from learning_app.services.access.courses import can_edit_course, is_enrolled, load_course
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.review.flashcards import (
    MAX_SIDE_LENGTH,
    FlashcardView,
    clean_card,
    flashcard_view,
)
from learning_app.services.tutor.answering import citation_label
from learning_app.services.values import parse_id

ANSWER_NOT_FOUND = "We could not find that answer."
NOTHING_TO_SAVE = "This answer found nothing in the course, so there is nothing to learn from it."
ENROL_FIRST = "Enrol in this course to save review cards from it."
TRIM_MARK = " …"


@dataclass(frozen=True)
class SavedCard:
    """What saving a tutor answer did: the card, and whether it is new (False: it was saved
    before and is returned as it is)."""

    card: FlashcardView
    created: bool


def _trimmed(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_SIDE_LENGTH:
        return text
    cut = text[: MAX_SIDE_LENGTH - len(TRIM_MARK)]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_SIDE_LENGTH // 2 else cut).rstrip() + TRIM_MARK


def _citation_lines(exchange: TutorExchange, *, quote: bool) -> list[str]:
    """ "[1] tides.pdf, page 2" per citation; with `quote`, the sentences that answer too (a
    *related* answer's own text says only that the passages may not answer)."""
    lines = []
    for citation in exchange.citations:
        label = f"[{citation.get('number', '?')}] {citation_label(citation)}"
        if quote:
            text, span = str(citation.get("text", "")), citation.get("highlight")
            if span:
                text = text[int(span[0]) : int(span[1])]
            label = f"{label}: {' '.join(text.split())[:400]}"
        lines.append(label)
    return lines


def tutor_card_sides(exchange: TutorExchange) -> tuple[str, str]:
    """(front, back) of the card a tutor answer makes: the question asked, and the answer with
    its sources ("related" answers: the closest passages' sentences and where they are)."""
    related = exchange.mode == "related"
    lines = _citation_lines(exchange, quote=related)
    if related:
        back = "Closest passages (they may not answer the question):\n\n" + "\n\n".join(lines)
    else:
        sources = "\n\nSources: " + "; ".join(lines) if lines else ""
        back = exchange.answer.strip() + sources
    return _trimmed(exchange.question), _trimmed(back)


def save_tutor_answer_as_card(session: Session, *, token: str, exchange_id: str) -> SavedCard:
    """Save one of the viewer's own tutor answers as a personal review card. Saving the same
    answer again returns the card saved before."""
    viewer = require_viewer(session, token)
    user_id = uuid.UUID(viewer.user_id)
    # Locked: two clicks on "Save as card" save one card, the second waits and finds it.
    exchange = session.exec(
        select(TutorExchange)
        .where(
            TutorExchange.id == parse_id(exchange_id, ANSWER_NOT_FOUND),
            TutorExchange.user_id == user_id,
        )
        .with_for_update()
    ).first()
    if exchange is None:
        raise NotFound(ANSWER_NOT_FOUND)
    course = load_course(session, exchange.course_id)
    if not (can_edit_course(session, viewer, course) or is_enrolled(session, viewer, course.id)):
        raise PermissionDenied(ENROL_FIRST)
    if exchange.mode == "not_found":
        raise InvalidInput(NOTHING_TO_SAVE)
    front, back = tutor_card_sides(exchange)
    clean = clean_card(front, back)
    existing = session.exec(
        select(Flashcard).where(
            Flashcard.owner_id == user_id,
            Flashcard.course_id == course.id,
            Flashcard.front_markdown == clean.front,
            Flashcard.back_markdown == clean.back,
        )
    ).first()
    if existing is not None:
        return SavedCard(flashcard_view(session, existing), created=False)
    card = Flashcard(
        course_id=course.id,
        author_id=user_id,
        owner_id=user_id,
        source=FlashcardSource.TUTOR,
        front_markdown=clean.front,
        back_markdown=clean.back,
    )
    session.add(card)
    session.flush()
    return SavedCard(flashcard_view(session, card), created=True)
