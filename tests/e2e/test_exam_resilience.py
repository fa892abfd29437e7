"""An exam in progress survives a reload and a network blip.

- Reload: the countdown's first text is the server's figure (not blank, not the figure of the
  last saved answer) and it never goes up.
- Blip: see `test_answers_given_during_a_network_blip_reach_the_server`.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.exam_world import (
    begin_attempt,
    course_with_exam,
    expect_saved,
    question,
    server_attempt,
)
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

# Every text the countdown shows, with the wall-clock time it appeared (Date.now(), ms),
# recorded from the first paint of every document: the test reads the page's history rather
# than polling it, so the first paint after a reload cannot slip between two polls.
RECORD_COUNTDOWN = """
(() => {
  window.__countdown = [];
  const record = () => {
    const timer = document.querySelector('[role="timer"]');
    if (!timer) return;
    const text = timer.textContent;
    const last = window.__countdown[window.__countdown.length - 1];
    if (!last || last.text !== text) window.__countdown.push({ at: Date.now(), text });
  };
  new MutationObserver(record).observe(document, {
    childList: true, subtree: true, characterData: true,
  });
})();
"""
WATCH_S = 4


def _seconds(countdown: str) -> int:
    parts = [int(p) for p in countdown.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    return hours * 3600 + minutes * 60 + seconds


def _student_in_exam(app: RunningApp, browser: Browser, unique: str) -> tuple[Page, str, str]:
    """A signed-in student's page open on a fresh attempt of the six-question exam; returns
    the page, the student's session token (for the services) and the attempt's id."""
    teacher = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    student_email = f"s-{unique}@example.com"
    student = account(student_email, "Ada Student", "student")
    _, exam_id = course_with_exam(teacher, student, minutes=10)
    attempt_id = begin_attempt(student, exam_id)
    page = signed_in_page(browser, app, student_email)
    page.add_init_script(RECORD_COUNTDOWN)
    page.goto(f"{app.url}/attempts/{attempt_id}")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(09|10):\d\d$"))
    return page, student, attempt_id


def _deadline(student: str, attempt_id: str) -> float:
    view = server_attempt(student, attempt_id)
    return datetime.fromisoformat(view.deadline_at).timestamp()  # type: ignore[attr-defined]


def test_after_a_reload_the_countdown_shows_the_servers_figure_and_never_goes_up(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    page, student, attempt_id = _student_in_exam(app_server, browser, unique)
    question(page, 1).get_by_role("radio", name="float").click()
    expect_saved(page, 1)
    # Long enough that the figure sent with that save is visibly stale after the reload.
    time.sleep(5)

    page.reload()
    expect(page.get_by_role("timer")).to_be_visible()
    time.sleep(WATCH_S)
    shown: list[dict[str, object]] = page.evaluate("window.__countdown")
    deadline = _deadline(student, attempt_id)

    first = shown[0]
    assert first["text"], f"the countdown's first paint was blank: {shown}"
    true_left = deadline - float(first["at"]) / 1000  # type: ignore[arg-type]
    assert abs(_seconds(str(first["text"])) - true_left) <= 2, (first, true_left)
    figures = [_seconds(str(entry["text"])) for entry in shown]
    assert figures == sorted(figures, reverse=True), f"the countdown went up: {shown}"
    assert figures[0] - figures[-1] >= WATCH_S - 2, f"the countdown did not tick: {shown}"
    page.context.close()
