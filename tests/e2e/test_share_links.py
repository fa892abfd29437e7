"""A teacher shares a lesson from its editor; a visitor with no account opens it in a fresh
browser context; after revocation the same link shows the unavailable page. The dialog starts
at signed-in users for 7 days, and its list shows dates in the teacher's time zone."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

TITLE = 'Loops <img src=x onerror="window.__pwned=1">'
ZONE = "Pacific/Auckland"  # far from UTC, so a date shown in UTC would not match


def _teacher_zone(token: str, zone: str) -> None:
    from sqlmodel import select

    from learning_app.adapters.postgres import session_scope
    from learning_app.models.users import UserProfile
    from learning_app.services.accounts.viewers import viewer_for_session

    with session_scope() as session:
        viewer = viewer_for_session(session, token)
        assert viewer is not None
        profile = session.exec(
            select(UserProfile).where(UserProfile.user_id == uuid.UUID(viewer.user_id))
        ).one()
        profile.timezone = zone
        session.add(profile)


def _day(moment: datetime) -> str:
    """ "Thu 3 Dec", as `services.time_zones.local_moment` starts a date of this year."""
    return f"{moment:%a} {moment.day} {moment:%b}"


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
    token = account(teacher_email, "Tess Teacher", "teacher")
    _teacher_zone(token, ZONE)
    course_id, lesson_id = _published_lesson(token)

    teacher = signed_in_page(browser, app_server, teacher_email)
    teacher.goto(f"{app_server.url}/teach/courses/{course_id}/lessons/{lesson_id}")
    teacher.get_by_role("button", name="Share lesson").click()
    dialog = teacher.get_by_role("dialog")
    # The narrowest choice comes first: signed-in users, for 7 days.
    expect(dialog.get_by_label("Who can open it", exact=True)).to_have_value("signed_in")
    expect(dialog.get_by_label("Expires", exact=True)).to_have_value("7")
    dialog.get_by_label("Who can open it", exact=True).select_option("public")
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
    # Created today and expiring in 7 days, both as dates of the teacher's zone.
    now = datetime.now(ZoneInfo(ZONE))
    table = teacher.get_by_role("dialog").get_by_role("table", name="Share links")
    row = table.get_by_role("row").nth(1)
    expect(row.get_by_role("cell").nth(1)).to_contain_text(re.compile(f"^{_day(now)}, .* NZ"))
    expect(row.get_by_role("cell").nth(2)).to_contain_text("Until " + _day(now + timedelta(days=7)))
    # The button is named by the creation date the table shows.
    created = row.get_by_role("cell").nth(1).inner_text()
    table.get_by_role("button", name=f"Revoke link created {created}").click()
    expect(teacher.get_by_role("dialog").get_by_text("Revoked")).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_role("heading", name="This link is not available")).to_be_visible()
    visitor.goto(f"{app_server.url}/share/{'x' * 43}")
    expect(visitor.get_by_role("heading", name="This link is not available")).to_be_visible()
