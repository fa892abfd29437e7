"""Accommodations in Chromium: a teacher gives a student half as long again on a timed exam,
the student reads their own time limit and gets the longer countdown, and the gradebook shows
their result and downloads as CSV."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _timed_exam(teacher: str, student: str) -> tuple[str, str]:
    """A published course with a 20-minute, one-question exam; the student is enrolled."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    with session_scope() as session:
        course = courses_authoring.create_course(
            session, token=teacher, title=f"Tides {uuid.uuid4().hex[:6]}", description=""
        )
        question = question_bank.create_question(
            session,
            token=teacher,
            course_id=course.id,
            draft=QuestionDraft(
                type="true_false",
                prompt="The moon moves the tides.",
                options=[OptionDraft("True", True), OptionDraft("False")],
            ),
        )
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(
                title="Tides check",
                time_limit_minutes=20,
                questions=[ExamQuestionDraft(question.id)],
            ),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        courses_authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id, exam.id


def test_a_teacher_grants_extra_time_and_the_student_gets_it(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id, exam_id = _timed_exam(teacher, student)

    page = signed_in_page(browser, app_server, teacher_email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}")
    page.get_by_role("link", name="Accommodations").click()
    expect(page.get_by_role("heading", name=re.compile("^Accommodations: Tides"))).to_be_visible()
    expect(page.get_by_text("None yet")).to_be_visible()
    page.get_by_label("Student").select_option(student_email)
    page.get_by_label("Exam").select_option(label="Tides check")
    page.get_by_label("Time factor").fill("1.5")
    page.get_by_role("button", name="Save accommodation").click()
    expect(page.get_by_role("status").filter(has_text="Saved for Ada Student")).to_be_visible()
    given = page.get_by_role("list", name="Accommodations given")
    expect(given).to_contain_text("Tides check: 1.5 times the time")

    learner = signed_in_page(browser, app_server, student_email)
    learner.goto(f"{app_server.url}/exams/{exam_id}")
    expect(learner.get_by_text(re.compile(r"30 minutes"))).to_be_visible()
    learner.get_by_role("button", name="Start exam").click()
    expect(learner).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}$"))
    expect(learner.get_by_role("timer")).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    learner.get_by_role("radio", name="True", exact=True).click()
    expect(learner.get_by_text("✓ Saved")).to_be_visible()
    learner.get_by_role("button", name="Submit exam").click()
    learner.get_by_role("button", name="Submit now").click()
    expect(learner).to_have_url(re.compile(r"/result$"))

    # The teacher's gradebook shows the result, and downloads it.
    page.goto(f"{app_server.url}/teach/courses/{course_id}")
    page.get_by_role("link", name="Gradebook").click()
    expect(
        page.get_by_role("heading", name=re.compile("^Gradebook: Tides"), level=1)
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Ada Student")).to_contain_text("100.0%")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text("utf-8"))))
    assert any("Ada Student" in row and "100.0" in row for row in rows)
