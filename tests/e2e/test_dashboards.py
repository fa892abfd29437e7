"""Dashboards in Chromium: a student completes a lesson and an exam and sees XP and the scores
chart change; the teacher sees the course's dashboard; the student cannot open it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _course(teacher: str, student: str) -> tuple[str, str]:
    """A published course with two lessons and a one-question exam; the student is enrolled."""

    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import lessons, reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    with session_scope() as session:
        course = courses_authoring.create_course(
            session, token=teacher, title=f"Charts {uuid.uuid4().hex[:6]}", description=""
        )
        lesson_ids = []
        for title in ("Reading charts", "Drawing charts"):
            lesson = lessons.create_lesson(
                session, token=teacher, course_id=course.id, title=title, body_markdown="# Hi"
            )
            lessons.publish_lesson(session, token=teacher, lesson_id=lesson.id)
            lesson_ids.append(lesson.id)
        question = question_bank.create_question(
            session,
            token=teacher,
            course_id=course.id,
            draft=QuestionDraft(
                type="single_choice",
                prompt="Which axis is horizontal?",
                options=[OptionDraft("x", True), OptionDraft("y")],
            ),
        )
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(title="Axes quiz", questions=[ExamQuestionDraft(question.id)]),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        courses_authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id, lesson_ids[0]


def _flush_and_refresh() -> None:
    """What the jobs do every few seconds/minutes, done now so the test need not wait."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.progress.events import flush_events
    from learning_app.services.progress.rollups import refresh_teacher_views

    flush_events()
    with session_scope() as session:
        refresh_teacher_views(session)


def _tile(page: Page, label: str) -> object:
    return page.get_by_role("group", name=label, exact=True)


def test_a_student_sees_progress_and_the_teacher_sees_the_course(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id, lesson_id = _course(teacher, student)

    page = signed_in_page(browser, app_server, student_email)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(_tile(page, "XP")).to_contain_text("0")
    expect(page.get_by_text("No exam results yet")).to_be_visible()
    expect(page.get_by_text("0 / 2 lessons")).to_be_visible()
    expect(page.get_by_role("link", name="Reading charts")).to_be_visible()  # next lesson

    page.goto(f"{app_server.url}/courses/{course_id}/lessons/{lesson_id}")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("Lesson complete.")).to_be_visible()
    page.goto(f"{app_server.url}/courses/{course_id}")
    page.get_by_role("link", name="Axes quiz").click()
    page.get_by_role("button", name="Start exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}$"))
    radio = page.get_by_role("radio", name="x", exact=True)
    radio.click()
    expect(radio).to_be_checked()
    expect(page.get_by_text("✓ Saved")).to_be_visible()
    page.get_by_role("button", name="Submit exam").click()
    page.get_by_role("button", name="Submit now").click()
    expect(page).to_have_url(re.compile(r"/result$"))

    _flush_and_refresh()
    page.goto(f"{app_server.url}/dashboard")
    expect(_tile(page, "XP")).to_contain_text("62")  # lesson 10 + exam passed 50 + a day 2
    expect(_tile(page, "Streak")).to_contain_text("1 day")
    expect(_tile(page, "Average score")).to_contain_text("100%")
    expect(page.get_by_role("img", name="Recent scores chart")).to_be_visible()
    expect(page.get_by_text("No exam results yet")).to_have_count(0)
    expect(page.get_by_text("1 / 2 lessons")).to_be_visible()
    expect(page.get_by_role("link", name="Drawing charts")).to_be_visible()

    # The student is refused the teacher's dashboard.
    page.goto(f"{app_server.url}/teach/courses/{course_id}/dashboard")
    expect(page.get_by_text("Only the course's teachers can see its dashboard.")).to_be_visible()

    teacher = signed_in_page(browser, app_server, teacher_email)
    teacher.goto(f"{app_server.url}/teach/courses/{course_id}")
    teacher.get_by_role("link", name="Course dashboard").click()
    expect(teacher.get_by_role("heading", name=re.compile("^Dashboard: Charts"))).to_be_visible()
    expect(_tile(teacher, "Students enrolled")).to_contain_text("1")
    for chart in (
        "Enrolments over time",
        "Daily active students",
        "Completion funnel by lesson",
        "Scores: Axes quiz",
        "Hardest questions",
    ):
        expect(teacher.get_by_role("img", name=f"{chart} chart")).to_be_visible()
    expect(teacher.get_by_text("Which axis is horizontal?")).to_be_visible()
