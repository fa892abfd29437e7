"""Accounts: sign-up, sign-in (password or magic link), email verification, password reset.

Every function that acts for a signed-in user takes the session token and resolves the user
itself, so a caller can never act as someone else by passing a user id. No message reveals
whether an email has an account: sign-up with a taken address mails the owner instead of
failing, and magic-link and reset requests answer the same whether or not the account exists.

Teacher accounts are granted by an admin (the admin page or `learning-app user create --role
teacher`), never chosen at sign-up. A teacher can publish courses that students see and can read
their students' answers and results, so the role carries trust that a self-service checkbox cannot
establish; a school or course provider knows who its teachers are, and asking an admin is a small,
one-time cost. Everyone who signs up is therefore a student.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from learning_app.models.base import utc_now
from learning_app.models.progress import UserStats
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services import rate_limits
from learning_app.services.accounts import sessions
from learning_app.services.accounts.mail import send_later, send_verification
from learning_app.services.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from learning_app.services.accounts.viewers import (
    Viewer,
    find_account_by_email,
    load_account,
    signed_in,
    viewer_of,
)
from learning_app.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
)
from learning_app.services.text_input import is_blank, one_line
from learning_app.settings import get_settings

MAX_EMAIL_LENGTH = 320
MAX_DISPLAY_NAME_LENGTH = 100
EMAIL_TAKEN_MESSAGE = "An account with this email already exists."

# (bucket, limit, window seconds)
SIGN_IN_LIMIT = ("sign_in", 5, 60)
# Failed password sign-ins per IP, whatever the email: password spraying (one or two guesses
# at many accounts) never reaches the per-email limit. Only failures spend it, so a classroom
# behind one address is held up only by its own typos, and magic links (limited on their own)
# still work while it waits.
SIGN_IN_FAILURES_PER_IP_LIMIT = ("sign_in_ip", 10, 900)
# Password checks in flight per IP. A failure is only known once its check ends, so this bounds
# how many guesses a burst of parallel requests gets past the failure budget, while a whole
# class signing in at once behind one address (40 students within seconds) still passes.
# A check ends within seconds; the window only cleans up after a crashed one.
SIGN_INS_IN_FLIGHT_PER_IP_LIMIT = ("sign_in_ip_pending", 40, 60)
SIGN_IN_FAILURES_PER_IP_REASON = (
    "Too many failed sign-ins from your network (a sign-in link by email still works)."
)
SIGN_UP_LIMIT = ("sign_up", 10, 3600)
MAGIC_LINK_LIMIT = ("magic_link", 3, 600)
PASSWORD_RESET_LIMIT = ("password_reset", 3, 600)
# Per IP, so one client cannot spray links at many addresses.
EMAIL_LINKS_PER_IP_LIMIT = ("email_links_ip", 30, 600)
VERIFICATION_RESEND_LIMIT = ("verify_resend", 3, 600)
CHANGE_PASSWORD_LIMIT = ("change_password", 5, 60)

_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- input -------------------------------------------------------------------------------------


def _checked_email(raw: str) -> str:
    """The address trimmed but with its case kept (mail goes to exactly what was typed)."""
    email = (raw or "").strip()
    if (
        len(email) > MAX_EMAIL_LENGTH
        or not _EMAIL_SHAPE.match(email)
        or any(unicodedata.category(ch) == "Cc" for ch in email)
    ):
        raise InvalidInput("Enter a valid email address.", field="email")
    return email


def normalise_email(raw: str) -> str:
    """The lookup form of an address: trimmed and lowercased (emails are one account per case)."""
    return _checked_email(raw).lower()


def clean_display_name(raw: str) -> str:
    """Trimmed with whitespace runs collapsed; 1-100 characters, stored as plain text."""
    name = " ".join((raw or "").split())
    if is_blank(name):
        raise InvalidInput("Enter your name.", field="display_name")
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_DISPLAY_NAME_LENGTH} characters for your name.", field="display_name"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidInput("Your name contains characters we cannot store.", field="display_name")
    return one_line(name, "name", "display_name")


def checked_password(password: str, field: str = "password") -> None:
    try:
        check_password_policy(password)
    except PasswordPolicyError as exc:
        raise InvalidInput(str(exc), field=field) from exc


def _insert_account(
    session: Session,
    email: str,
    password_hash: str,
    name: str,
    role: UserRole,
    *,
    verified: bool = False,
) -> tuple[User, UserProfile] | None:
    """User, profile and stats in one savepoint; None if the email is taken (unique index)."""
    user = User(
        email=email, password_hash=password_hash, email_verified_at=utc_now() if verified else None
    )
    profile = UserProfile(user_id=user.id, role=role, display_name=name)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()  # the profile's foreign key needs the user row first
            session.add_all([profile, UserStats(user_id=user.id)])
            session.flush()
    except IntegrityError:
        return None
    return user, profile


def enforce_limit(policy: tuple[str, int, int], key: str, reason: str | None = None) -> None:
    bucket, limit, window = policy
    rate_limits.hit(bucket, key, limit=limit, window_seconds=window, reason=reason)


# --- sign-up and sign-in -----------------------------------------------------------------------


def sign_up(
    session: Session, *, email: str, password: str, display_name: str, client_ip: str
) -> Viewer | None:
    """Create a student account and mail a verification link.

    Returns None when the address already has an account: nothing is created and the owner is
    told by mail. The UI says "check your inbox" in both cases, so sign-up cannot be used to
    find out who has an account.
    """
    enforce_limit(SIGN_UP_LIMIT, client_ip)
    address = _checked_email(email)
    name = clean_display_name(display_name)
    checked_password(password)
    # Hash before looking: both outcomes pay the same argon2 cost.
    password_hash = hash_password(password)

    existing = find_account_by_email(session, address)
    if existing is None:
        created = _insert_account(session, address, password_hash, name, UserRole.STUDENT)
        if created is not None:
            send_verification(session, created[0])
            return viewer_of(*created)
        existing = find_account_by_email(session, address)  # lost a race with a concurrent sign-up

    send_later(
        session,
        existing.email if existing else address,
        "Someone tried to sign up with your email",
        "Someone tried to create a Learning App account with this email address, which already "
        "has an account. If it was you, sign in or reset your password:\n\n"
        f"{get_settings().public_base_url.rstrip('/')}/sign-in\n\n"
        "If it was not you, you can ignore this email; nothing has changed.",
    )
    return None


def start_session(
    user: User, profile: UserProfile, client_ip: str, user_agent: str
) -> tuple[Viewer, str]:
    user.last_login_at = utc_now()
    token = sessions.create_session(user.id, client_ip=client_ip, user_agent=user_agent)
    return viewer_of(user, profile), token


def sign_in_with_password(
    session: Session, *, email: str, password: str, client_ip: str, user_agent: str
) -> tuple[Viewer, str]:
    """Check the password and start a session; returns the viewer and the session token."""
    address = normalise_email(email)
    # Counted before the check, success or not.
    enforce_limit(SIGN_IN_LIMIT, f"{address}|{client_ip}")
    failures, failure_limit, failure_window = SIGN_IN_FAILURES_PER_IP_LIMIT
    rate_limits.refuse_if_reached(
        failures, client_ip, limit=failure_limit, reason=SIGN_IN_FAILURES_PER_IP_REASON
    )
    enforce_limit(SIGN_INS_IN_FLIGHT_PER_IP_LIMIT, client_ip, SIGN_IN_FAILURES_PER_IP_REASON)
    try:
        user = find_account_by_email(session, address)
        usable = user is not None and user.is_active and len(password) <= MAX_PASSWORD_LENGTH
        # verify_password checks a dummy hash when there is none: unknown emails cost the same.
        matches = verify_password(user.password_hash if usable and user else None, password)
        if not matches:
            # Spent before this check leaves the in-flight count, so a burst gets at most
            # (in flight) + (failure budget) guesses; this one still gets its own answer.
            rate_limits.spend(failures, client_ip, window_seconds=failure_window)
    finally:
        rate_limits.give_back(SIGN_INS_IN_FLIGHT_PER_IP_LIMIT[0], client_ip)
    if not matches:
        raise AuthenticationFailed()
    assert user is not None
    loaded = load_account(session, user.id)
    if loaded is None:
        raise AuthenticationFailed()
    rate_limits.reset(SIGN_IN_LIMIT[0], f"{address}|{client_ip}")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return start_session(*loaded, client_ip, user_agent)


def change_password(
    session: Session, *, token: str, current_password: str, new_password: str
) -> None:
    """Change the password of the session's user; their other sessions end, this one stays."""
    user, _ = signed_in(session, token)
    enforce_limit(CHANGE_PASSWORD_LIMIT, str(user.id))
    checked_password(new_password, field="new_password")
    # Accounts without a password (magic link only) set one through the reset link instead.
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput("Your current password is incorrect.", field="current_password")
    user.password_hash = hash_password(new_password)
    sessions.end_all_sessions(user.id, keep_token=token)


