"""Mastery paths through the services, as a student (or an attacker skipping the pages) calls
them: what locks, what unlocks and when, who is never locked, and the refused requirements
that write nothing."""

from __future__ import annotations

import uuid

import pytest

from learning_app.models.teaching import Prerequisite
from learning_app.models.users import UserRole
from learning_app.services.attempts import results, taking
from learning_app.services.courses import lessons, prerequisites, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import listing
from tests.integration.exams.helpers import run
from tests.integration.mastery_paths.world import (
    World,
    build,
    count,
    enrol,
    require,
    take,
    two_question_quiz,
)
from tests.integration.people import new_course, new_lesson, person, publish

LESSON_LOCKED = "This lesson unlocks when you pass Quiz 1 with at least 70%."
EXAM_LOCKED = "This exam unlocks when you pass Quiz 1 with at least 70%."


@pytest.fixture
def world(teacher: str, student: str) -> World:
    made = build(teacher)
    enrol(student, made.course)
    return made


def reasons(token: str | None, world: World) -> dict[str, str]:
    outline = run(reading.course_outline, token=token, course_id=world.course)
    return {lesson.title: lesson.locked_reason for lesson in outline.lessons}


def read(token: str | None, world: World, lesson_id: str) -> reading.LessonView:
    return run(reading.read_lesson, token=token, course_id=world.course, lesson_id=lesson_id)


def exam_reasons(token: str, world: World) -> dict[str, str]:
    cards = run(listing.list_course_exams, token=token, course_id=world.course)
    return {card.title: card.locked_reason for card in cards}


def test_a_lesson_opens_once_the_quiz_is_passed_well_enough(
    teacher: str, student: str, world: World
) -> None:
    assert reasons(student, world) == {"Getting started": "", "Fermentation": ""}
    require(teacher, world, lesson_id=world.deep)

    assert reasons(student, world)["Fermentation"] == (
        "Unlocks when you pass Quiz 1 with at least 70%"
    )
    with pytest.raises(PermissionDenied, match=LESSON_LOCKED):
        read(student, world, world.deep)
    with pytest.raises(PermissionDenied, match=LESSON_LOCKED):
        run(
            reading.mark_lesson_complete,
            token=student,
            course_id=world.course,
            lesson_id=world.deep,
        )
    # The open lesson does not link into the locked one: it says what unlocks it.
    opening = read(student, world, world.intro)
    assert opening.next_lesson_id == ""
    assert opening.next_locked_reason.startswith("Unlocks when you pass Quiz 1")

    assert take(student, world.quiz1, right=1) == 50
    assert reasons(student, world)["Fermentation"] == (
        "Unlocks when you pass Quiz 1 with at least 70% (your best so far: 50%)"
    )
    with pytest.raises(PermissionDenied, match=LESSON_LOCKED):
        read(student, world, world.deep)

    assert take(student, world.quiz1, right=2) == 100
    assert reasons(student, world)["Fermentation"] == ""
    assert read(student, world, world.deep).title == "Fermentation"
    assert read(student, world, world.intro).next_lesson_id == world.deep
    # A worse attempt later does not lock it again: the best graded attempt counts.
    take(student, world.quiz1, right=0)
    assert read(student, world, world.deep).previous_lesson_id == world.intro


def test_the_threshold_is_at_least_and_zero_still_needs_a_graded_attempt(
    teacher: str, student: str, world: World
) -> None:
    require(teacher, world, lesson_id=world.intro, percent=0)
    require(teacher, world, lesson_id=world.deep, percent=50)
    assert all(reasons(student, world).values())  # no attempt yet: both locked

    take(student, world.quiz1, right=0)  # 0%: meets 0, not 50
    assert reasons(student, world) == {
        "Getting started": "",
        "Fermentation": "Unlocks when you pass Quiz 1 with at least 50% (your best so far: 0%)",
    }
    take(student, world.quiz1, right=1)  # exactly 50%
    assert reasons(student, world) == {"Getting started": "", "Fermentation": ""}


