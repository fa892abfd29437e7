"""A teacher drafts questions from a lesson with the language model in Chromium, adds one to
the bank as it is, discards one, and edits another in the question form before saving it:
nothing reaches the bank without a click."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.questions import Question, QuestionOrigin
from learning_app.services.courses import authoring, lessons
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def test_a_teacher_reviews_drafted_questions_before_they_enter_the_bank(
    browser: Browser, app_server: RunningApp, unique: str
) -> None:
    email = f"t-{unique}@example.com"
    teacher = account(email, "Tess Teacher", "teacher")
    with session_scope() as session:
        course = authoring.create_course(session, token=teacher, title="Oceans", description="")
        lessons.create_lesson(
            session,
            token=teacher,
            course_id=course.id,
            title="Tides",
            body_markdown="The moon's gravity pulls on the oceans: two high tides a day.",
        )

    page = signed_in_page(browser, app_server, email)
    page.goto(f"{app_server.url}/teach/courses/{course.id}/exams")
    expect(page.get_by_role("heading", name="Draft questions with AI")).to_be_visible()
    page.get_by_label("Draft from").select_option(label="Lesson: Tides")
    page.get_by_label("How many").select_option("2")
    page.get_by_role("button", name="Draft questions").click()
    # Each draft is an item of this list (its options are a list of their own, inside it).
    drafts = page.get_by_role("list", name="Drafted questions").locator("> li")
    expect(drafts).to_have_count(2, timeout=30_000)
    expect(page.get_by_role("status").filter(has_text="2 drafts from “Tides”")).to_be_visible()
    expect(drafts.first).to_contain_text("✓ The moon")
    bank = page.get_by_role("list", name="Questions", exact=True).get_by_role("listitem")
    expect(bank).to_have_count(0)

    page.get_by_role("button", name="Add draft 1 to the bank").click()
    expect(bank).to_have_count(1)
    expect(bank.first).to_contain_text("What pulls on the oceans?")
    expect(drafts).to_have_count(1)

    page.get_by_role("button", name="Draft questions").click()  # two more: one is discarded
    expect(drafts).to_have_count(3, timeout=30_000)
    page.get_by_role("button", name="Discard draft 1").click()
    expect(drafts).to_have_count(2)
    expect(bank).to_have_count(1)

    page.get_by_role("button", name="Edit draft 1 in the question form").click()
    prompt = page.get_by_label("Question", exact=True)
    expect(prompt).to_have_value("Most coasts see two high tides a day.")
    prompt.fill("Most coasts see two high tides every day.")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question is saved.")).to_be_visible()
    expect(bank).to_have_count(2)
    expect(drafts).to_have_count(1)  # the draft left for later stays on the page
    with session_scope() as session:  # kept as it was or edited first, no teacher wrote them
        mine = Question.course_id == uuid.UUID(course.id)
        assert (
            session.exec(select(Question.origin).where(mine)).all() == [QuestionOrigin.DRAFTED] * 2
        )
