"""Accounts against the real stack: Postgres, Redis and the SMTP sink; nothing is mocked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.models import User, UserProfile, UserRole, UserStats
from learning_app.services import account_links, accounts, one_time_tokens, sessions
from learning_app.services.account_admin import list_users, set_role
from learning_app.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidToken,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)
from learning_app.services.one_time_tokens import TokenPurpose
from learning_app.services.permissions import safe_next_path
from learning_app.settings import get_settings, reset_settings_cache
from learning_app.stack.base import free_port
from learning_app.stack.mailbox import StoredMail, list_messages, mail_dir

PASSWORD = "correct horse battery"
IP = "203.0.113.7"
UA = "pytest"


@pytest.fixture
def stores(clean_db: str, job_worker: None) -> Iterator[None]:
    """Empty tables and an empty test Redis (DB 1, never the developer's data)."""
    get_redis().flushdb()
    yield
    get_redis().flushdb()


@pytest.fixture
def email(unique: str) -> str:
    # A fresh address per test: the sink's mailbox is shared by every run.
    return f"learner-{unique}@example.com"


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
) -> accounts.Viewer:
    with session_scope() as session:
        return accounts.create_user(
            session, email=email, password=password, display_name="Test User", role=role
        )


def sign_in(email: str, password: str = PASSWORD) -> tuple[accounts.Viewer, str]:
    with session_scope() as session:
        return accounts.sign_in_with_password(
            session, email=email, password=password, client_ip=IP, user_agent=UA
        )


# --- sign-up and verification ------------------------------------------------------------------


def test_sign_up_creates_a_student_with_profile_and_stats(stores: None, email: str) -> None:
    with session_scope() as session:
        viewer = accounts.sign_up(
            session, email=f"  {email} ", password=PASSWORD, display_name=" Ada   L ", client_ip=IP
        )
    assert viewer is not None
    assert (viewer.email, viewer.display_name, viewer.role) == (email, "Ada L", "student")
    assert viewer.email_verified is False
    with session_scope() as session:
        user = session.exec(select(User)).one()
        assert user.password_hash and PASSWORD not in user.password_hash
        profile = session.get(UserProfile, user.id)
        assert profile is not None and profile.role is UserRole.STUDENT
        assert session.get(UserStats, user.id) is not None

    token = link_token(email, "/auth/verify-email")
    assert get_settings().public_base_url in wait_for_mail(email)[0].text
    with session_scope() as session:
        assert account_links.verify_email(session, token=token).email_verified is True
    with session_scope() as session, pytest.raises(InvalidToken):
        account_links.verify_email(session, token=token)


def test_email_is_case_insensitive_and_a_taken_address_reveals_nothing(
    stores: None, unique: str
) -> None:
    typed = f"Foo-{unique}@X.com"
    with session_scope() as session:
        first = accounts.sign_up(
            session, email=typed, password=PASSWORD, display_name="Foo", client_ip=IP
        )
    assert first is not None and first.email == typed
    with session_scope() as session:
        second = accounts.sign_up(
            session,
            email=typed.lower(),
            password="another password",
            display_name="X",
            client_ip=IP,
        )
    assert second is None  # no error, no second account; the UI says "check your inbox"
    assert user_count() == 1
    subjects = [m.subject for m in wait_for_mail(typed, count=2)]
    assert "Someone tried to sign up with your email" in subjects
    # The intruder's password did not become the account's password.
    with pytest.raises(AuthenticationFailed):
        sign_in(typed.lower(), "another password")
    assert sign_in(typed.lower())[0].email == typed


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("email", {"email": "not-an-email"}),
        ("email", {"email": "a" * 310 + "@example.com"}),
        ("password", {"password": "short"}),
        ("password", {"password": "x" * 257}),
        ("display_name", {"display_name": "   "}),
        ("display_name", {"display_name": "n" * 101}),
    ],
)
def test_bad_sign_up_input_is_refused_and_nothing_is_written(
    stores: None, email: str, field: str, kwargs: dict[str, str]
) -> None:
    values = {"email": email, "password": PASSWORD, "display_name": "Ada", **kwargs}
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        accounts.sign_up(session, client_ip=IP, **values)
    assert caught.value.field == field
    assert str(caught.value)
    assert user_count() == 0
    assert messages_to(email) == []


