"""A student takes an exam of every question type in Chromium, reloads in the middle, submits,
and sees the score; the essay waits for the teacher."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _course_with_exam(teacher: str, student: str) -> tuple[str, str]:
    """A published course with a 30-minute exam of every type; the student is enrolled."""
    import uuid

    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    drafts = [
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
    ]
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
                title="Python check",
                time_limit_minutes=30,
                questions=[ExamQuestionDraft(q) for q in ids],
            ),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id, exam.id


def _question(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=f"Question {number}", exact=True)


def _saved(page: Page, number: int) -> None:
    expect(_question(page, number).get_by_text("✓ Saved")).to_be_visible()


def test_a_student_takes_an_exam_with_a_reload_and_sees_the_score(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id, exam_id = _course_with_exam(teacher, student)

    page = signed_in_page(browser, app_server, student_email)
    page.goto(f"{app_server.url}/courses/{course_id}")
    page.get_by_role("link", name="Python check").click()
    expect(page.get_by_role("heading", name="Python check", level=1)).to_be_visible()
    expect(page.get_by_text("5 questions · 30 minutes · unlimited attempts")).to_be_visible()
    page.get_by_role("button", name="Start exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}$"))
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    _question(page, 1).get_by_role("radio", name="float").click()
    _saved(page, 1)
    # Controlled by the server's state: click, then wait for the round trip.
    for option in ("for", "while"):
        box = _question(page, 2).get_by_role("checkbox", name=option)
        box.click()
        expect(box).to_be_checked()
    _saved(page, 2)
    _question(page, 3).get_by_label("Your answer", exact=True).fill("  Type ")
    _saved(page, 3)
    numeric = _question(page, 4).get_by_label("Your answer (a number)", exact=True)
    numeric.fill("ten")
    expect(_question(page, 4).get_by_role("alert")).to_contain_text("Enter a number")
    numeric.fill("10")
    _saved(page, 4)
    _question(page, 5).get_by_label("Your essay", exact=True).fill("Tests catch regressions.")
    _saved(page, 5)

    page.reload()  # a lost connection or a reload loses nothing
    expect(_question(page, 1).get_by_role("radio", name="float")).to_be_checked()
    expect(_question(page, 2).get_by_role("checkbox", name="while")).to_be_checked()
    expect(_question(page, 4).get_by_label("Your answer (a number)", exact=True)).to_have_value(
        "10"
    )
    expect(_question(page, 5).get_by_label("Your essay", exact=True)).to_have_value(
        "Tests catch regressions."
    )
    expect(page.get_by_text("5 of 5 answered")).to_be_visible()

    page.get_by_role("button", name="Submit exam").click()
    page.get_by_role("button", name="Submit now").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}/result$"))
    summary = page.get_by_role("status").filter(has_text="Score")
    expect(summary).to_contain_text("Score 4 of 6 points")
    expect(summary).to_contain_text("Awaiting grading")
    expect(page.get_by_text("A decimal point makes a")).to_be_visible()
    expect(page.get_by_text("Awaiting grading").last).to_be_visible()

    page.goto(f"{app_server.url}/exams/{exam_id}")
    expect(page.get_by_role("link", name="Results of attempt 1")).to_be_visible()
