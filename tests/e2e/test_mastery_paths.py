"""Mastery paths in Chromium, by accessible names: a teacher locks a lesson behind a quiz in
the lesson editor; the student sees "Unlocks when…" on the course page and cannot open the
lesson; once they pass the quiz, it opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

UNLOCKS = "Unlocks when you pass Quiz 1 with at least 70%"


def _course(teacher: str, student: str, unique: str) -> tuple[str, str, str]:
    """A published course with an open lesson, a lesson to lock and a one-question Quiz 1;
    the student is enrolled. Returns the course's, the second lesson's and the quiz's ids."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring, lessons, reading
    from learning_app.services.exams import authoring as exams
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    with session_scope() as session:
        course = authoring.create_course(
            session, token=teacher, title=f"Brewing {unique}", description=""
        )
        ids = []
        for title in ("Getting started", "Fermentation"):
            lesson = lessons.create_lesson(
                session,
                token=teacher,
                course_id=course.id,
                title=title,
                body_markdown=f"# {title}\n\nAll about {title.lower()}.",
            )
            lessons.publish_lesson(session, token=teacher, lesson_id=lesson.id)
            ids.append(lesson.id)
        question = bank.create_question(
            session,
            token=teacher,
            course_id=course.id,
            draft=QuestionDraft(
                type="true_false",
                prompt="Yeast turns sugar into alcohol.",
                options=[OptionDraft("True", True), OptionDraft("False")],
            ),
        )
        quiz = exams.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(title="Quiz 1", questions=[ExamQuestionDraft(question.id)]),
        )
        exams.set_exam_published(session, token=teacher, exam_id=quiz.id, published=True)
        authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id, ids[1], quiz.id


def _pass(student: str, exam_id: str) -> None:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking

    with session_scope() as session:
        view = taking.start_attempt(session, token=student, exam_id=exam_id)
        (line,) = view.questions
        right = next(option.id for option in line.options if option.body == "True")
        taking.save_answer(
            session,
            token=student,
            attempt_id=view.attempt_id,
            question_id=line.question_id,
            response={"option_id": right},
        )
        taking.submit_attempt(session, token=student, attempt_id=view.attempt_id)


def test_a_lesson_unlocks_once_the_student_passes_the_quiz(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id, lesson_id, quiz_id = _course(teacher, student, unique)

    # The teacher locks the second lesson in its editor.
    page = signed_in_page(browser, app_server, teacher_email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}/lessons/{lesson_id}")
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    # No exam chosen: a clear message, nothing saved. (A score over 100 never leaves the
    # browser: the number field's own limits stop it; the service's refusal is tested apart.)
    page.get_by_role("button", name="Add requirement").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the exam it requires.")
    page.get_by_label("Requires", exact=True).select_option(label="Quiz 1")
    page.get_by_label("Minimum score (%)", exact=True).fill("70")
    page.get_by_role("button", name="Add requirement").click()
    expect(page.get_by_role("button", name="Remove requirement: Quiz 1")).to_be_visible()
    # Its teacher still reads it from the course page.
    page.goto(f"{app_server.url}/courses/{course_id}")
    expect(page.get_by_role("link", name="Fermentation")).to_be_visible()
    page.context.close()

    # The student sees why it is locked, and cannot open it even by its address.
    page = signed_in_page(browser, app_server, student_email)
    page.goto(f"{app_server.url}/courses/{course_id}")
    lessons = page.get_by_role("list", name="Lessons")
    expect(lessons.get_by_text(UNLOCKS)).to_be_visible()
    expect(lessons.get_by_role("link", name="Fermentation")).to_have_count(0)
    expect(page.get_by_text(UNLOCKS)).to_have_count(1)
    lessons.get_by_role("link", name="Getting started").click()
    expect(page.get_by_role("heading", name="Getting started", level=1)).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Lessons of this course").get_by_text(UNLOCKS)
    ).to_be_visible()
    page.goto(f"{app_server.url}/courses/{course_id}/lessons/{lesson_id}")
    expect(page.get_by_text(f"This lesson u{UNLOCKS[1:]}.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fermentation", level=1)).to_have_count(0)

    _pass(student, quiz_id)
    page.goto(f"{app_server.url}/courses/{course_id}")
    expect(page.get_by_role("link", name="Fermentation")).to_be_visible()
    expect(page.get_by_text(UNLOCKS)).to_have_count(0)
    page.get_by_role("link", name="Fermentation").click()
    expect(page.get_by_role("heading", name="Fermentation", level=1)).to_be_visible()
    expect(page.get_by_text("All about fermentation.")).to_be_visible()
