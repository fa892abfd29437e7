"""A teacher opens a course's gradebook in Chromium, by accessible names: filters by name,
sorts by an exam, sees "Pending" (not 0) for an essay awaiting a mark, sets an exam's "Grade
from" in the exam editor, and downloads the CSV built on the server."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _sit(student: str, exam_id: str, right: bool) -> None:
    """Start, answer (every choice right or wrong, an essay written) and submit an attempt."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.attempts import taking

    with session_scope() as session:
        view = taking.start_attempt(session, token=student, exam_id=exam_id)
    for line in view.questions:
        if line.type == "essay":
            response: dict[str, object] = {"text": "Tests catch regressions."}
        else:
            option = next(o for o in line.options if (o.body == "True") == right)
            response = {"option_id": option.id}
        with session_scope() as session:
            taking.save_answer(
                session,
                token=student,
                attempt_id=view.attempt_id,
                question_id=line.question_id,
                response=response,
            )
    with session_scope() as session:
        taking.submit_attempt(session, token=student, attempt_id=view.attempt_id)


def _course(teacher: str, students: dict[str, str], slug: str) -> tuple[str, dict[str, str]]:
    """A published course with "Quiz 1" (one true/false question) and "Essay" (true/false and
    an essay), everyone in `students` enrolled. Returns the course id and the exams' ids."""
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring, reading
    from learning_app.services.exams import authoring as exams
    from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
    from learning_app.services.questions import bank
    from learning_app.services.questions.bank import OptionDraft, QuestionDraft

    true_false = QuestionDraft(
        type="true_false",
        prompt="Tests can run in a browser.",
        options=[OptionDraft("True", True), OptionDraft("False")],
    )
    essay = QuestionDraft(type="essay", prompt="Why test?", points=3)
    with session_scope() as session:
        course = authoring.create_course(
            session, token=teacher, title="Testing 101", description="", slug=slug
        )
        authoring.publish_course(session, token=teacher, course_id=course.id)
        tf_id = bank.create_question(session, token=teacher, course_id=course.id, draft=true_false)
        essay_id = bank.create_question(session, token=teacher, course_id=course.id, draft=essay)
        ids = {}
        for title, questions in (("Quiz 1", [tf_id.id]), ("Essay", [tf_id.id, essay_id.id])):
            draft = ExamDraft(title=title, questions=[ExamQuestionDraft(q) for q in questions])
            exam = exams.save_exam(session, token=teacher, course_id=course.id, draft=draft)
            exams.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
            ids[title] = exam.id
        for token in students.values():
            reading.enroll(session, token=token, course_id=course.id)
    return course.id, ids


def _student_names(page: Page) -> list[str]:
    """The body's row headers, in order (the footer's "Course average" left out)."""
    headers = page.get_by_role("table").locator("tbody").get_by_role("rowheader")
    return [text.split("\n")[0].strip() for text in headers.all_inner_texts()]


def test_a_teacher_filters_sorts_and_downloads_the_gradebook(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email = f"t-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    students = {
        name: account(f"{name.split()[0].lower()}-{unique}@example.com", name, "student")
        for name in ("Ada Lovelace", "Bob Byte", "Cy Nobody")
    }
    slug = f"testing-{unique}"
    course_id, exams = _course(teacher, students, slug)
    _sit(students["Ada Lovelace"], exams["Quiz 1"], right=True)
    _sit(students["Bob Byte"], exams["Quiz 1"], right=False)
    _sit(students["Ada Lovelace"], exams["Essay"], right=True)  # the essay awaits a mark

    page = signed_in_page(browser, app_server, teacher_email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}")
    page.get_by_role("link", name="Gradebook").click()
    expect(page.get_by_role("heading", name="Gradebook: Testing 101", level=1)).to_be_visible()
    expect(page.get_by_text("3 students", exact=True)).to_be_visible()
    assert _student_names(page) == ["Ada Lovelace", "Bob Byte", "Cy Nobody"]

    ada = page.get_by_role("row").filter(has_text="Ada Lovelace")
    expect(ada).to_contain_text("100.0%")
    expect(ada).to_contain_text("Pending")  # the waiting essay: not 0
    expect(page.get_by_role("row").filter(has_text="Bob Byte")).to_contain_text("0.0%")

    page.get_by_label("Filter by name").fill("bob")
    expect(page.get_by_text("1 of 3 students")).to_be_visible()
    assert _student_names(page) == ["Bob Byte"]
    page.get_by_label("Filter by name").fill("")
    expect(page.get_by_text("3 students", exact=True)).to_be_visible()

    quiz_header = page.get_by_role("columnheader").filter(has_text="Quiz 1")
    expect(quiz_header).to_have_attribute("aria-sort", "none")
    page.get_by_role("button", name="Sort by Quiz 1").click()
    expect(quiz_header).to_have_attribute("aria-sort", "ascending")
    assert _student_names(page) == ["Bob Byte", "Ada Lovelace", "Cy Nobody"]  # no attempt last
    page.get_by_role("button", name="Sort by Quiz 1").click()
    expect(quiz_header).to_have_attribute("aria-sort", "descending")
    expect(
        page.get_by_role("table").locator("tbody").get_by_role("rowheader").first
    ).to_contain_text("Ada Lovelace")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"gradebook-{slug}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows == [
        ["Name", "Email", "Quiz 1", "Essay", "Course total", "Exams graded (of 2)"],
        ["Ada Lovelace", f"ada-{unique}@example.com", "100.0", "pending", "100.0", "1"],
        ["Bob Byte", f"bob-{unique}@example.com", "0.0", "", "0.0", "1"],
        ["Cy Nobody", f"cy-{unique}@example.com", "", "", "", "0"],
    ]

    # The exam editor's "Grade from" is saved with the exam and shown in the gradebook.
    page.goto(f"{app_server.url}/teach/courses/{course_id}/exams/{exams['Quiz 1']}")
    grade_from = page.get_by_label("Grade from")
    expect(grade_from).to_have_value("best")
    grade_from.select_option(label="Last attempt")
    page.get_by_role("button", name="Save exam").click()
    expect(page.get_by_text("The exam is saved.")).to_be_visible()
    page.goto(f"{app_server.url}/teach/courses/{course_id}/gradebook")
    expect(page.get_by_role("columnheader").filter(has_text="Quiz 1")).to_contain_text(
        re.compile("Last attempt")
    )
