"""Item analysis in Chromium: a teacher picks an exam on the course dashboard and reads its
questions' figures, flags, option picks and the alpha note, by accessible names; axe finds no
serious violation in the section."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _exam_taken(teacher: str, students: list[str]) -> str:
    """A course with a two-question exam that every student submits (all right on Q1, all
    wrong on Q2); returns the course id."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking
    from learning_app.services.courses import authoring as courses_authoring
    from learning_app.services.courses import reading
    from learning_app.services.exams import authoring as exams_authoring
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank as question_bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    with session_scope() as session:
        course = courses_authoring.create_course(
            session, token=teacher, title=f"Items {uuid.uuid4().hex[:6]}", description=""
        )
        questions = [
            question_bank.create_question(
                session,
                token=teacher,
                course_id=course.id,
                draft=QuestionDraft(
                    type="single_choice",
                    prompt=prompt,
                    options=[OptionDraft("yes", True), OptionDraft("no")],
                ),
            )
            for prompt in ("Is water wet?", "Is the sun cold?")
        ]
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course.id,
            draft=ExamDraft(
                title="Facts quiz",
                type="practice",
                questions=[ExamQuestionDraft(q.id) for q in questions],
            ),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        courses_authoring.publish_course(session, token=teacher, course_id=course.id)
    for student in students:
        with session_scope() as session:
            reading.enroll(session, token=student, course_id=course.id)
            view = taking.start_attempt(session, token=student, exam_id=exam.id)
        for question, body in zip(questions, ("yes", "no"), strict=True):
            option = next(o.id for o in question.options if o.body == body)
            with session_scope() as session:
                taking.save_answer(
                    session,
                    token=student,
                    attempt_id=view.attempt_id,
                    question_id=question.id,
                    response={"option_id": option},
                )
        with session_scope() as session:
            taking.submit_attempt(session, token=student, attempt_id=view.attempt_id)
    return course.id


def test_a_teacher_reads_the_item_analysis_of_an_exam(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email = f"t-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    students = [account(f"s{n}-{unique}@example.com", f"Student {n}", "student") for n in range(5)]
    course_id = _exam_taken(teacher, students)

    page = signed_in_page(browser, app_server, teacher_email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}/dashboard")
    expect(page.get_by_role("heading", name="Item analysis")).to_be_visible()
    page.get_by_label("Exam", exact=True).select_option(label="Facts quiz")

    expect(page.get_by_role("group", name="Attempts counted")).to_contain_text("5")
    expect(
        page.get_by_role("img", name="Facility and discrimination per question chart")
    ).to_be_visible()
    first = page.get_by_role("row").filter(has_text="Is water wet?")
    expect(first).to_contain_text("100.0%")
    expect(first).to_contain_text("Too easy: 100% of students got it right")
    second = page.get_by_role("row").filter(has_text="Is the sun cold?")
    expect(second).to_contain_text("Too hard: only 0% of students got it right")
    expect(page.get_by_text("yes (correct): 5 (100.0%)").first).to_be_visible()
    # Every score is 1 of 2: no variance, so no alpha, and the page says why.
    expect(page.get_by_text("Every graded attempt has the same score")).to_be_visible()
    assert_accessible(page, "item analysis")

    page.get_by_role("button", name="Recalculate now").click()
    expect(page.get_by_role("group", name="Attempts counted")).to_contain_text("5")
