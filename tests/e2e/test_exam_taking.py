"""A student takes an exam of every question type in Chromium, reloads in the middle, submits,
and sees the score; the essay waits for the teacher. Another does it with the keyboard alone
(Tab and Shift+Tab, arrow keys in a radio group, Space, Enter), the focus visible at every stop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.exam_world import course_with_exam
from tests.e2e.exam_world import expect_saved as _saved
from tests.e2e.exam_world import question as _question
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e


def test_a_student_takes_an_exam_with_a_reload_and_sees_the_score(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher_email, student_email = f"t-{unique}@example.com", f"s-{unique}@example.com"
    teacher = account(teacher_email, "Tess Teacher", "teacher")
    student = account(student_email, "Ada Student", "student")
    course_id, exam_id = course_with_exam(teacher, student)

    page = signed_in_page(browser, app_server, student_email)
    page.goto(f"{app_server.url}/courses/{course_id}")
    page.get_by_role("link", name="Python check").click()
    expect(page.get_by_role("heading", name="Python check", level=1)).to_be_visible()
    expect(page.get_by_text("6 questions · 30 minutes · unlimited attempts")).to_be_visible()
    page.get_by_role("button", name="Start exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}$"))
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    _question(page, 1).get_by_role("radio", name="float").click()
    _saved(page, 1)
    # Controlled by the server's state: click, then wait for the round trip.
    for option in ("for", "while"):
        box = _question(page, 2).get_by_role("checkbox", name=option)
        box.click()
        expect(box).to_be_checked()
    _saved(page, 2)
    _question(page, 3).get_by_label("Your answer", exact=True).fill("  Type ")
    _saved(page, 3)
    numeric = _question(page, 4).get_by_label("Your answer (a number)", exact=True)
    numeric.fill("ten")
    expect(_question(page, 4).get_by_role("alert")).to_contain_text("Enter a number")
    numeric.fill("10")
    _saved(page, 4)
    _question(page, 5).get_by_label("Your essay", exact=True).fill("Tests catch regressions.")
    _saved(page, 5)
    _question(page, 6).get_by_role("radio", name="True").click()
    _saved(page, 6)

    page.reload()  # a lost connection or a reload loses nothing
    expect(_question(page, 1).get_by_role("radio", name="float")).to_be_checked()
    expect(_question(page, 2).get_by_role("checkbox", name="while")).to_be_checked()
    expect(_question(page, 4).get_by_label("Your answer (a number)", exact=True)).to_have_value(
        "10"
    )
    expect(_question(page, 5).get_by_label("Your essay", exact=True)).to_have_value(
        "Tests catch regressions."
    )
    expect(page.get_by_text("6 of 6 answered")).to_be_visible()

    page.get_by_role("button", name="Submit exam").click()
    page.get_by_role("button", name="Submit now").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}/result$"))
    summary = page.get_by_role("status").filter(has_text="Score")
    expect(summary).to_contain_text("Score 5 of 7 points")
    expect(summary).to_contain_text("Awaiting grading")
    expect(page.get_by_text("A decimal point makes a")).to_be_visible()
    expect(page.get_by_text("Awaiting grading").last).to_be_visible()

    page.goto(f"{app_server.url}/exams/{exam_id}")
    expect(page.get_by_role("link", name="Results of attempt 1")).to_be_visible()


# The focus indicator of the focused element: an outline on it, on its ::before or ::after
# (where Radix draws a radio's or checkbox's ring) or, for a text field, on the field's box
# around the input. Only outlines count: a box shadow may be there without focus (Radix draws
# the classic variants' borders with one), so it would prove nothing.
FOCUS_INDICATOR = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing is focused";
  const ring = (style) => style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const drawn = (node) =>
    [null, "::before", "::after"].some((pseudo) => ring(getComputedStyle(node, pseudo)));
  const field = ["INPUT", "TEXTAREA"].includes(el.tagName) ? el.parentElement : null;
  if (drawn(el) || (field && drawn(field))) return "";
  const name = el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40);
  const tag = el.tagName.toLowerCase();
  return `no visible focus on <${tag}> "${name}": ${el.outerHTML.slice(0, 200)}`;
}
"""
MAX_TABS = 80


def _focus_is_visible(page: Page) -> None:
    problem = page.evaluate(FOCUS_INDICATOR)
    assert not problem, problem


def _tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until `target` has the focus, checking at every stop that the
    focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        _focus_is_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {key} in {MAX_TABS} presses")


def test_a_student_takes_an_exam_with_the_keyboard_alone(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    teacher = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    student_email = f"s-{unique}@example.com"
    student = account(student_email, "Kim Keys", "student")
    _, exam_id = course_with_exam(teacher, student)
    page = signed_in_page(browser, app_server, student_email)
    page.goto(f"{app_server.url}/exams/{exam_id}")
    expect(page.get_by_role("heading", name="Python check", level=1)).to_be_visible()

    _tab_to(page, page.get_by_role("button", name="Start exam"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}$"))
    expect(_question(page, 1)).to_be_visible()

    # Single choice: Tab enters the group, the arrow keys move and choose.
    _tab_to(page, _question(page, 1).get_by_role("radio", name="int"))
    # Held as a person holds a key: Radix moves the focus in a timer after the keydown and
    # checks the radio only if the arrow is still down then, which a zero-length press on a
    # busy machine is not.
    page.keyboard.press("ArrowDown", delay=80)
    _focus_is_visible(page)
    expect(_question(page, 1).get_by_role("radio", name="float")).to_be_checked()
    _saved(page, 1)
    # Multiple choice: Space ticks the focused box.
    for option in ("for", "while"):
        box = _question(page, 2).get_by_role("checkbox", name=option)
        _tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    _saved(page, 2)
    # Short answer, numeric, essay: typed.
    _tab_to(page, _question(page, 3).get_by_label("Your answer", exact=True))
    page.keyboard.type("type")
    _saved(page, 3)
    _tab_to(page, _question(page, 4).get_by_label("Your answer (a number)", exact=True))
    page.keyboard.type("10")
    _saved(page, 4)
    _tab_to(page, _question(page, 5).get_by_label("Your essay", exact=True))
    page.keyboard.type("Tests catch regressions before users do.")
    _saved(page, 5)
    # True/false: Space chooses the focused answer.
    _tab_to(page, _question(page, 6).get_by_role("radio", name="True"))
    page.keyboard.press("Space")
    expect(_question(page, 6).get_by_role("radio", name="True")).to_be_checked()
    _saved(page, 6)
    # Back up to the essay with Shift+Tab and forward again: nothing is changed by it.
    _tab_to(page, _question(page, 5).get_by_label("Your essay", exact=True), backwards=True)
    expect(page.get_by_text("6 of 6 answered")).to_be_visible()

    _tab_to(page, page.get_by_role("button", name="Submit exam"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog", name="Submit this attempt?")
    expect(dialog).to_be_visible()
    _tab_to(page, dialog.get_by_role("button", name="Submit now"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]{36}/result$"))
    expect(page.get_by_role("status").filter(has_text="Score")).to_contain_text(
        "Score 5 of 7 points"
    )
