"""A teacher shares a lesson from its editor; a visitor with no account opens it in a fresh
browser context; after revocation the same link shows the unavailable page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

TITLE = 'Loops <img src=x onerror="window.__pwned=1">'


def _published_lesson(token: str) -> tuple[str, str]:
    from learning_app.adapters.postgres import session_scope
    from learning_app.services.courses import authoring, lessons

    with session_scope() as session:
        course = authoring.create_course(session, token=token, title="Shared", description="")
        authoring.publish_course(session, token=token, course_id=course.id)
        lesson = lessons.create_lesson(
            session,
            token=token,
            course_id=course.id,
            title=TITLE,
            body_markdown="A `for` loop repeats.",
        )
        lessons.publish_lesson(session, token=token, lesson_id=lesson.id)
    return course.id, lesson.id


def test_a_visitor_opens_a_shared_lesson_until_it_is_revoked(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email = f"t-{unique}@example.com"
    course_id, lesson_id = _published_lesson(account(teacher_email, "Tess Teacher", "teacher"))

    teacher = signed_in_page(browser, app_server, teacher_email)
    teacher.goto(f"{app_server.url}/teach/courses/{course_id}/lessons/{lesson_id}")
    teacher.get_by_role("button", name="Share lesson").click()
    dialog = teacher.get_by_role("dialog")
    dialog.get_by_label("Expires", exact=True).select_option("7")
    dialog.get_by_role("button", name="Create link").click()
    link_box = dialog.get_by_label("New link", exact=True)
    expect(link_box).to_have_value(re.compile(r"/share/[A-Za-z0-9_-]{43}$"))
    link = link_box.input_value()

    visitor = browser.new_context().new_page()  # no account, no cookies
    visitor.set_default_timeout(20_000)
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(visitor.get_by_role("article")).to_contain_text("loop repeats")
    expect(visitor.locator("img[onerror]")).to_have_count(0)
    assert visitor.evaluate("() => window.__pwned") is None
    expect(visitor.get_by_role("link", name="Create a free account and enrol")).to_be_visible()

    teacher.reload()
    teacher.get_by_role("button", name="Share lesson").click()
    expect(teacher.get_by_role("dialog").get_by_text("1 view", exact=True)).to_be_visible()
    teacher.get_by_role("dialog").get_by_role("button", name=re.compile("^Revoke link")).click()
    expect(teacher.get_by_role("dialog").get_by_text("Revoked")).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_role("heading", name="This link is not available")).to_be_visible()
    visitor.goto(f"{app_server.url}/share/{'x' * 43}")
    expect(visitor.get_by_role("heading", name="This link is not available")).to_be_visible()
