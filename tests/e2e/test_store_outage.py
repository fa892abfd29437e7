"""Redis stops while a student has the app open: the open page says what is wrong instead of
going blank, signing in refuses with a message, and after Redis is back signing in works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from learning_app.services.errors import ServiceUnavailable
from learning_app.stack.servers import Redis
from tests.e2e.conftest import PROD, RunningApp
from tests.e2e.people import PASSWORD, account, signed_in_page
from tests.integration.private_servers import restart

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(PROD, reason="with E2E_PROD Reflex keeps its own state in this Redis too")
def test_redis_down_an_open_page_shows_an_error_sign_in_refuses_and_works_after_restart(
    app_server: RunningApp, app_redis: Redis, browser: Browser, clean_db: str
) -> None:
    account("rhea@example.com", "Rhea", "student")
    page = signed_in_page(browser, app_server, "rhea@example.com")
    visitor = browser.new_context().new_page()
    visitor.goto(f"{app_server.url}/sign-in")

    app_redis.stop(timeout=20)
    try:
        page.get_by_role("link", name="My courses").click()
        # The page cannot tell who is signed in, and says so; the rest of it still shows.
        expect(page.get_by_role("alert")).to_have_text(ServiceUnavailable.default_message)
        expect(page.get_by_role("heading", name="My courses")).to_be_visible()

        visitor.get_by_label("Email", exact=True).fill("rhea@example.com")
        visitor.get_by_label("Password", exact=True).fill(PASSWORD)
        visitor.get_by_role("button", name="Sign in").click()
        expect(visitor.get_by_text(ServiceUnavailable.default_message)).to_be_visible()
    finally:
        restart(app_redis)

    # The sessions lived in the stopped Redis only (the test server keeps no data): sign in again.
    signed_in_page(browser, app_server, "rhea@example.com")