def test_display_name_markup_is_stored_verbatim(stores: None, email: str) -> None:
    name = "<script>alert(1)</script>"
    with session_scope() as session:
        viewer = accounts.sign_up(
            session, email=email, password=PASSWORD, display_name=name, client_ip=IP
        )
    assert viewer is not None and viewer.display_name == name
    _, token = sign_in(email)
    with session_scope() as session:
        updated = accounts.update_profile(session, token=token, display_name="  Ada  Byron ")
    assert updated.display_name == "Ada Byron"
    with session_scope() as session, pytest.raises(InvalidInput):
        accounts.update_profile(session, token=token, display_name="")
    with session_scope() as session:
        assert session.exec(select(UserProfile.display_name)).one() == "Ada Byron"


# --- password sign-in --------------------------------------------------------------------------


def test_unknown_email_and_wrong_password_give_the_same_message(stores: None, email: str) -> None:
    make_user(email)
    with pytest.raises(AuthenticationFailed) as unknown:
        sign_in(f"nobody-{email}")
    with pytest.raises(AuthenticationFailed) as wrong:
        sign_in(email, "wrong password")
    assert str(unknown.value) == str(wrong.value) == "Email or password is incorrect."


def test_sign_in_starts_a_session_and_records_the_login(stores: None, email: str) -> None:
    make_user(email)
    viewer, token = sign_in(email.upper())
    assert viewer.email == email
    with session_scope() as session:
        assert accounts.viewer_for_session(session, token) == viewer
        assert session.exec(select(User.last_login_at)).one() is not None
    accounts.sign_out(token)
    with session_scope() as session:
        assert accounts.viewer_for_session(session, token) is None


def test_a_deactivated_account_cannot_sign_in(stores: None, email: str) -> None:
    make_user(email)
    _, token = sign_in(email)
    with session_scope() as session:
        session.exec(select(User)).one().is_active = False
    with pytest.raises(AuthenticationFailed):
        sign_in(email)
    with session_scope() as session:
        assert accounts.viewer_for_session(session, token) is None


def test_five_wrong_passwords_then_rate_limited(stores: None, email: str) -> None:
    make_user(email)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            sign_in(email, "wrong password")
    with pytest.raises(RateLimited) as caught:
        sign_in(email)  # even the right password waits: the attempt is counted first
    assert 0 < caught.value.retry_after_seconds <= 60
    # A full window left reads "1 minute"; otherwise "N seconds".
    wording = r"Too many attempts\. Try again in (\d+ seconds?|1 minute)\."
    assert re.fullmatch(wording, str(caught.value))


# --- magic links -------------------------------------------------------------------------------


def test_magic_link_signs_in_once_and_verifies_the_email(stores: None, email: str) -> None:
    make_user(email)
    with session_scope() as session:
        session.exec(select(User)).one().email_verified_at = None
    with session_scope() as session:
        account_links.request_magic_link(session, email=email.upper(), client_ip=IP)
    token = link_token(email, "/auth/magic-link")
    with session_scope() as session:
        viewer, session_token = account_links.sign_in_with_magic_link(
            session, token=token, client_ip=IP, user_agent=UA
        )
    assert viewer.email == email and viewer.email_verified is True
    assert sessions.resolve_session(session_token) == uuid.UUID(viewer.user_id)
    with session_scope() as session, pytest.raises(InvalidToken) as again:
        account_links.sign_in_with_magic_link(session, token=token, client_ip=IP, user_agent=UA)
    assert "invalid or has expired" in str(again.value)


def test_magic_link_for_an_unknown_email_answers_the_same_and_sends_nothing(
    stores: None, email: str
) -> None:
    with session_scope() as session:
        assert account_links.request_magic_link(session, email=email, client_ip=IP) is None
    time.sleep(0.3)
    assert messages_to(email) == []


