"""Right after signing in, the navbar changes only once the redirect has landed.

A script installed before any page runs watches the DOM and records the path the browser is on
at the moment the account menu first appears. Had the navbar turned signed-in on the sign-in
page itself (it used to, a moment before the redirect), the recorded path would be that page's,
and a click on the new navbar in that moment would be undone by the redirect.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.people import PASSWORD, account

pytestmark = pytest.mark.e2e

MAIL_WAIT_S = 20

RECORD_FIRST_SIGNED_IN_PATH = """
(() => {
  const record = () => {
    if (window.__firstSignedInPath === undefined &&
        document.querySelector('[aria-label^="Account menu"]')) {
      window.__firstSignedInPath = window.location.pathname;
    }
  };
  new MutationObserver(record).observe(document, { childList: true, subtree: true });
})();
"""


def _watched_page(browser: Browser) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.add_init_script(RECORD_FIRST_SIGNED_IN_PATH)
    return page


def _first_signed_in_path(page: Page) -> str:
    page.wait_for_function("window.__firstSignedInPath !== undefined")
    return str(page.evaluate("window.__firstSignedInPath"))


def _newest_magic_link(email: str) -> str:
    """The link in the newest sign-in mail to `email`, read from the dev mail sink."""
    from learning_app.settings import get_settings
    from learning_app.stack.mailbox import list_messages, mail_dir

    deadline = time.monotonic() + MAIL_WAIT_S
    while time.monotonic() < deadline:  # the mail is sent by a background job
        for mail in reversed(list_messages(mail_dir(get_settings()), recipient=email)):
            if found := re.search(r"https?://\S+/auth/magic-link\?token=\S+", mail.text):
                return found.group(0)
        time.sleep(0.2)
    pytest.fail(f"no sign-in link reached {email} within {MAIL_WAIT_S}s")


def test_the_navbar_turns_signed_in_only_on_the_page_a_password_sign_in_leads_to(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    email = f"race-{unique}@example.com"
    account(email, "Rita Race", "student")
    page = _watched_page(browser)
    page.goto(f"{app_server.url}/sign-in?next=%2Fmy-courses")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/my-courses$"))
    expect(page.get_by_role("button", name="Account menu for Rita Race")).to_be_visible()
    assert _first_signed_in_path(page) == "/my-courses"
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_have_count(0)
    page.context.close()


def test_the_navbar_turns_signed_in_only_after_a_magic_link_lands(
    app_server: RunningApp, browser: Browser, clean_db: str, unique: str
) -> None:
    email = f"magic-race-{unique}@example.com"
    account(email, "Milo Magic", "student")
    page = _watched_page(browser)
    page.goto(f"{app_server.url}/sign-in")
    page.get_by_role("tab", name="Magic link").click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status").filter(has_text="sign-in link")).to_be_visible()

    page.goto(_newest_magic_link(email))

    expect(page).to_have_url(re.compile(r"localhost:\d+/$"))
    expect(page.get_by_role("button", name="Account menu for Milo Magic")).to_be_visible()
    assert _first_signed_in_path(page) == "/"
    page.context.close()
