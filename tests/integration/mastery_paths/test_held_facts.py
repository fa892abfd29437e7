"""What a page's first statement notes it found absent (`services/held_facts.py`): in a course
with no prerequisite, for a student with no accommodation, the lesson page, the exam page and
the exam's Start skip the prerequisite and accommodation statements. Once a teacher adds
either, the next page reads it and honours it: nothing is remembered beyond one unit of work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.services.attempts import results, taking
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams import accommodations
from tests.integration.exams.helpers import run
from tests.integration.mastery_paths.world import World, build, enrol, require
from tests.integration.test_viewing import statements_of

# `prerequisites._unmet`'s statement and `accommodations.terms_for_exams`' (the read-ahead's
# own EXISTS tests name both tables too).
PREREQUISITES, ACCOMMODATIONS = "FROM prerequisite p JOIN exam e", "SELECT accommodation.id"


@pytest.fixture
def world(teacher: str, student: str) -> World:
    made = build(teacher)
    enrol(student, made.course)
    return made


def sent_by(unit: Callable[[Session], Any]) -> list[str]:
    """The statements one unit of work sends, whether or not it is refused."""
    with (
        session_scope() as session,
        statements_of(session) as sent,
        contextlib.suppress(PermissionDenied),
    ):
        unit(session)
    return sent


def pages(student: str, world: World) -> dict[str, Callable[[Session], Any]]:
    return {
        "lesson": lambda s: reading.read_lesson(
            s, token=student, course_id=world.course, lesson_id=world.deep
        ),
        "course": lambda s: reading.course_outline(s, token=student, course_id=world.course),
        "exam": lambda s: results.exam_intro(s, token=student, exam_id=world.quiz2),
        "start": lambda s: taking.begin_attempt(s, token=student, exam_id=world.quiz2),
    }


def reads(sent: list[str], table: str) -> bool:
    return any(table in " ".join(statement.split()) for statement in sent)


def test_with_nothing_to_find_the_pages_skip_both_statements(student: str, world: World) -> None:
    counts = {}
    for name, unit in pages(student, world).items():
        sent = sent_by(unit)
        assert not reads(sent, PREREQUISITES), name
        assert not reads(sent, ACCOMMODATIONS), name
        counts[name] = len(sent)
    # The viewer with the page's rows, then: the lesson's progress and the course's lesson
    # order; the attempts and the question count; the attempts, the draw and the insert.
    assert counts["lesson"] == 3 and counts["exam"] == 3 and counts["start"] == 4


def test_a_prerequisite_added_later_is_read_and_locks(
    teacher: str, student: str, world: World
) -> None:
    units = pages(student, world)
    sent_by(units["lesson"])  # a page read before the change remembers nothing after it
    require(teacher, world, lesson_id=world.deep)
    require(teacher, world, exam_id=world.quiz2)
    for name in ("lesson", "course", "exam"):
        assert reads(sent_by(units[name]), PREREQUISITES), name
    with pytest.raises(PermissionDenied, match="This lesson unlocks when"):
        run(reading.read_lesson, token=student, course_id=world.course, lesson_id=world.deep)
    outline = run(reading.course_outline, token=student, course_id=world.course)
    assert [lesson.locked_reason != "" for lesson in outline.lessons] == [False, True]
    intro = run(results.exam_intro, token=student, exam_id=world.quiz2)
    assert intro.blocked_reason.startswith("Unlocks when") and not intro.can_start
    assert reads(sent_by(units["start"]), PREREQUISITES)
    with pytest.raises(PermissionDenied, match="This exam unlocks when"):
        run(taking.begin_attempt, token=student, exam_id=world.quiz2)


@pytest.mark.parametrize("for_exam", [True, False], ids=["the exam's own", "the course's"])
def test_an_accommodation_added_later_is_read_and_honoured(
    teacher: str, student: str, world: World, for_exam: bool
) -> None:
    units = pages(student, world)
    assert run(results.exam_intro, token=student, exam_id=world.quiz2).can_start
    run(
        accommodations.grant_accommodation,
        token=teacher,
        course_id=world.course,
        student_email="ada@example.com",
        exam_id=world.quiz2 if for_exam else None,
        closes_at=utc_now() - timedelta(days=1),  # the student's own dates: closed for them
    )
    assert reads(sent_by(units["exam"]), ACCOMMODATIONS)
    intro = run(results.exam_intro, token=student, exam_id=world.quiz2)
    assert intro.blocked_reason == "This exam has closed." and not intro.can_start
    assert reads(sent_by(units["start"]), ACCOMMODATIONS)
    with pytest.raises(PermissionDenied, match=r"This exam has closed\."):
        run(taking.begin_attempt, token=student, exam_id=world.quiz2)