def test_expired_and_tampered_magic_links_are_refused(stores: None, email: str) -> None:
    viewer = make_user(email)
    expired = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id), ttl=1)
    time.sleep(1.1)
    valid = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id))
    tampered = valid[:-1] + ("A" if valid[-1] != "A" else "B")
    for token in (expired, tampered, "../../etc/passwd", "", "x" * 5000):
        with session_scope() as session, pytest.raises(InvalidToken):
            account_links.sign_in_with_magic_link(session, token=token, client_ip=IP, user_agent=UA)
    with session_scope() as session:  # the tampering attempt did not spend the real link
        account_links.sign_in_with_magic_link(session, token=valid, client_ip=IP, user_agent=UA)


def test_magic_link_requests_are_rate_limited(stores: None, email: str) -> None:
    make_user(email)
    for _ in range(3):
        with session_scope() as session:
            account_links.request_magic_link(session, email=email, client_ip=IP)
    with session_scope() as session, pytest.raises(RateLimited) as caught:
        account_links.request_magic_link(session, email=email, client_ip=IP)
    assert "minutes" in str(caught.value)
    assert len(wait_for_mail(email, count=3)) == 3


# --- password reset and change -----------------------------------------------------------------


def test_password_reset_link(stores: None, email: str) -> None:
    make_user(email)
    _, phone = sign_in(email)
    _, laptop = sign_in(email)
    with session_scope() as session:
        account_links.request_password_reset(session, email=email, client_ip=IP)
    token = link_token(email, "/auth/reset-password")

    with session_scope() as session, pytest.raises(InvalidInput) as short:
        account_links.reset_password(session, token=token, new_password="short")
    assert short.value.field == "password"
    with session_scope() as session:  # the too-short attempt did not burn the link
        account_links.reset_password(session, token=token, new_password="a brand new password")
    assert sessions.resolve_session(phone) is None
    assert sessions.resolve_session(laptop) is None
    with session_scope() as session, pytest.raises(InvalidToken):
        account_links.reset_password(session, token=token, new_password="yet another password")
    with pytest.raises(AuthenticationFailed):
        sign_in(email)
    assert sign_in(email, "a brand new password")[0].email == email


def test_expired_reset_link_is_refused(stores: None, email: str) -> None:
    viewer = make_user(email)
    token = one_time_tokens.issue(TokenPurpose.PASSWORD_RESET, uuid.UUID(viewer.user_id))
    get_redis().delete(f"reset:{sessions.token_hash(token)}")  # what expiry does
    with session_scope() as session, pytest.raises(InvalidToken):
        account_links.reset_password(session, token=token, new_password="a brand new password")
    # A magic-link token is not a reset token.
    other = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id))
    with session_scope() as session, pytest.raises(InvalidToken):
        account_links.reset_password(session, token=other, new_password="a brand new password")


def test_change_password_ends_other_sessions_but_not_this_one(stores: None, email: str) -> None:
    make_user(email)
    _, current = sign_in(email)
    _, other = sign_in(email)
    with session_scope() as session, pytest.raises(InvalidInput) as wrong:
        accounts.change_password(
            session, token=current, current_password="nope", new_password="a new password"
        )
    assert wrong.value.field == "current_password"
    assert sessions.resolve_session(other) is not None
    with session_scope() as session:
        accounts.change_password(
            session, token=current, current_password=PASSWORD, new_password="a new password"
        )
    assert sessions.resolve_session(current) is not None
    assert sessions.resolve_session(other) is None
    assert sign_in(email, "a new password")[0].email == email


def test_sign_out_everywhere(stores: None, email: str) -> None:
    make_user(email)
    tokens = [sign_in(email)[1] for _ in range(3)]
    with session_scope() as session:
        accounts.sign_out_everywhere(session, token=tokens[0])
    assert [sessions.resolve_session(t) for t in tokens] == [None, None, None]
    with session_scope() as session, pytest.raises(PermissionDenied) as caught:
        accounts.sign_out_everywhere(session, token=tokens[0])
    assert str(caught.value) == "Please sign in first."


# --- permissions and admin ---------------------------------------------------------------------