def test_every_requirement_of_an_item_must_be_met(teacher: str, student: str, world: World) -> None:
    require(teacher, world, lesson_id=world.deep, percent=50)
    require(teacher, world, lesson_id=world.deep, percent=50, required_exam_id=world.quiz2)
    assert reasons(student, world)["Fermentation"] == (
        "Unlocks when you pass Quiz 1 with at least 50% and Quiz 2 with at least 50%"
    )
    take(student, world.quiz1, right=2)
    assert reasons(student, world)["Fermentation"] == (
        "Unlocks when you pass Quiz 2 with at least 50%"
    )
    take(student, world.quiz2, right=1)
    assert reasons(student, world)["Fermentation"] == ""


def test_a_locked_exam_refuses_to_start_and_says_why(
    teacher: str, student: str, world: World
) -> None:
    require(teacher, world, exam_id=world.quiz2)
    assert exam_reasons(student, world) == {
        "Quiz 1": "",
        "Quiz 2": "Unlocks when you pass Quiz 1 with at least 70%",
    }
    intro = run(results.exam_intro, token=student, exam_id=world.quiz2)
    assert not intro.can_start
    assert intro.blocked_reason == "Unlocks when you pass Quiz 1 with at least 70%."
    for start in (taking.start_attempt, taking.begin_attempt):
        with pytest.raises(PermissionDenied, match=EXAM_LOCKED):
            run(start, token=student, exam_id=world.quiz2)

    take(student, world.quiz1, right=2)
    assert exam_reasons(student, world)["Quiz 2"] == ""
    assert run(results.exam_intro, token=student, exam_id=world.quiz2).can_start
    assert take(student, world.quiz2, right=2) == 100


def test_teachers_and_admins_are_never_locked_out(teacher: str, world: World) -> None:
    require(teacher, world, lesson_id=world.deep)
    require(teacher, world, exam_id=world.quiz2)
    admin = person("grace", UserRole.ADMIN)
    for token in (teacher, admin):
        assert reasons(token, world) == {"Getting started": "", "Fermentation": ""}
        assert read(token, world, world.deep).title == "Fermentation"
        assert read(token, world, world.intro).next_lesson_id == world.deep
        assert exam_reasons(token, world) == {"Quiz 1": "", "Quiz 2": ""}


def test_a_visitor_of_a_public_course_finds_gated_lessons_locked(teacher: str) -> None:
    world = build(teacher, public=True)
    require(teacher, world, lesson_id=world.deep)
    assert reasons(None, world)["Fermentation"].startswith("Unlocks when you pass Quiz 1")
    with pytest.raises(PermissionDenied, match=LESSON_LOCKED):
        read(None, world, world.deep)
    assert read(None, world, world.intro).title == "Getting started"


def test_a_lesson_gated_in_one_course_stays_open_in_another(
    teacher: str, student: str, world: World
) -> None:
    other = new_course(teacher, "Beer styles")
    run(lessons.attach_lesson, token=teacher, course_id=other, lesson_id=world.deep)
    publish(teacher, other)
    enrol(student, other)
    require(teacher, world, lesson_id=world.deep)
    with pytest.raises(PermissionDenied, match=LESSON_LOCKED):
        read(student, world, world.deep)
    opened = run(reading.read_lesson, token=student, course_id=other, lesson_id=world.deep)
    assert opened.title == "Fermentation"


# --- teachers' side: setting, listing, removing, refusing -------------------------------------


def test_setting_again_changes_the_minimum_and_removing_unlocks(
    teacher: str, student: str, world: World
) -> None:
    first = require(teacher, world, lesson_id=world.deep, percent=90)
    again = require(teacher, world, lesson_id=world.deep, percent="70")
    assert again.id == first.id and count(Prerequisite) == 1
    assert (again.item_title, again.label) == ("Fermentation", "Quiz 1, at least 70%")
    require(teacher, world, exam_id=world.quiz2, percent=62.5)
    listed = run(prerequisites.prerequisites_of_course, token=teacher, course_id=world.course)
    assert [(v.item_title, v.label) for v in listed] == [
        ("Fermentation", "Quiz 1, at least 70%"),
        ("Quiz 2", "Quiz 1, at least 62.5%"),
    ]
    only_exam = run(
        prerequisites.prerequisites_of_course,
        token=teacher,
        course_id=world.course,
        exam_id=world.quiz2,
    )
    assert [v.exam_id for v in only_exam] == [world.quiz2]
    choices = run(
        prerequisites.requirable_exams, token=teacher, course_id=world.course, exam_id=world.quiz2
    )
    assert [c.title for c in choices] == ["Quiz 1"]

    with pytest.raises((PermissionDenied, NotFound)):
        run(prerequisites.remove_prerequisite, token=student, prerequisite_id=again.id)
    with pytest.raises((PermissionDenied, NotFound)):
        run(prerequisites.prerequisites_of_course, token=student, course_id=world.course)
    assert count(Prerequisite) == 2
    run(prerequisites.remove_prerequisite, token=teacher, prerequisite_id=again.id)
    assert reasons(student, world)["Fermentation"] == ""
    with pytest.raises(NotFound):
        run(prerequisites.remove_prerequisite, token=teacher, prerequisite_id=again.id)


