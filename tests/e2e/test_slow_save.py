"""Saving a lesson while another transaction holds its row: the page says "Still saving…" once
the save has taken two seconds, then that the database was busy and nothing was changed;
nothing is half-written, and the same save works once the lock is gone."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.models.content import Lesson
from learning_app.services.courses import authoring, lessons
from learning_app.state.calls import BUSY_MESSAGE
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def _lesson(token: str) -> tuple[str, str]:
    with session_scope() as session:
        course = authoring.create_course(session, token=token, title="Busy", description="")
        lesson = lessons.create_lesson(
            session, token=token, course_id=course.id, title="Loops", body_markdown="Old text."
        )
    return course.id, lesson.id


def _body(lesson_id: str) -> str:
    with session_scope() as session:
        lesson = session.get(Lesson, lesson_id)
        assert lesson is not None
        return lesson.body_markdown


def test_a_save_behind_a_held_lock_shows_progress_then_a_clear_failure(
    app_server: RunningApp, browser: Browser, unique: str
) -> None:
    email = f"t-{unique}@example.com"
    course_id, lesson_id = _lesson(account(email, "Tess Teacher", "teacher"))
    page = signed_in_page(browser, app_server, email)
    page.goto(f"{app_server.url}/teach/courses/{course_id}/lessons/{lesson_id}")
    body = page.get_by_label("Lesson text (Markdown)", exact=True)
    expect(body).to_have_value("Old text.")
    body.fill("New text.")
    still = page.get_by_role("status").filter(has_text="Still saving…")
    with get_engine().connect() as other:
        # Another transaction holds the lesson's row, as a long import or a busy database would.
        other.execute(text("SELECT id FROM lesson WHERE id = :id FOR UPDATE"), {"id": lesson_id})
        clicked = time.monotonic()
        page.get_by_role("button", name="Save lesson").click()
        expect(still).to_be_visible(timeout=10_000)
        assert time.monotonic() - clicked >= 1.9  # a quick save never flashes it
        # The app's interactive lock timeout (5 s by default) ends the wait.
        expect(page.get_by_role("alert")).to_contain_text(BUSY_MESSAGE, timeout=15_000)
        expect(still).to_have_count(0)
        expect(page.get_by_role("button", name="Save lesson")).to_be_enabled()
        assert _body(lesson_id) == "Old text."  # nothing half-written
        other.rollback()

    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_role("status")).to_contain_text("The lesson is saved.")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert _body(lesson_id) == "New text."