def update_profile(session: Session, *, token: str, display_name: str) -> Viewer:
    user, profile = signed_in(session, token)
    profile.display_name = clean_display_name(display_name)
    session.add(profile)
    return viewer_of(user, profile)


def sign_out(token: str | None) -> None:
    sessions.end_session(token)


def sign_out_everywhere(session: Session, *, token: str) -> None:
    user, _ = signed_in(session, token)
    sessions.end_all_sessions(user.id)


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    role: UserRole,
    verified: bool = True,
) -> Viewer:
    """Create an account with a chosen role (CLI and admins; no mail is sent)."""
    address = _checked_email(email)
    name = clean_display_name(display_name)
    checked_password(password)
    if find_account_by_email(session, address) is not None:
        raise InvalidInput(EMAIL_TAKEN_MESSAGE, field="email")
    created = _insert_account(
        session, address, hash_password(password), name, UserRole(role), verified=verified
    )
    if created is None:
        raise InvalidInput(EMAIL_TAKEN_MESSAGE, field="email")
    return viewer_of(*created)


def operator_session(session: Session, email: str | None) -> str:
    """A session token for the account a command-line operator acts as: `email`'s, or else the
    first admin's. Commands then meet the same permission checks as the UI; end it with
    `sign_out` when done."""
    if email:
        user = find_account_by_email(session, email.strip())
        missing = f"No active account uses {email.strip()}."
    else:
        user = session.exec(
            select(User)
            .join(UserProfile, UserProfile.user_id == User.id)  # type: ignore[arg-type]
            .where(UserProfile.role == UserRole.ADMIN, User.is_active)  # type: ignore[arg-type]
            .order_by(User.created_at)  # type: ignore[arg-type]
        ).first()
        missing = "No admin account exists yet: pass --as EMAIL, or create one first."
    if user is None or not user.is_active:
        raise NotFound(missing)
    return sessions.create_session(user.id, client_ip="", user_agent="learning-app cli")