def test_a_loop_of_requirements_is_refused_with_the_loop_named(teacher: str, world: World) -> None:
    quiz3 = two_question_quiz(teacher, world.course, "Quiz 3")
    require(teacher, world, exam_id=world.quiz2)  # Quiz 2 needs Quiz 1
    before = count(Prerequisite)
    with pytest.raises(InvalidInput) as refused:
        require(teacher, world, exam_id=world.quiz1, required_exam_id=world.quiz2)
    assert str(refused.value).startswith(
        "That would make a loop: Quiz 1 needs Quiz 2, which needs Quiz 1."
    )
    assert refused.value.field == "required_exam_id"

    require(teacher, world, exam_id=quiz3, required_exam_id=world.quiz2)  # Quiz 3 needs Quiz 2
    before = count(Prerequisite)
    with pytest.raises(InvalidInput, match="Quiz 1 needs Quiz 3, which needs Quiz 2, which needs"):
        require(teacher, world, exam_id=world.quiz1, required_exam_id=quiz3)
    assert count(Prerequisite) == before
    # Lessons cannot be required, so a lesson never closes a loop.
    require(teacher, world, lesson_id=world.deep, required_exam_id=quiz3)
    assert count(Prerequisite) == before + 1


def test_bad_requirements_get_a_clear_message_and_write_nothing(
    teacher: str, student: str, world: World
) -> None:
    elsewhere = new_course(teacher, "Other course")
    foreign_quiz = two_question_quiz(teacher, elsewhere, "Foreign quiz")
    foreign_lesson = new_lesson(teacher, elsewhere, "Foreign lesson")
    cases: list[tuple[dict, type[Exception], str]] = [
        ({"lesson_id": world.deep, "percent": -1}, InvalidInput, "percent from 0 to 100"),
        ({"lesson_id": world.deep, "percent": 100.5}, InvalidInput, "percent from 0 to 100"),
        ({"lesson_id": world.deep, "percent": "lots"}, InvalidInput, "percent from 0 to 100"),
        ({"lesson_id": world.deep, "percent": "nan"}, InvalidInput, "percent from 0 to 100"),
        ({"lesson_id": world.deep, "percent": ""}, InvalidInput, "percent from 0 to 100"),
        (
            {"exam_id": world.quiz1, "required_exam_id": world.quiz1},
            InvalidInput,
            "An exam cannot require itself.",
        ),
        (
            {"lesson_id": world.deep, "required_exam_id": foreign_quiz},
            InvalidInput,
            "Choose an exam of this course.",
        ),
        (
            {"exam_id": foreign_quiz},
            InvalidInput,
            "Choose an exam of this course.",
        ),
        (
            {"lesson_id": world.deep, "required_exam_id": str(uuid.uuid4())},
            InvalidInput,
            "We could not find that exam.",
        ),
        ({"lesson_id": world.deep, "required_exam_id": " "}, InvalidInput, "Choose the exam"),
        ({}, InvalidInput, "Choose one lesson or one exam"),
        ({"lesson_id": world.deep, "exam_id": world.quiz2}, InvalidInput, "Choose one lesson"),
        ({"lesson_id": foreign_lesson}, NotFound, "We could not find that lesson."),
        ({"lesson_id": "not-an-id"}, NotFound, "We could not find that lesson."),
    ]
    for target, error, message in cases:
        kwargs = {"percent": 70, **target}
        with pytest.raises(error, match=message):
            require(teacher, world, **kwargs)
        assert count(Prerequisite) == 0, target
    with pytest.raises((PermissionDenied, NotFound)):
        require(student, world, lesson_id=world.deep)
    assert count(Prerequisite) == 0
