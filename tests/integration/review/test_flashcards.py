"""A course's flashcards against the real stores: writing, editing, tagging, archiving and
deleting; who may; and that bad input is refused with a clear message and writes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.questions import Tag
from learning_app.models.review import Flashcard, FlashcardSource, FlashcardTag, ReviewCard
from learning_app.models.users import UserRole
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.review import flashcards
from learning_app.services.review.flashcards import MAX_SIDE_LENGTH, FlashcardView
from tests.integration.people import new_course, new_lesson, person, publish, user_id


def _run(func_: Any, **kwargs: Any) -> Any:
    with session_scope() as session:
        return func_(session, **kwargs)


def _count(table: type[SQLModel]) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def _card(token: str, course: str, **fields: Any) -> FlashcardView:
    values = {"front": "What is a loop?", "back": "Code that repeats.", "tags": "loops"}
    return _run(flashcards.create_flashcard, token=token, course_id=course, **(values | fields))


def _in_review(student: str, card: FlashcardView) -> None:
    """The student has the card in their review queue (as the review queue would write it)."""
    with session_scope() as session:
        session.add(
            ReviewCard(
                user_id=uuid.UUID(user_id(student)),
                course_id=uuid.UUID(card.course_id),
                flashcard_id=uuid.UUID(card.id),
                due=datetime.now(UTC),
            )
        )


def test_a_teacher_writes_edits_and_lists_cards_with_tags_and_a_lesson(teacher: str) -> None:
    course = new_course(teacher)
    lesson = new_lesson(teacher, course, "Loops")
    card = _card(
        teacher,
        course,
        front="  What does **for** do?  ",
        tags=["Loops", "loops ", "Syntax"],
        lesson_id=lesson,
    )
    assert card.front_markdown == "What does **for** do?"
    assert "<strong>for</strong>" in card.front_html
    assert card.tags == ["Loops", "Syntax"]  # repeats ignoring case dropped
    assert (card.lesson_id, card.lesson_title, card.source) == (lesson, "Loops", "written")
    # Tags are the course's one list, shared with its questions: "LOOPS" is the same tag.
    edited = _run(
        flashcards.update_flashcard,
        token=teacher,
        flashcard_id=card.id,
        front="What does for do?",
        back="It repeats a block for each item.",
        tags="LOOPS, iteration",
        lesson_id="",
    )
    assert edited.tags == ["iteration", "Loops"]
    assert (edited.back_markdown, edited.lesson_id) == ("It repeats a block for each item.", "")
    assert _count(Tag) == 3
    drafted = _card(teacher, course, front="Second card?", source=FlashcardSource.DRAFTED)
    listed = _run(flashcards.list_flashcards, token=teacher, course_id=course)
    assert [c.id for c in listed] == [drafted.id, card.id]  # newest first
    assert drafted.source == "drafted"
    tagged = _run(flashcards.list_flashcards, token=teacher, course_id=course, tag="Iteration")
    assert [c.id for c in tagged] == [card.id]


def test_archiving_hides_a_card_and_restoring_brings_it_back(teacher: str) -> None:
    course = new_course(teacher)
    card = _card(teacher, course)
    archived = _run(flashcards.archive_flashcard, token=teacher, flashcard_id=card.id)
    assert archived.archived
    assert _run(flashcards.list_flashcards, token=teacher, course_id=course) == []
    (shown,) = _run(
        flashcards.list_flashcards, token=teacher, course_id=course, include_archived=True
    )
    assert shown.archived
    assert not _run(flashcards.restore_flashcard, token=teacher, flashcard_id=card.id).archived


def test_delete_removes_an_unreviewed_card_and_archives_a_reviewed_one(
    teacher: str, student: str
) -> None:
    course = new_course(teacher)
    fresh, reviewed = _card(teacher, course), _card(teacher, course, front="Reviewed?")
    publish(teacher, course)
    _run(reading.enroll, token=student, course_id=course)
    _in_review(student, reviewed)
    assert _run(flashcards.delete_flashcard, token=teacher, flashcard_id=fresh.id) is True
    assert _run(flashcards.delete_flashcard, token=teacher, flashcard_id=reviewed.id) is False
    (kept,) = _run(
        flashcards.list_flashcards, token=teacher, course_id=course, include_archived=True
    )
    assert (kept.id, kept.archived, kept.in_review) == (reviewed.id, True, True)
    assert (_count(Flashcard), _count(FlashcardTag), _count(ReviewCard)) == (1, 1, 1)
    with pytest.raises(NotFound):
        _run(flashcards.delete_flashcard, token=teacher, flashcard_id=fresh.id)


def test_only_the_course_teachers_may_read_or_change_its_cards(teacher: str, student: str) -> None:
    course = new_course(teacher)
    card = _card(teacher, course)
    publish(teacher, course)
    _run(reading.enroll, token=student, course_id=course)
    other_teacher = person("grace", UserRole.TEACHER)
    new_course(other_teacher, "Other")
    for token in (student, other_teacher):
        with pytest.raises((NotFound, PermissionDenied)):
            _run(flashcards.list_flashcards, token=token, course_id=course)
        with pytest.raises((NotFound, PermissionDenied)):
            _card(token, course)
        with pytest.raises((NotFound, PermissionDenied)):
            _run(
                flashcards.update_flashcard,
                token=token,
                flashcard_id=card.id,
                front="Taken over",
                back="Yes",
            )
        for action in (
            flashcards.archive_flashcard,
            flashcards.restore_flashcard,
            flashcards.delete_flashcard,
        ):
            with pytest.raises((NotFound, PermissionDenied)):
                _run(action, token=token, flashcard_id=card.id)
    (still,) = _run(flashcards.list_flashcards, token=teacher, course_id=course)
    assert (still.front_markdown, still.archived) == ("What is a loop?", False)
    assert _count(Flashcard) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"front": "   "}, "Enter the front of the card."),
        ({"back": "\u200b"}, "Enter the back of the card."),
        ({"front": "x" * (MAX_SIDE_LENGTH + 1)}, "at most 2,000 characters for the front"),
        ({"back": "bad\x00byte"}, "control characters"),
        ({"tags": [f"tag{n}" for n in range(11)]}, "at most 10 tags"),
        ({"tags": ["x" * 65]}, "under 64 characters"),
        ({"lesson_id": "not-an-id"}, "Pick a lesson of this course"),
        ({"source": "tutor"}, "written or drafted"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    teacher: str, fields: dict[str, Any], message: str
) -> None:
    course = new_course(teacher)
    with pytest.raises(InvalidInput, match=message):
        _card(teacher, course, **fields)
    assert (_count(Flashcard), _count(FlashcardTag), _count(Tag)) == (0, 0, 0)


def test_a_lesson_of_another_course_is_refused_on_create_and_edit(teacher: str) -> None:
    course, other = new_course(teacher), new_course(teacher, "Other")
    elsewhere = new_lesson(teacher, other, "Elsewhere")
    with pytest.raises(InvalidInput, match="Pick a lesson of this course"):
        _card(teacher, course, lesson_id=elsewhere)
    card = _card(teacher, course)
    with pytest.raises(InvalidInput, match="Pick a lesson of this course"):
        _run(
            flashcards.update_flashcard,
            token=teacher,
            flashcard_id=card.id,
            front="Changed",
            back="Changed",
            lesson_id=elsewhere,
        )
    (unchanged,) = _run(flashcards.list_flashcards, token=teacher, course_id=course)
    assert (unchanged.front_markdown, unchanged.lesson_id) == ("What is a loop?", "")


def test_a_card_the_course_already_has_is_refused_ignoring_whitespace_and_case(
    teacher: str,
) -> None:
    course, other = new_course(teacher), new_course(teacher, "Other")
    card = _card(teacher, course, front="What is a **loop**?", back="Code that\nrepeats.")
    again = {"front": "  what is a  **LOOP**?", "back": "code that repeats.", "tags": "new"}
    with pytest.raises(InvalidInput, match=r"^The course already has this card\.$"):
        _card(teacher, course, **again)
    assert (_count(Flashcard), _count(Tag)) == (1, 1)  # not even the new tag
    _card(teacher, other, **again)  # another course's cards are its own
    _card(teacher, course, front="What is a **loop**?", back="Code that repeats itself.")
    # An archived card counts too: restoring it keeps its students' review history.
    _run(flashcards.archive_flashcard, token=teacher, flashcard_id=card.id)
    with pytest.raises(InvalidInput, match="archived: restore it instead"):
        _card(teacher, course, **again)
    assert _count(Flashcard) == 3


def test_an_edit_may_not_make_a_card_the_same_as_another(teacher: str) -> None:
    course = new_course(teacher)
    first, second = _card(teacher, course), _card(teacher, course, front="What is a list?")
    with pytest.raises(InvalidInput, match="The course already has this card"):
        _run(
            flashcards.update_flashcard,
            token=teacher,
            flashcard_id=second.id,
            front="WHAT is a loop?",
            back=first.back_markdown,
        )
    # Its own sides, re-cased, are no clash.
    kept = _run(
        flashcards.update_flashcard,
        token=teacher,
        flashcard_id=first.id,
        front="What is a LOOP?",
        back=first.back_markdown,
        tags="iteration",
    )
    assert (kept.front_markdown, kept.tags) == ("What is a LOOP?", ["iteration"])
