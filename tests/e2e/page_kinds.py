"""One of every page kind, for the browser tests that visit them all (accessibility, narrow
screens): a published course with a lesson, an exam with a question of every type, a student's
attempt in progress and a submitted one, and a share link."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.exam_world import question_of_every_type
from tests.e2e.people import PASSWORD, account

LESSON_BODY = (
    "# Loops\n\nA `for` loop repeats:\n\n- once\n- twice\n\n```python\nfor i in x:\n    pass\n```"
)


@dataclass(frozen=True)
class World:
    """What the scanned pages show: one published course with a lesson, a question of every
    type in an exam, a student's attempt in progress and one submitted, and a share link."""

    teacher_email: str
    student_email: str
    course_id: str
    lesson_id: str
    exam_id: str
    question_id: str
    open_attempt_id: str
    submitted_attempt_id: str
    share_path: str


def every_page_kind(unique: str) -> World:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import lessons, reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank
    from learning_app.services.review.flashcards import create_flashcard
    from learning_app.services.sharing.links import create_share_link

    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    drafts = question_of_every_type()
    with session_scope() as session:
        course = courses_authoring.create_course(
            session,
            token=teacher,
            title=f"Python {uuid.uuid4().hex[:6]}",
            description="Variables, **loops** and functions.",
        )
        lesson = lessons.create_lesson(
            session,
            token=teacher,
            course_id=course.id,
            title="Loops",
            body_markdown=LESSON_BODY,
        )
        lessons.publish_lesson(session, token=teacher, lesson_id=lesson.id)
        questions = [
            question_bank.create_question(session, token=teacher, course_id=course.id, draft=d)
            for d in drafts
        ]
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(
                title="Python check",
                time_limit_minutes=30,
                questions=[ExamQuestionDraft(q.id) for q in questions],
            ),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        create_flashcard(
            session, token=teacher, course_id=course.id, front="A `for` loop", back="Repeats."
        )
        courses_authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
        share = create_share_link(
            session,
            token=teacher,
            entity_type="lesson",
            entity_id=lesson.id,
            expires_in_days=7,
        )
    with session_scope() as session:
        submitted = taking.begin_attempt(session, token=student, exam_id=exam.id)
        taking.submit_attempt(session, token=student, attempt_id=submitted)
    with session_scope() as session:
        open_attempt = taking.begin_attempt(session, token=student, exam_id=exam.id)
    return World(
        teacher_email=teacher_email,
        student_email=student_email,
        course_id=course.id,
        lesson_id=lesson.id,
        exam_id=exam.id,
        question_id=questions[0].id,
        open_attempt_id=open_attempt,
        submitted_attempt_id=submitted,
        share_path=share.path,
    )


def open_tab(browser: Browser, app: RunningApp, email: str = "", **context: Any) -> Page:
    """A new tab in its own browser context (`context`: Playwright's options, such as
    `color_scheme` or `viewport`), signed in through the form as `email` if one is given."""
    viewport = context.pop("viewport", None)
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(20_000)
    if email:  # signed in at the default size: on a phone the account menu is behind "Menu"
        page.goto(f"{app.url}/sign-in")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()
    if viewport:
        page.set_viewport_size(viewport)
    return page
