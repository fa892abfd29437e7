"""A course with a mastery path, made through the real services: two lessons (the second
locked behind Quiz 1), two quizzes of two true/false questions each (so a student can score
0, 50 or 100%), and a way to take a quiz with a chosen number of right answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.services.attempts import results, taking
from learning_app.services.courses import prerequisites, reading
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from tests.integration.exams.helpers import exam_of, run
from tests.integration.people import new_course, new_lesson, publish

# A word found in the locked lesson only, so a search for it finds that lesson or nothing.
SECRET_WORD = "zymurgy"
LOCKED_BODY = (
    "# Brewing science\n\n"
    f"The science of fermentation in brewing is called {SECRET_WORD}: yeast turns the sugars "
    "of malted barley into alcohol and carbon dioxide over several days."
)
OPEN_BODY = "# Getting started\n\nWelcome. Read on, then take the first quiz."


@dataclass(frozen=True)
class World:
    course: str
    intro: str  # open lesson
    deep: str  # locked behind Quiz 1 (70%) once `lock_deep` ran
    quiz1: str
    quiz2: str


def two_question_quiz(teacher: str, course_id: str, title: str) -> str:
    ids = []
    for prompt in ("The moon moves the tides.", "Water boils at 100 °C at sea level."):
        draft = QuestionDraft(
            type="true_false",
            prompt=f"{title}: {prompt}",
            options=[OptionDraft("True", True), OptionDraft("False")],
        )
        view = run(question_bank.create_question, token=teacher, course_id=course_id, draft=draft)
        ids.append(view.id)
    return exam_of(teacher, course_id, ids, title=title)


def build(teacher: str, *, public: bool = False, **course: Any) -> World:
    course_id = new_course(teacher, "Brewing", is_public=public, **course)
    intro = new_lesson(teacher, course_id, "Getting started", body=OPEN_BODY)
    deep = new_lesson(teacher, course_id, "Fermentation", body=LOCKED_BODY)
    publish(teacher, course_id)
    quiz1 = two_question_quiz(teacher, course_id, "Quiz 1")
    quiz2 = two_question_quiz(teacher, course_id, "Quiz 2")
    return World(course_id, intro, deep, quiz1, quiz2)


def require(teacher: str, world: World, *, percent: float = 70, **target: str) -> Any:
    """`set_prerequisite` on the world's course: requires Quiz 1 unless told otherwise."""
    kwargs: dict[str, Any] = {"required_exam_id": world.quiz1, **target}
    return run(
        prerequisites.set_prerequisite,
        token=teacher,
        course_id=world.course,
        min_percent=percent,
        **kwargs,
    )


def enrol(token: str, course_id: str) -> None:
    run(reading.enroll, token=token, course_id=course_id)


def take(token: str, exam_id: str, *, right: int) -> float:
    """Take the exam once, answering `right` of its questions correctly; returns the percent."""
    view = run(taking.start_attempt, token=token, exam_id=exam_id)
    for number, line in enumerate(view.questions):
        wanted = "True" if number < right else "False"
        option = next(o.id for o in line.options if o.body == wanted)
        run(
            taking.save_answer,
            token=token,
            attempt_id=view.attempt_id,
            question_id=line.question_id,
            response={"option_id": option},
        )
    run(taking.submit_attempt, token=token, attempt_id=view.attempt_id)
    return run(results.attempt_result, token=token, attempt_id=view.attempt_id).percent


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())
