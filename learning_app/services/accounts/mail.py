"""Account mail: one-time links, queued as durable jobs in the caller's transaction."""

from __future__ import annotations

from urllib.parse import quote

from sqlmodel import Session

from learning_app.adapters.job_queue import defer_in_transaction
from learning_app.models.users import User
from learning_app.services.accounts import one_time_tokens
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.settings import get_settings

# The task that sends it is `learning_app.jobs.mail`, under this name.
SEND_MAIL_TASK = "mail.send"
MAIL_QUEUE = "mail"

LINK_PATHS = {
    TokenPurpose.MAGIC_LINK: "/auth/magic-link",
    TokenPurpose.PASSWORD_RESET: "/auth/reset-password",
    TokenPurpose.EMAIL_VERIFICATION: "/auth/verify-email",
}


def link_to(path: str, token: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}{path}?token={quote(token)}"


def send_later(session: Session, to: str, subject: str, text: str) -> None:
    """Queue the mail in the caller's transaction: it leaves only if the change commits, a relay
    outage delays it without losing it, and the request never waits on SMTP (so "a mail was
    sent" and "no such account" take the caller the same time)."""
    defer_in_transaction(
        session, SEND_MAIL_TASK, queue=MAIL_QUEUE, to=to, subject=subject, text=text
    )


def send_verification(session: Session, user: User) -> None:
    token = one_time_tokens.issue(TokenPurpose.EMAIL_VERIFICATION, user.id)
    send_later(
        session,
        user.email,
        "Confirm your email address",
        "Confirm your email address for your Learning App account:\n\n"
        f"{link_to(LINK_PATHS[TokenPurpose.EMAIL_VERIFICATION], token)}\n\n"
        "The link works once and expires in 24 hours. If you did not sign up, ignore this email.",
    )
