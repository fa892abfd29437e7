"""A teacher writes questions of mixed types and an exam in Chromium and publishes it; after a
student's attempt, the teacher grades the essay in the queue and the attempt's score updates."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _published_course(teacher: str, student: str) -> str:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring, reading

    with session_scope() as session:
        course = authoring.create_course(session, token=teacher, title="Python 101", description="")
        authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id


def _write_questions(page: Page) -> None:
    page.get_by_label("Question", exact=True).fill("Which type does `3.5` have?")
    page.get_by_label("Option 1", exact=True).fill("int")
    page.get_by_label("Option 2", exact=True).fill("float")
    correct = page.get_by_label("Option 2 is correct")
    correct.click()
    expect(correct).to_be_checked()
    page.get_by_label("Feedback for option 2 (optional)").fill("Yes: the point makes a float.")
    page.get_by_label("Tags").fill("basics")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question is saved.")).to_be_visible()

    page.get_by_label("Type", exact=True).select_option("numeric")
    page.get_by_label("Question", exact=True).fill("What is 2.5 * 4?")
    page.get_by_role("button", name="Save question").click()  # no answer yet: refused
    expect(page.get_by_role("alert")).to_contain_text("Enter the correct answer")
    page.get_by_label("Answer", exact=True).fill("10")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question is saved.")).to_be_visible()

    page.get_by_label("Type", exact=True).select_option("essay")
    page.get_by_label("Question", exact=True).fill("Why write **tests**?")
    page.get_by_label("Points", exact=True).fill("4")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question is saved.")).to_be_visible()
    expect(page.get_by_role("list", name="Questions").get_by_role("listitem")).to_have_count(3)


def _write_exam(page: Page) -> None:
    page.get_by_role("link", name="New exam").click()
    expect(page.get_by_role("heading", name="New exam", level=1)).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Checkpoint")
    page.get_by_label("Time limit (minutes)").fill("20")
    page.get_by_role("button", name="Save exam").click()
    expect(page.get_by_role("alert")).to_contain_text("Add at least one question")
    picks = page.get_by_role("list", name="Questions in the bank")
    for prompt in ("Which type does", "What is 2.5", "Why write"):
        box = picks.get_by_role("checkbox", name=re.compile(re.escape(prompt)))
        box.click()
        expect(box).to_be_checked()
    expect(page.get_by_text("3 picked")).to_be_visible()
    page.get_by_role("button", name="Save exam").click()
    expect(page).to_have_url(re.compile(r"/exams/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Checkpoint", level=1)).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The exam is published")).to_be_visible()


def _student_attempt(student: str, exam_id: str) -> None:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking

    with session_scope() as session:
        view = taking.start_attempt(session, token=student, exam_id=exam_id)
    by_type = {q.type: q for q in view.questions}
    answers = {
        "single_choice": {"option_id": by_type["single_choice"].options[1].id},
        "numeric": {"value": "10"},
        "essay": {"text": "They catch <b>regressions</b>."},
    }
    for qtype, response in answers.items():
        with session_scope() as session:
            taking.save_answer(
                session,
                token=student,
                attempt_id=view.attempt_id,
                question_id=by_type[qtype].question_id,
                response=response,
            )
    with session_scope() as session:
        taking.submit_attempt(session, token=student, attempt_id=view.attempt_id)


def test_a_teacher_writes_and_publishes_an_exam_then_grades_the_essay(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id = _published_course(teacher, student)

    page = signed_in_page(browser, app_server, teacher_email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}")
    page.get_by_role("link", name="Questions & exams").click()
    expect(page.get_by_role("heading", name="Questions & exams", level=1)).to_be_visible()
    _write_questions(page)
    _write_exam(page)
    exam_id = page.url.rsplit("/", 1)[1]

    _student_attempt(student, exam_id)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Grading").click()
    items = page.get_by_role("list", name="Essays to grade").get_by_role("listitem")
    expect(items).to_have_count(1)
    essay = items.first
    expect(essay).to_contain_text("They catch <b>regressions</b>.")  # shown as text
    expect(essay.locator("b")).to_have_count(0)
    essay.get_by_label(re.compile("^Points")).fill("3")
    essay.get_by_label("Feedback").fill("Name one example next time.")
    essay.get_by_role("button", name=re.compile("^Save grade")).click()
    expect(page.get_by_text("Nothing to grade")).to_be_visible()

    student_page = signed_in_page(browser, app_server, student_email)
    student_page.goto(f"{app_server.url}/exams/{exam_id}")
    student_page.get_by_role("link", name="Results of attempt 1").click()
    summary = student_page.get_by_role("status").filter(has_text="Score")
    expect(summary).to_contain_text("Score 5 of 6 points")
    expect(summary).to_contain_text("Passed")
    expect(student_page.get_by_text("Name one example next time.")).to_be_visible()
    expect(student_page.get_by_text("Yes: the point makes a float.")).to_be_visible()
