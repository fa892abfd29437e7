"""Roles, the admin list, safe redirects, a Redis outage, the CLI, verification mail."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import UserRole
from learning_app.services.accounts import links, users, viewers
from learning_app.services.accounts.redirects import safe_next_path
from learning_app.services.admin.user_roles import list_users, set_role
from learning_app.services.errors import (
    InvalidInput,
    PermissionDenied,
    ServiceUnavailable,
)
from learning_app.settings import reset_settings_cache
from learning_app.stack.processes import free_port
from tests.integration.accounts.helpers import (
    IP,
    PASSWORD,
    link_token,
    make_user,
    messages_to,
    sign_in,
    user_count,
)

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
        assert viewers.viewer_for_session(session, student_token).role == "teacher"  # type: ignore[union-attr]
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
            viewers.viewer_for_session(session, "a" * 43)
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
        viewer = users.sign_up(
            session, email=email, password=PASSWORD, display_name="Ada", client_ip=IP
        )
    assert viewer is not None
    _, token = sign_in(email)
    with session_scope() as session:
        assert links.resend_verification(session, token=token, client_ip=IP) is True
    second = link_token(email, "/auth/verify-email", nth=2)
    with session_scope() as session:
        assert links.verify_email(session, token=second).email_verified
    with session_scope() as session:  # already verified: nothing more is sent
        assert links.resend_verification(session, token=token, client_ip=IP) is False
    time.sleep(0.3)
    assert len(messages_to(email)) == 2
