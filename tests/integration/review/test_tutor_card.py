"""A student saves one of their own tutor answers as a personal review card: once, only their
own, only in a course they take, and never as a course card."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.review import Flashcard
from learning_app.models.tutor import TutorExchange
from learning_app.models.users import UserRole
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.review import flashcards, tutor_cards
from learning_app.services.review.flashcards import MAX_SIDE_LENGTH
from tests.integration.people import new_course, new_lesson, person, publish, user_id

CITATION = {
    "number": 1,
    "source": "Tides",
    "heading": "Why tides happen",
    "page": 0,
    "lesson_id": "",
    "document_id": "",
    "text": "Tides rise and fall twice a day. The moon's gravity pulls on the oceans.",
    "score": 0.9,
    "highlight": [33, 72],
}


def _run(func_: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func_(session, **kwargs)


def _cards() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Flashcard)).one())


def _exchange(token: str, course: str, *, mode: str = "extractive", answer: str = "") -> str:
    """An exchange as the tutor records it (`answering.record`)."""
    with session_scope() as session:
        row = TutorExchange(
            user_id=uuid.UUID(user_id(token)),
            course_id=uuid.UUID(course),
            question="What pulls on the oceans?",
            answer=answer or "The moon's gravity pulls on the oceans. [1]",
            mode=mode,
            citations=[CITATION],
        )
        session.add(row)
        session.flush()
        return str(row.id)


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher, "Oceans")
    new_lesson(teacher, course_id, "Tides")
    publish(teacher, course_id)
    _run(reading.enroll, token=student, course_id=course_id)
    return course_id


def test_a_student_saves_their_answer_once_as_a_personal_card(
    teacher: str, student: str, course: str
) -> None:
    exchange = _exchange(student, course)
    saved = _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange)
    assert saved.created
    assert saved.card.front_markdown == "What pulls on the oceans?"
    assert saved.card.back_markdown == (
        "The moon's gravity pulls on the oceans. [1]\n\nSources: [1] Tides - Why tides happen"
    )
    assert saved.card.source == "tutor"
    again = _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange)
    assert (again.created, again.card.id) == (False, saved.card.id)
    assert _cards() == 1
    with session_scope() as session:
        card = session.get(Flashcard, uuid.UUID(saved.card.id))
        assert card is not None and str(card.owner_id) == user_id(student)
    # A personal card is not the teachers': their bank neither lists nor finds it.
    assert _run(flashcards.list_flashcards, token=teacher, course_id=course) == []
    with pytest.raises(NotFound):
        _run(flashcards.archive_flashcard, token=teacher, flashcard_id=saved.card.id)


def test_a_related_answer_keeps_the_closest_passages_sentences(student: str, course: str) -> None:
    exchange = _exchange(student, course, mode="related", answer="The course touches on this.")
    saved = _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange)
    assert "[1] Tides - Why tides happen: The moon's gravity pulls on the oceans." in (
        saved.card.back_markdown
    )


def test_a_long_answer_is_trimmed_to_the_card_limit(student: str, course: str) -> None:
    exchange = _exchange(student, course, answer="word " * 1_000)
    saved = _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange)
    assert len(saved.card.back_markdown) <= MAX_SIDE_LENGTH
    assert saved.card.back_markdown.endswith("…")


def test_another_users_answer_or_a_nonsense_id_is_not_found(
    teacher: str, student: str, course: str
) -> None:
    exchange = _exchange(student, course)
    classmate = person("grace")
    _run(reading.enroll, token=classmate, course_id=course)
    for token, exchange_id in ((classmate, exchange), (teacher, exchange), (student, "nope")):
        with pytest.raises(NotFound):
            _run(tutor_cards.save_tutor_answer_as_card, token=token, exchange_id=exchange_id)
    assert _cards() == 0


def test_a_teacher_may_save_their_own_answer_but_not_after_leaving_the_course(
    teacher: str, student: str, course: str
) -> None:
    mine = _exchange(teacher, course)
    assert _run(tutor_cards.save_tutor_answer_as_card, token=teacher, exchange_id=mine).created
    # A student whose enrolment is gone (here: an exchange in a course they never took).
    other_teacher = person("lin", UserRole.TEACHER)
    other = new_course(other_teacher, "Elsewhere")
    stray = _exchange(student, other)
    with pytest.raises(PermissionDenied, match="Enrol"):
        _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=stray)
    assert _cards() == 1


def test_an_answer_that_found_nothing_is_refused(student: str, course: str) -> None:
    exchange = _exchange(student, course, mode="not_found", answer="Nothing found.")
    with pytest.raises(InvalidInput, match="nothing to learn"):
        _run(tutor_cards.save_tutor_answer_as_card, token=student, exchange_id=exchange)
    assert _cards() == 0
