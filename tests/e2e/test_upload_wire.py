"""Uploads attacked over the wire, as the probe of issue 15 did: a raw `POST /_upload` naming the
course editor's upload handler, with the client token of a real tab (opened in Chromium), cut
off part-way. A tab that may not upload gets nothing spooled; a dropped connection leaves no
temporary file and nothing stored; a teacher's tab never stays "uploading".
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from learning_app.adapters.postgres import session_scope
from learning_app.pages.material.sections import (
    INTERRUPTED,
    STALLED,
    UPLOAD_IDLE_TIMEOUT_S,
    MaterialState,
)
from learning_app.services.courses import authoring, reading
from learning_app.services.material.spool import SPOOL_PREFIX, spool_dir
from tests.e2e.conftest import RunningApp
from tests.e2e.people import account, signed_in_page
from tests.integration.material.helpers import stored, upload

pytestmark = pytest.mark.e2e

HANDLER = f"{MaterialState.get_full_name()}.upload"
MiB = 1024 * 1024
# A PNG of 1x1 pixel: a course file that is ready at once, so students see the material list.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


class RawUpload:
    """One multipart `POST /_upload` of a text file of `size` bytes, sent as the test says."""

    def __init__(self, backend_url: str, token: str, size: int) -> None:
        address = urlsplit(backend_url)
        boundary = uuid.uuid4().hex
        part = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            'filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        self.body = part + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
        self.sent = 0
        self.sock = socket.create_connection((address.hostname, address.port), timeout=10)
        self.sock.sendall(
            (
                f"POST /_upload HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Reflex-Client-Token: {token}\r\nReflex-Event-Handler: {HANDLER}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n"
            ).encode()
        )

    def send(self, size: int) -> bool:
        """Send the next `size` bytes of the body; False once the server stopped taking them."""
        end = min(len(self.body), self.sent + size)
        try:
            while self.sent < end:
                step = min(end, self.sent + 64 * 1024)
                self.sock.sendall(self.body[self.sent : step])
                self.sent = step
        except OSError:  # the server answered and closed
            return False
        return True

    def status(self) -> int:
        """The HTTP status the server answered with."""
        return int(self.sock.recv(4096).split(b" ", 2)[1])

    def drop(self) -> None:
        """Go away mid-body, as a closed laptop or a killed tab does."""
        self.sock.close()


@contextmanager
def spool_watch() -> Iterator[set[str]]:
    """Every upload spool file seen in the spool folder while the block runs (polled every few
    milliseconds: a spooled upload lives for as long as its bytes arrive)."""
    seen: set[str] = set()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.update(p.name for p in spool_dir().glob(f"{SPOOL_PREFIX}*"))
            time.sleep(0.005)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        done.set()
        watcher.join()


def spooled_now() -> list[str]:
    return [p.name for p in spool_dir().glob(f"{SPOOL_PREFIX}*")]


def tab_token(page: Page) -> str:
    """The client token Reflex keeps for this tab: what its own uploads send."""
    return str(page.wait_for_function("() => window.sessionStorage.getItem('token')").json_value())


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def course(unique: str) -> tuple[str, str]:
    """A published course with one ready picture; returns (teacher's email, course id)."""
    email = f"t-{unique}@example.com"
    token = account(email, "Tess", "teacher")
    with session_scope() as session:
        course_id = str(
            authoring.create_course(
                session, token=token, title=f"Tides {unique}", description="Seas."
            ).id
        )
        authoring.publish_course(session, token=token, course_id=course_id)
    upload(token, course_id, "chart.png", PNG)
    return email, course_id


def test_a_visitor_upload_cut_off_mid_body_spools_nothing_and_stores_nothing(
    page: Page, app_server: RunningApp, course: tuple[str, str]
) -> None:
    _, course_id = course
    page.goto(f"{app_server.url}/teach/courses/{course_id}")  # a signed-out visitor's tab
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    before = stored(course_id)
    with spool_watch() as seen:
        attack = RawUpload(app_server.backend_url, tab_token(page), 20 * MiB)
        attack.send(2 * MiB)
        attack.drop()
        time.sleep(1.0)  # what the server does after the drop
    assert seen == set() and spooled_now() == []
    assert stored(course_id) == before


def test_a_student_tabs_upload_is_refused_before_a_byte_is_spooled(
    browser: Browser, app_server: RunningApp, course: tuple[str, str], unique: str
) -> None:
    _, course_id = course
    email = f"s-{unique}@example.com"
    with session_scope() as session:
        reading.enroll(session, token=account(email, "Sam", "student"), course_id=course_id)
    student = signed_in_page(browser, app_server, email)
    student.goto(f"{app_server.url}/courses/{course_id}")
    expect(student.get_by_role("list", name="Course material")).to_contain_text("chart.png")
    before = stored(course_id)
    with spool_watch() as seen:
        attack = RawUpload(app_server.backend_url, tab_token(student), 1 * MiB)
        attack.send(256 * 1024)
        # Still sending, and already refused: the tab says why, and nothing was spooled.
        refused = student.get_by_role("alert").filter(has_text="Only the course's teachers")
        expect(refused).to_be_visible()
        assert seen == set()
        attack.send(len(attack.body))
        assert attack.status() == 400
    assert seen == set() and spooled_now() == []
    assert stored(course_id) == before


def test_a_teachers_upload_that_drops_leaves_no_file_and_ends_with_a_message(
    browser: Browser, app_server: RunningApp, course: tuple[str, str]
) -> None:
    email, course_id = course
    teacher = signed_in_page(browser, app_server, email)
    teacher.goto(f"{app_server.url}/teach/courses/{course_id}")
    expect(teacher.get_by_role("heading", name="Course material")).to_be_visible()
    before = stored(course_id)
    attack = RawUpload(app_server.backend_url, tab_token(teacher), 20 * MiB)
    assert attack.send(2 * MiB)
    # The tab shows the upload in progress, and the server is spooling it.
    expect(teacher.get_by_label("Upload progress")).to_be_visible()
    wait_until(lambda: any(p.stat().st_size > MiB for p in spool_dir().glob(f"{SPOOL_PREFIX}*")))
    attack.drop()
    # The message needs the tab's state, which in production may be leased to the worker
    # holding the tab's websocket (not the one the upload reached): on a busy machine that
    # hand-over has taken more than the default 5 s. And once in a CI run (2026-12-05) the
    # server did not see the close within 20 s at all: an upload it hears nothing more from
    # ends after UPLOAD_IDLE_TIMEOUT_S with STALLED instead, which is the same promise (no
    # file, a message), so either message ends the test, within the idle limit.
    alert = teacher.get_by_role("alert").filter(
        has_text=re.compile(f"{re.escape(INTERRUPTED)}|{re.escape(STALLED)}")
    )
    expect(alert).to_be_visible(timeout=(UPLOAD_IDLE_TIMEOUT_S + 20) * 1000)
    expect(teacher.get_by_label("Upload progress")).to_be_hidden()
    expect(teacher.get_by_role("button", name="Upload", exact=True)).to_be_enabled()
    wait_until(lambda: spooled_now() == [])
    assert stored(course_id) == before
