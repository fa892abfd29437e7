"""Sign-in by magic link, email verification and password reset: everything that travels as a
one-time link by mail. No answer here tells whether an email has an account."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from learning_app.models.base import utc_now
from learning_app.models.users import User, UserProfile
from learning_app.services.accounts import one_time_tokens, sessions
from learning_app.services.accounts.mail import LINK_PATHS, link_to, send_later, send_verification
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.accounts.passwords import hash_password
from learning_app.services.accounts.users import (
    EMAIL_LINKS_PER_IP_LIMIT,
    MAGIC_LINK_LIMIT,
    PASSWORD_RESET_LIMIT,
    VERIFICATION_RESEND_LIMIT,
    checked_password,
    enforce_limit,
    normalise_email,
    start_session,
)
from learning_app.services.accounts.viewers import (
    SIGNED_OUT_MESSAGE,
    Viewer,
    find_account_by_email,
    load_account,
    viewer_for_session,
    viewer_of,
)
from learning_app.services.errors import InvalidToken, PermissionDenied


def _mail_link_if_account(
    session: Session,
    *,
    email: str,
    client_ip: str,
    purpose: TokenPurpose,
    policy: tuple[str, int, int],
    subject: str,
    body: str,
) -> None:
    """Mail a one-time link (`{link}` in `body`) if the account exists. The caller sees the
    same outcome either way, so the answer never tells whether an email has an account."""
    address = normalise_email(email)
    enforce_limit(policy, address)
    enforce_limit(EMAIL_LINKS_PER_IP_LIMIT, client_ip)
    user = find_account_by_email(session, address)
    if user is None or not user.is_active:
        return
    token = one_time_tokens.issue(purpose, user.id)
    send_later(session, user.email, subject, body.format(link=link_to(LINK_PATHS[purpose], token)))


def _spend_link(session: Session, purpose: TokenPurpose, token: str) -> tuple[User, UserProfile]:
    """Consume a one-time link; whoever holds it reached the inbox, so the email is verified."""
    loaded = load_account(session, one_time_tokens.consume(purpose, token))
    if loaded is None or not loaded[0].is_active:
        raise InvalidToken()
    if loaded[0].email_verified_at is None:
        loaded[0].email_verified_at = utc_now()
    return loaded


def request_magic_link(session: Session, *, email: str, client_ip: str) -> None:
    _mail_link_if_account(
        session,
        email=email,
        client_ip=client_ip,
        purpose=TokenPurpose.MAGIC_LINK,
        policy=MAGIC_LINK_LIMIT,
        subject="Your sign-in link",
        body="Sign in to Learning App:\n\n{link}\n\n"
        "The link works once and expires in 15 minutes. If you did not ask for it, ignore it.",
    )


def sign_in_with_magic_link(
    session: Session, *, token: str, client_ip: str, user_agent: str
) -> tuple[Viewer, str]:
    """Spend a magic link and start a session."""
    return start_session(
        *_spend_link(session, TokenPurpose.MAGIC_LINK, token), client_ip, user_agent
    )


# --- email verification and passwords ----------------------------------------------------------


def verify_email(session: Session, *, token: str) -> Viewer:
    return viewer_of(*_spend_link(session, TokenPurpose.EMAIL_VERIFICATION, token))


def resend_verification(session: Session, *, token: str, client_ip: str) -> bool:
    """Mail a new verification link to the signed-in account's stored address (never to caller
    input); False if the address is verified already, so there was nothing to send."""
    viewer = viewer_for_session(session, token)
    if viewer is None:
        raise PermissionDenied(SIGNED_OUT_MESSAGE)
    enforce_limit(VERIFICATION_RESEND_LIMIT, viewer.user_id)
    enforce_limit(EMAIL_LINKS_PER_IP_LIMIT, client_ip)
    loaded = load_account(session, uuid.UUID(viewer.user_id))
    if loaded is None or loaded[0].email_verified_at is not None:
        return False
    send_verification(session, loaded[0])
    return True


def request_password_reset(session: Session, *, email: str, client_ip: str) -> None:
    _mail_link_if_account(
        session,
        email=email,
        client_ip=client_ip,
        purpose=TokenPurpose.PASSWORD_RESET,
        policy=PASSWORD_RESET_LIMIT,
        subject="Reset your password",
        body="Choose a new Learning App password:\n\n{link}\n\n"
        "The link works once and expires in 30 minutes. If you did not ask for it, ignore it; "
        "your password has not changed.",
    )


def reset_password(session: Session, *, token: str, new_password: str) -> Viewer:
    """Set a new password from a reset link and sign the user out everywhere."""
    checked_password(new_password)  # before consuming: a too-short password keeps the link
    loaded = _spend_link(session, TokenPurpose.PASSWORD_RESET, token)
    user = loaded[0]
    user.password_hash = hash_password(new_password)
    # Whoever knew the old password (or holds an old cookie) is out.
    sessions.end_all_sessions(user.id)
    return viewer_of(*loaded)
