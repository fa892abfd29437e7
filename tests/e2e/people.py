"""Accounts for browser tests: made through the services, signed in through the real form."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp

PASSWORD = "correct horse battery"


def account(email: str, name: str, role: str) -> str:
    """A new account; returns a session token for arranging things through the services."""
    import uuid

    from learning_app.adapters.postgres import session_scope
    from learning_app.models.users import UserRole
    from learning_app.services.accounts import sessions
    from learning_app.services.accounts.users import create_user

    with session_scope() as session:
        viewer = create_user(
            session, email=email, password=PASSWORD, display_name=name, role=UserRole(role)
        )
    return sessions.create_session(
        uuid.UUID(viewer.user_id), client_ip="127.0.0.1", user_agent="e2e"
    )


def signed_in_page(browser: Browser, app: RunningApp, email: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app.url}/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Account menu"))).to_be_visible()
    return page
