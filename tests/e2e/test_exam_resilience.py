"""An exam in progress survives a reload and a network blip.

- Reload: the countdown's first text is the server's figure (not blank, not the figure of the
  last saved answer) and it never goes up.
- Network blip: the page's websocket is cut for 10 s (see `EventSocketCut`) while the student
  answers; the page says it is offline and then back, every answer reaches the server (Reflex
  queues events while its socket is down and sends them on reconnect), the student is still
  signed in although Reflex gives the tab a new token and a fresh state on that reconnect
  (reflex-dev/reflex#6345), and the deadline is unchanged.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

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


def _student_in_exam(
    app: RunningApp,
    browser: Browser,
    unique: str,
    *,
    cut: bool = False,
    server_notices: bool = False,
) -> tuple[Page, str, str, EventSocketCut | None]:
    """A signed-in student's page open on a fresh attempt of the six-question exam; returns
    the page, the student's session token (for the services) and the attempt's id."""
    teacher = account(f"t-{unique}@example.com", "Tess Teacher", "teacher")
    student_email = f"s-{unique}@example.com"
    student = account(student_email, "Ada Student", "student")
    _, exam_id = course_with_exam(teacher, student, minutes=10)
    attempt_id = begin_attempt(student, exam_id)
    page = signed_in_page(browser, app, student_email)
    page.add_init_script(RECORD_COUNTDOWN)
    switch = EventSocketCut(page, server_notices=server_notices) if cut else None
    page.goto(f"{app.url}/attempts/{attempt_id}")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(09|10):\d\d$"))
    return page, student, attempt_id, switch


class EventSocketCut:
    """Cuts the page's Reflex websocket (`/_event/`) the way a network blip does.

    Chromium's offline emulation (`context.set_offline`, CDP `Network.emulateNetworkConditions`)
    fails new requests but leaves an open websocket working (seen here: Chromium 156 kept it
    open and delivered events through a 10 s "offline"), so the socket is routed through
    Playwright and its page side closed. Unless `server_notices`, its server side is left
    open, as after a real blip the server notices a dead client only when its pings go
    unanswered (Reflex's ping timeout is 120 s): the reconnect then arrives while the server
    still links the tab's token to the old connection, which is when Reflex hands out a new
    token and a fresh state (reflex-dev/reflex#6345). Reconnect attempts during the cut are
    held unanswered and connected when it ends.
    """

    def __init__(self, page: Page, *, server_notices: bool = False) -> None:
        self.page = page
        self.server_notices = server_notices
        self.cut = False
        self.open: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        self.waiting: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/_event/"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        if self.cut:
            # Held like a connection attempt whose packets go nowhere, until the network is
            # back. (Closing it at once is a clean close before the handshake, which the
            # socket.io client only notices at its 20 s connect timeout.)
            self.waiting.append(socket)
        else:
            self._connect(socket)

    def _connect(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        # Handlers on both sides stop Playwright forwarding a close from one to the other.
        socket.on_close(lambda code, reason: None)
        server.on_close(lambda code, reason: None)
        self.open.append((socket, server))

    def start(self) -> None:
        self.cut = True
        self.page.context.set_offline(True)  # the browser reports it: navigator.onLine
        for socket, server in self.open:
            socket.close(code=1001, reason="network down")
            if self.server_notices:
                server.close(code=1001, reason="network down")
        self.open.clear()

    def end(self) -> None:
        self.cut = False
        self.page.context.set_offline(False)
        for socket in self.waiting:
            self._connect(socket)
        self.waiting.clear()


def _deadline(student: str, attempt_id: str) -> float:
    view = server_attempt(student, attempt_id)
    return datetime.fromisoformat(view.deadline_at).timestamp()  # type: ignore[attr-defined]


def test_after_a_reload_the_countdown_shows_the_servers_figure_and_never_goes_up(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    page, student, attempt_id, _ = _student_in_exam(app_server, browser, unique)
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


BLIP_S = 10


# The server either has not noticed the cut when the tab reconnects (its ping timeout is
# minutes: Reflex then gives the tab a new token and a fresh state), or it has (the same token
# and state carry on).
@pytest.mark.parametrize("server_notices", [False, True], ids=["server-unaware", "server-notices"])
def test_answers_given_during_a_network_blip_reach_the_server(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str, server_notices: bool
) -> None:
    page, student, attempt_id, switch = _student_in_exam(
        app_server, browser, unique, cut=True, server_notices=server_notices
    )
    assert switch is not None
    deadline_before = _deadline(student, attempt_id)
    question(page, 1).get_by_role("radio", name="float").click()
    expect_saved(page, 1)

    switch.start()
    cut_at = time.monotonic()
    expect(page.get_by_role("status").filter(has_text="You are offline")).to_have_text(
        "You are offline: answers will be sent when the connection returns."
    )
    q2 = question(page, 2)
    q2.get_by_role("checkbox", name="for").click()
    q2.get_by_role("checkbox", name="while").click()
    question(page, 3).get_by_label("Your answer", exact=True).fill("type")
    question(page, 4).get_by_label("Your answer (a number)", exact=True).fill("10")
    true = question(page, 6).get_by_role("radio", name="True")
    true.click()
    expect(true).to_be_checked()  # shown at once, while it waits to be sent
    expect(q2.get_by_role("checkbox", name="while")).to_be_checked()
    page.wait_for_timeout(max(0.0, BLIP_S - (time.monotonic() - cut_at)) * 1000)
    # Nothing given during the cut reached the server (the cut is real).
    offline_view = server_attempt(student, attempt_id)
    assert [q.answered for q in offline_view.questions] == [True] + [False] * 5  # type: ignore[attr-defined]
    switch.end()

    expect(page.get_by_role("status").filter(has_text="back online")).to_be_visible()
    for number in (2, 3, 4, 6):
        expect_saved(page, number)
    expect(page.get_by_role("button", name="Account menu for Ada Student")).to_be_visible()

    view = server_attempt(student, attempt_id)
    answers = {q.number: q for q in view.questions}  # type: ignore[attr-defined]
    bodies = {o.id: o.body for q in answers.values() for o in q.options}
    assert [bodies[o] for o in answers[1].selected_option_ids] == ["float"]
    assert sorted(bodies[o] for o in answers[2].selected_option_ids) == ["for", "while"]
    assert answers[3].text == "type"
    assert [bodies[o] for o in answers[6].selected_option_ids] == ["True"]
    assert answers[4].value == "10"  # saved as a number: the state knew the question's type
    assert not answers[5].answered
    assert _deadline(student, attempt_id) == deadline_before
    figures = [_seconds(str(entry["text"])) for entry in page.evaluate("window.__countdown")]
    assert figures == sorted(figures, reverse=True), f"the countdown went up: {figures}"
    page.context.close()
