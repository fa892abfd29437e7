"""Account flows in Chromium, following links through the dev mailbox like a user would."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from learning_app.cli.support import OPLOCK_HOLD_S
from learning_app.services.accounts.sessions import SESSION_COOKIE
from tests.e2e.conftest import PROD, RunningApp
from tests.e2e.people import account, signed_in_page

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def _open_mail_link(page: Page, app: RunningApp, recipient: str, subject: str) -> None:
    """Find the newest message to `recipient` in the dev mailbox and follow its link."""
    page.goto(f"{app.url}/dev/mailbox")
    card = page.get_by_role("article").filter(has_text=recipient).filter(has_text=subject).first
    expect(card).to_be_visible()
    card.get_by_role("link", name=re.compile(r"^http")).first.click()


def _sign_up(page: Page, app: RunningApp, email: str, name: str) -> None:
    page.goto(f"{app.url}/sign-up")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").filter(has_text="Check your inbox")).to_be_visible()


def _sign_in(page: Page, app: RunningApp, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{app.url}/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _expect_no_session_cookie(page: Page, timeout_s: float = 10.0) -> None:
    """The page's post to /session/end has cleared the cookie. The signed-out page can show
    before that post's answer arrives, so this waits for it rather than racing it."""
    deadline = time.monotonic() + timeout_s
    while [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]:
        assert time.monotonic() < deadline, "signing out left the session cookie"
        page.wait_for_timeout(50)


def test_sign_up_verify_sign_out_and_sign_in(
    app_server: RunningApp, clean_db: str, page: Page, unique: str
) -> None:
    email = f"new-{unique}@example.com"
    _sign_up(page, app_server, email, "Nova <b>Student</b>")
    _open_mail_link(page, app_server, email, "Verify")
    expect(page.get_by_text("is verified")).to_be_visible()

    _sign_in(page, app_server, email)
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    menu = page.get_by_role("button", name=re.compile("Account menu"))
    # The display name is shown as text: the markup in it is inert.
    expect(menu).to_have_text("Nova <b>Student</b>")
    # The session cookie was set by the server, HttpOnly: no script on the page reads it...
    (cookie,) = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    # ...and a new tab of the same browser connects signed in.
    other_tab = page.context.new_page()
    other_tab.goto(f"{app_server.url}/")
    expect(other_tab.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()
    other_tab.close()

    menu.click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    _expect_no_session_cookie(page)

    _sign_in(page, app_server, email, "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect")
    _sign_in(page, app_server, email)
    expect(page.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()


def test_magic_link_sign_in(app_server: RunningApp, clean_db: str, page: Page, unique: str) -> None:
    email = f"magic-{unique}@example.com"
    _sign_up(page, app_server, email, "Magic User")
    page.goto(f"{app_server.url}/sign-in")
    page.get_by_role("tab", name="Magic link").click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status").filter(has_text="sign-in link")).to_be_visible()

    _open_mail_link(page, app_server, email, "Sign in")
    expect(page.get_by_role("button", name="Account menu for Magic User")).to_be_visible()


def test_password_reset(app_server: RunningApp, clean_db: str, page: Page, unique: str) -> None:
    email = f"reset-{unique}@example.com"
    _sign_up(page, app_server, email, "Reset User")
    page.goto(f"{app_server.url}/forgot-password")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("status").filter(has_text="reset link")).to_be_visible()

    _open_mail_link(page, app_server, email, "Reset")
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_label("Repeat the new password").fill("a brand new secret")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="password is changed")).to_be_visible()

    _sign_in(page, app_server, email, "a brand new secret")
    expect(page.get_by_role("button", name="Account menu for Reset User")).to_be_visible()


def test_a_student_is_blocked_from_the_admin_page(
    app_server: RunningApp, clean_db: str, page: Page, unique: str
) -> None:
    from learning_app.adapters.postgres import session_scope
    from learning_app.models.users import UserRole
    from learning_app.services.accounts.users import create_user

    email = f"student-{unique}@example.com"
    with session_scope() as session:
        create_user(
            session,
            email=email,
            password=PASSWORD,
            display_name="Plain Student",
            role=UserRole.STUDENT,
        )
    page.goto(f"{app_server.url}/admin/users")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fadmin%2Fusers"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Production serves the built page as a folder: the URL may end in a slash.
    expect(page).to_have_url(re.compile(r"/admin/users/?$"))
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)


def _public_course_with_a_quiz(teacher: str) -> tuple[str, str]:
    """A published public course with a one-question quiz (a graded exam): (course, exam)."""
    from tests.integration.exams.helpers import exam_of, true_false_question
    from tests.integration.people import new_course, publish

    course = new_course(teacher, "Tides", is_public=True)
    publish(teacher, course)
    return course, exam_of(teacher, course, [true_false_question(teacher, course)])


def test_an_unverified_account_is_told_what_waits_and_can_resend_the_link(
    app_server: RunningApp, clean_db: str, page: Page, unique: str
) -> None:
    from tests.e2e.people import account

    teacher = account(f"teacher-{unique}@example.com", "Rosa", "teacher")
    course, exam = _public_course_with_a_quiz(teacher)
    email = f"unverified-{unique}@example.com"
    _sign_up(page, app_server, email, "Una Verified")
    _sign_in(page, app_server, email)
    expect(page.get_by_text("Your email address is not verified yet")).to_be_visible()

    page.goto(f"{app_server.url}/courses/{course}")
    page.get_by_role("button", name="Enrol in this course").click()  # enrolling: yes
    expect(page.get_by_text("You are enrolled")).to_be_visible()
    page.goto(f"{app_server.url}/exams/{exam}")
    waits = "Verify your email address to take quizzes and final exams"
    expect(page.get_by_text(waits)).to_be_visible()
    expect(page.get_by_role("button", name="Start exam")).to_have_count(0)

    page.get_by_role("button", name="Resend the verification link").click()
    sent = page.get_by_role("status").filter(has_text=f"We sent a new link to {email}")
    expect(sent).to_be_visible()
    _open_mail_link(page, app_server, email, "Confirm your email")
    expect(page.get_by_text("is verified")).to_be_visible()
    expect(page.get_by_text("Your email address is not verified yet")).to_have_count(0)
    page.goto(f"{app_server.url}/exams/{exam}")
    expect(page.get_by_role("button", name="Start exam")).to_be_visible()


@pytest.mark.skipif(not PROD, reason="only production mode keeps tab states in Redis")
def test_a_tab_whose_state_reflex_lost_stays_signed_in(
    app_server: RunningApp, clean_db: str, browser: Browser, unique: str
) -> None:
    """The socket a student signs in on connected before the cookie existed. Reflex loses the
    tab's state while the socket stays open (it expires an hour after the tab's last event;
    here its keys are deleted once the worker's lease has written it back): the next page
    still finds the student signed in, instead of sending them to sign in."""
    import redis

    from learning_app.settings import get_settings

    email = f"lost-{unique}@example.com"
    account(email, "Lena Lost", "student")
    page = signed_in_page(browser, app_server, email)
    tab = page.evaluate("window.sessionStorage.getItem('token')")
    time.sleep(OPLOCK_HOLD_S + 2)  # the worker writes the state back and lets it go
    store = redis.Redis.from_url(get_settings().redis_url)
    try:
        lost = list(store.scan_iter(match=f"{tab}_*"))
        assert lost, "the tab's state was not in Redis"
        store.delete(*lost)
    finally:
        store.close()

    page.get_by_role("link", name="My courses").click()
    expect(page.get_by_text("No courses yet")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/my-courses$"))
    expect(page.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()