def test_only_admins_list_users_and_set_roles(stores: None, unique: str) -> None:
    student = make_user(f"student-{unique}@example.com")
    make_user(f"admin-{unique}@example.com", UserRole.ADMIN)
    make_user(f"under_score-{unique}@example.com")
    _, student_token = sign_in(f"student-{unique}@example.com")
    _, admin_token = sign_in(f"admin-{unique}@example.com")

    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            list_users(session, token=student_token)
        with pytest.raises(PermissionDenied):
            set_role(session, token=student_token, user_id=student.user_id, role="admin")
        with pytest.raises(PermissionDenied):
            list_users(session, token=None)  # type: ignore[arg-type]

    with session_scope() as session:
        assert len(list_users(session, token=admin_token)) == 3
        # "_" is a literal underscore, not "any character".
        found = list_users(session, token=admin_token, query="under_")
        assert [row.email for row in found] == [f"under_score-{unique}@example.com"]
        assert list_users(session, token=admin_token, query="%") == []
        row = set_role(session, token=admin_token, user_id=student.user_id, role="teacher")
        assert row.role == "teacher"
    with session_scope() as session:
        assert accounts.viewer_for_session(session, student_token).role == "teacher"  # type: ignore[union-attr]
        with pytest.raises(InvalidInput):
            set_role(session, token=admin_token, user_id=student.user_id, role="owner")
        with pytest.raises(InvalidInput):
            set_role(session, token=admin_token, user_id="not-a-uuid", role="admin")


def test_the_last_admin_cannot_demote_themselves(stores: None, email: str) -> None:
    admin = make_user(email, UserRole.ADMIN)
    _, token = sign_in(email)
    with session_scope() as session, pytest.raises(InvalidInput) as caught:
        set_role(session, token=token, user_id=admin.user_id, role="student")
    assert "last admin" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/courses?x=1", "/courses?x=1"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://elsewhere.example/", "/"),
        ("//evil.com", "/"),
        ("/\\evil.com", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.com", "/"),
        ("courses", "/"),
        ("/" + "a" * 2001, "/"),
    ],
)
def test_safe_next_path(raw: str | None, expected: str) -> None:
    assert safe_next_path(raw) == expected


# --- outages and the CLI -----------------------------------------------------------------------


def test_redis_down_is_a_readable_service_unavailable(
    stores: None, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(email)
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/1")
    reset_settings_cache()
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            sign_in(email)
        assert "try again" in str(caught.value).lower()
        with session_scope() as session, pytest.raises(ServiceUnavailable):
            accounts.viewer_for_session(session, "a" * 43)
    finally:
        monkeypatch.undo()
        reset_settings_cache()


def _cli(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


def test_cli_user_create(stores: None, email: str) -> None:
    created = _cli("user", "create", email, "--role", "teacher", "--name", "Rosa", stdin=PASSWORD)
    assert created.returncode == 0, created.stderr
    viewer, _ = sign_in(email)
    assert (viewer.role, viewer.display_name, viewer.email_verified) == ("teacher", "Rosa", True)

    duplicate = _cli("user", "create", email.upper(), "--role", "admin", stdin=PASSWORD)
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip().count("\n") == 0, duplicate.stderr
    assert "already exists" in duplicate.stderr
    short = _cli("user", "create", f"x{email}", "--role", "student", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    assert user_count() == 1


def test_resend_verification_mails_a_fresh_link_until_verified(stores: None, email: str) -> None:
    with session_scope() as session:
        viewer = accounts.sign_up(
            session, email=email, password=PASSWORD, display_name="Ada", client_ip=IP
        )
    assert viewer is not None
    with session_scope() as session:
        account_links.resend_verification(session, viewer=viewer, client_ip=IP)
    second = link_token(email, "/auth/verify-email", nth=2)
    with session_scope() as session:
        assert account_links.verify_email(session, token=second).email_verified
    with session_scope() as session:  # already verified: nothing more is sent
        account_links.resend_verification(session, viewer=viewer, client_ip=IP)
    time.sleep(0.3)
    assert len(messages_to(email)) == 2
