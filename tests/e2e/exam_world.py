"""What the exam browser tests share: a course with an exam of every question type, made
through the services, and ways to find a question and its saved answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from learning_app.services.questions.bank import QuestionDraft

EXAM_TITLE = "Python check"


def question_of_every_type() -> list[QuestionDraft]:
    """One question draft of each of the six types (the first a single choice)."""
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    return [
        QuestionDraft(
            type="single_choice",
            prompt="Which type does `3.5` have?",
            explanation="A decimal point makes a **float**.",
            options=[OptionDraft("int"), OptionDraft("float", True)],
        ),
        QuestionDraft(
            type="multiple_choice",
            prompt="Which are loops?",
            options=[OptionDraft("for", True), OptionDraft("while", True), OptionDraft("if")],
        ),
        QuestionDraft(type="short_answer", prompt="Built-in for types?", accepted_answers=["type"]),
        QuestionDraft(type="numeric", prompt="What is 2.5 * 4?", numeric_answer="10"),
        QuestionDraft(type="essay", prompt="Why write tests?", points=2),
        QuestionDraft(
            type="true_false",
            prompt="Python lists are mutable.",
            options=[OptionDraft("True", True), OptionDraft("False")],
        ),
    ]


def course_with_exam(teacher: str, student: str, *, minutes: int = 30) -> tuple[str, str]:
    """A published course with a timed exam of every type; the student is enrolled.
    Returns the course's and the exam's ids."""
    import uuid

    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank

    drafts = question_of_every_type()
    with session_scope() as session:
        course = courses_authoring.create_course(
            session, token=teacher, title=f"Exams {uuid.uuid4().hex[:6]}", description=""
        )
        courses_authoring.publish_course(session, token=teacher, course_id=course.id)
        ids = [
            question_bank.create_question(session, token=teacher, course_id=course.id, draft=d).id
            for d in drafts
        ]
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(
                title=EXAM_TITLE,
                time_limit_minutes=minutes,
                questions=[ExamQuestionDraft(q) for q in ids],
            ),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id, exam.id


def begin_attempt(student: str, exam_id: str) -> str:
    """Start the student's attempt through the service (as "Start exam" does); its id."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking

    with session_scope() as session:
        return taking.begin_attempt(session, token=student, exam_id=exam_id)


def server_attempt(student: str, attempt_id: str) -> object:
    """The attempt as the server holds it (`taking.AttemptView`): saved answers, deadline."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking

    with session_scope() as session:
        return taking.get_attempt(session, token=student, attempt_id=attempt_id)


def question(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=f"Question {number}", exact=True)


def expect_saved(page: Page, number: int) -> None:
    expect(question(page, number).get_by_text("✓ Saved")).to_be_visible()
