"""Accounts, sign-ins and the mail the SMTP sink caught, for the accounts tests."""

from __future__ import annotations

import re
import time

from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import User, UserRole
from learning_app.services.accounts import users, viewers
from learning_app.settings import get_settings
from learning_app.stack.mailbox import StoredMail, list_messages, mail_dir

PASSWORD = "correct horse battery"
IP = "203.0.113.7"
UA = "pytest"


def messages_to(recipient: str) -> list[StoredMail]:
    return list_messages(mail_dir(get_settings()), recipient=recipient)


def wait_for_mail(recipient: str, count: int = 1, timeout: float = 10.0) -> list[StoredMail]:
    """At least `count` messages to `recipient`, waiting a little (mail leaves through a job)."""
    deadline = time.monotonic() + timeout
    while len(found := messages_to(recipient)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def link_token(recipient: str, path: str, nth: int = 1) -> str:
    """The token of the `nth` link to `path` mailed to `recipient`."""
    pattern = re.compile(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)")
    deadline = time.monotonic() + 10
    while True:
        tokens = [
            m.group(1) for mail in messages_to(recipient) for m in pattern.finditer(mail.text)
        ]
        if len(tokens) >= nth:
            return tokens[nth - 1]
        assert time.monotonic() < deadline, f"no {path} link mailed to {recipient}"
        time.sleep(0.05)


def user_count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(User)).one()


def make_user(
    email: str, role: UserRole = UserRole.STUDENT, password: str = PASSWORD
) -> viewers.Viewer:
    with session_scope() as session:
        return users.create_user(
            session, email=email, password=password, display_name="Test User", role=role
        )


def sign_in(email: str, password: str = PASSWORD) -> tuple[viewers.Viewer, str]:
    with session_scope() as session:
        return users.sign_in_with_password(
            session, email=email, password=password, client_ip=IP, user_agent=UA
        )
