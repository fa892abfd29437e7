"""A course's flashcards in search: found by its teachers (typos and all) and by nobody else,
kept in sync by the outbox's jobs, out of the index once archived, and never a student's
personal card. The Postgres fallback and the drift check know them too."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.models.tutor import TutorExchange
from learning_app.services.accounts import viewers
from learning_app.services.courses import reading
from learning_app.services.review import flashcards, tutor_cards
from learning_app.services.search.documents import KINDS
from learning_app.services.search.drift import requeue_drift
from learning_app.services.search.fallback import fallback_search
from learning_app.services.search.index import (
    SearchIndex,
    check_drift,
    default_index,
)
from learning_app.services.search.results import audience_of
from tests.integration.people import new_course, new_lesson, publish, user_id
from tests.integration.search.helpers import find, fresh_index, sync_search, titles

index = pytest.fixture(fresh_index)


def _run(func_: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func_(session, **kwargs)


def _course(teacher: str, student: str) -> str:
    course = new_course(teacher, "Cell biology")
    new_lesson(teacher, course, "Organelles")
    publish(teacher, course)
    _run(reading.enroll, token=student, course_id=course)
    return course


def _in_sync() -> bool:
    with session_scope() as session:
        return all(drift.clean for drift in check_drift(session, default_index()))


def test_a_teacher_finds_a_card_with_a_typo_and_a_student_does_not(
    index: SearchIndex, teacher: str, student: str
) -> None:
    course = _course(teacher, student)
    card = _run(
        flashcards.create_flashcard,
        token=teacher,
        course_id=course,
        front="What does the mitochondrion make?",
        back="ATP, the cell's energy currency.",
        tags="organelles",
    )
    sync_search()
    hit = find(teacher, "mitochondrion").hits[0]
    assert (hit.type, hit.id, hit.title) == (
        "flashcard",
        card.id,
        "What does the mitochondrion make?",
    )
    assert hit.url == f"/teach/courses/{course}/cards"
    assert titles(find(teacher, "mitocondrion")) == [hit.title]  # a typo
    assert titles(find(teacher, "currency")) == [hit.title]  # the back is searched too
    assert titles(find(teacher, "mitochondrion", type="flashcard", tag="Organelles")) == [hit.title]
    assert find(student, "mitochondrion").hits == []
    assert find(student, "mitochondrion", type="flashcard").hits == []
    assert find(None, "mitochondrion").hits == []
    assert _in_sync()

    # Edited: the index follows; archived: it leaves; restored: it is back.
    _run(
        flashcards.update_flashcard,
        token=teacher,
        flashcard_id=card.id,
        front="What does the ribosome make?",
        back="Proteins.",
    )
    sync_search()
    assert find(teacher, "mitochondrion").hits == []
    assert titles(find(teacher, "ribosome")) == ["What does the ribosome make?"]
    _run(flashcards.archive_flashcard, token=teacher, flashcard_id=card.id)
    sync_search()
    assert find(teacher, "ribosome").hits == []
    _run(flashcards.restore_flashcard, token=teacher, flashcard_id=card.id)
    sync_search()
    assert titles(find(teacher, "ribosome")) == ["What does the ribosome make?"]
    _run(flashcards.delete_flashcard, token=teacher, flashcard_id=card.id)
    sync_search()
    assert find(teacher, "ribosome").hits == []
    assert _in_sync()


def test_a_personal_card_is_never_indexed(index: SearchIndex, teacher: str, student: str) -> None:
    course = _course(teacher, student)
    with session_scope() as session:
        exchange = TutorExchange(
            user_id=uuid.UUID(user_id(student)),
            course_id=uuid.UUID(course),
            question="Where is the chloroplast found?",
            answer="In plant cells. [1]",
            mode="extractive",
            citations=[],
        )
        session.add(exchange)
        session.flush()
        exchange_id = str(exchange.id)
    _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange_id)
    sync_search()
    assert find(teacher, "chloroplast").hits == []
    with session_scope() as session:
        viewer = viewers.viewer_for_session(session, teacher)
        hits = fallback_search(
            session, audience_of(session, viewer), "chloroplast", [KINDS["flashcards"]], None, 5
        )
    assert hits == []
    assert _in_sync()


def test_the_fallback_and_the_drift_check_know_cards(
    index: SearchIndex, teacher: str, student: str
) -> None:
    course = _course(teacher, student)
    card = _run(
        flashcards.create_flashcard,
        token=teacher,
        course_id=course,
        front="What is the nucleus?",
        back="The organelle that holds the cell's DNA.",
    )
    with session_scope() as session:
        for token, found in ((teacher, 1), (student, 0)):
            audience = audience_of(session, viewers.viewer_for_session(session, token))
            hits = fallback_search(session, audience, "nucleus", [KINDS["flashcards"]], None, 5)
            assert [(h.type, h.id) for h in hits] == [("flashcard", card.id)] * found
    sync_search()
    # A write behind the outbox's back: the drift check finds it and queues the card's job.
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE flashcard SET archived_at = now() WHERE id = :id"), {"id": card.id}
        )
    with session_scope() as session:
        repair = requeue_drift(session, default_index())
    assert repair.requeued == [("flashcard", card.id)]
    sync_search()
    assert find(teacher, "nucleus").hits == []
    assert _in_sync()
