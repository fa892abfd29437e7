"""Reviews in Chromium: a student reviews three flashcards with the keyboard only (Space shows
the answer, a digit rates it), the dashboard shows the reviews and the day, and leaving the
course empties the queue."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

FRONTS = ("Osmosis", "Diffusion", "Active transport")


def _course_with_cards(teacher: str, student: str) -> str:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring, reading
    from learning_app.services.review.flashcards import create_flashcard

    with session_scope() as session:
        course = authoring.create_course(
            session, token=teacher, title=f"Cells {uuid.uuid4().hex[:6]}", description=""
        )
        for front in FRONTS:
            create_flashcard(
                session,
                token=teacher,
                course_id=course.id,
                front=f"What is **{front.lower()}**?",
                back=f"{front}: how things cross a membrane.",
            )
        authoring.publish_course(session, token=teacher, course_id=course.id)
        reading.enroll(session, token=student, course_id=course.id)
    return course.id


def test_a_student_reviews_three_cards_with_the_keyboard(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    student_email = f"s-{unique}@example.com"
    teacher = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id = _course_with_cards(teacher, student)

    page = signed_in_page(browser, app_server, student_email)
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", name="Review", level=1)).to_be_visible()
    item = page.get_by_role("region", name="Review item")
    expect(item.get_by_role("status")).to_have_text("3 items left")
    for n, front in enumerate(FRONTS):
        expect(item.get_by_text(f"What is {front.lower()}?")).to_be_visible()
        expect(page.get_by_role("button", name="Show answer (Space)")).to_be_focused()
        page.keyboard.press("Space")
        expect(item.get_by_text(f"{front}: how things cross a membrane.")).to_be_visible()
        rating = page.get_by_role("group", name="How well did you know it?")
        expect(rating.get_by_role("button", name="Easy (4)")).to_be_visible()
        page.keyboard.press("4")
        remaining = len(FRONTS) - n - 1
        if remaining:
            left = f"{remaining} item{'s' if remaining > 1 else ''} left"
            expect(item.get_by_role("status")).to_have_text(left)
    summary = page.get_by_role("status").filter(has_text="Session complete")
    expect(summary).to_contain_text("You reviewed 3 items")

    from learning_app.services.progress.events import flush_events

    flush_events()
    page.get_by_role("link", name="See your progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(page.get_by_role("group", name="Reviews done", exact=True)).to_contain_text("3")
    expect(page.get_by_role("group", name="Due today", exact=True)).to_contain_text("0")
    expect(page.get_by_role("group", name="Streak", exact=True)).to_contain_text("1 day")
    expect(
        page.get_by_role("img", name=re.compile(r"^Review days: 1 day with reviews"))
    ).to_be_visible()

    # Leaving the course takes its cards out of the queue (they were not due today anyway).
    page.goto(f"{app_server.url}/courses/{course_id}")
    page.get_by_role("button", name="Leave course").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Leave").click()
    expect(page.get_by_role("button", name="Enrol in this course")).to_be_visible()
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", name="Nothing to review today")).to_be_visible()
