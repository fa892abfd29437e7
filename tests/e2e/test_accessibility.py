"""axe-core scans every page kind, as a visitor, a student and a teacher, in light and dark mode,
with a hovered link and a focused control as well as at rest: 0 critical and 0 serious
violations (`tests/e2e/axe.py`)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import RunningApp
from tests.e2e.page_kinds import every_page_kind, open_tab
from tests.e2e.people import PASSWORD

pytestmark = pytest.mark.e2e

COLOUR_MODES = ("light", "dark")
MAIL_WAIT_S = 30


def _scan(page: Page, url: str, name: str, ready: str, colour_mode: str) -> list[str]:
    """Open `url`, wait for its level-1 heading `ready`, check the colour mode took, and scan at
    rest, with the page's first link hovered, and with a control focused from the keyboard."""
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile(ready), level=1).first).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(rf"\b{colour_mode}\b"))
    page.wait_for_load_state("networkidle")
    label = f"{name} ({colour_mode})"
    found = serious_violations(page, label)
    links = page.get_by_role("main").get_by_role("link")
    (links if links.count() else page.get_by_role("link")).first.hover()
    found += serious_violations(page, f"{label}, a link hovered")
    page.mouse.move(0, 0)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    found += serious_violations(page, f"{label}, a control focused")
    return found


def _sign_up_and_wait_for_the_mail(page: Page, url: str, email: str) -> None:
    """Sign up through the form, then reload the dev mailbox until the verification mail (sent
    by the app's job worker) is there, as an article named by its subject."""
    page.goto(url + "/sign-up")
    page.get_by_label("Display name").fill("Nova Student")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").filter(has_text="Check your inbox")).to_be_visible()
    mail = page.get_by_role("article").filter(has_text=email)
    deadline = time.monotonic() + MAIL_WAIT_S
    while time.monotonic() < deadline:
        page.goto(url + "/dev/mailbox")
        expect(page.get_by_role("heading", name="Dev mailbox", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        if mail.count():
            expect(mail.first).to_have_accessible_name(re.compile(r"\S"))  # its subject
            return
        time.sleep(1)
    pytest.fail(f"no mail to {email} in the dev mailbox within {MAIL_WAIT_S}s")


@pytest.mark.parametrize("colour_mode", COLOUR_MODES)
def test_every_page_kind_has_no_serious_violations(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str, colour_mode: str
) -> None:
    world = every_page_kind(unique)
    url = app_server.url

    found: list[str] = []
    visitor = open_tab(browser, app_server, color_scheme=colour_mode)
    for path, name, heading in [
        ("/", "catalogue", "Courses"),
        ("/sign-in", "sign-in", "Sign in"),
        ("/sign-up", "sign-up", "Create"),
        (f"/courses/{world.course_id}", "course", "Python"),
        ("/search?q=loops", "search", "Search"),
        (world.share_path, "share page", "Loops"),
    ]:
        found += _scan(visitor, url + path, name, heading, colour_mode)
    _sign_up_and_wait_for_the_mail(visitor, url, f"new-{colour_mode}-{unique}@example.com")
    found += serious_violations(visitor, f"dev mailbox with a message ({colour_mode})")
    found += _scan(visitor, url + "/dev/mailbox", "dev mailbox", "Dev mailbox", colour_mode)
    # The navbar's hover state, which axe flagged at 2.4:1.
    visitor.goto(url + "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").hover()
    found += serious_violations(visitor, f"navbar link hovered ({colour_mode})")

    student = open_tab(browser, app_server, world.student_email, color_scheme=colour_mode)
    for path, name, heading in [
        ("/my-courses", "my courses", "My courses"),
        (f"/courses/{world.course_id}/lessons/{world.lesson_id}", "lesson", "Loops"),
        (f"/courses/{world.course_id}/ask", "tutor", "Ask the tutor"),
        (f"/exams/{world.exam_id}", "exam intro", "Python check"),
        (f"/attempts/{world.open_attempt_id}", "exam taking", "Python check"),
        (f"/attempts/{world.submitted_attempt_id}/result", "exam result", "Python check"),
        ("/dashboard", "student dashboard", "My progress"),
        ("/review", "review", "Review"),
    ]:
        found += _scan(student, url + path, name, heading, colour_mode)

    teacher = open_tab(browser, app_server, world.teacher_email, color_scheme=colour_mode)
    course = f"/teach/courses/{world.course_id}"
    for path, name, heading in [
        ("/teach", "teaching", "Teaching"),
        (course, "course editor", "Python"),
        (f"{course}/lessons/{world.lesson_id}", "lesson editor", "Loops|Edit"),
        (f"{course}/exams", "question editor", "Questions"),
        (f"{course}/exams/{world.exam_id}", "exam editor", "Python check|Edit"),
        (f"{course}/dashboard", "teacher dashboard", "Python"),
        (f"{course}/cards", "flashcards", "Flashcards"),
        (f"{course}/accommodations", "accommodations", "Accommodations"),
        (f"{course}/gradebook", "gradebook", "Gradebook"),
        ("/teach/grading", "grading", "Grading"),
        ("/teach/links", "share links", "Share links"),
    ]:
        found += _scan(teacher, url + path, name, heading, colour_mode)
    assert not found, "axe found:\n" + "\n".join(found)
