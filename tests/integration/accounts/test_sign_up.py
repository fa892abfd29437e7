"""Signing up and verifying the email address, against the real stack."""

from __future__ import annotations

import pytest
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.progress import UserStats
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.accounts import links, users
from learning_app.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidToken,
)
from learning_app.settings import get_settings
from tests.integration.accounts.helpers import (
    IP,
    PASSWORD,
    link_token,
    messages_to,
    sign_in,
    user_count,
    wait_for_mail,
)

# --- sign-up and verification ------------------------------------------------------------------


def test_sign_up_creates_a_student_with_profile_and_stats(stores: None, email: str) -> None:
    with session_scope() as session:
        viewer = users.sign_up(
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
        assert links.verify_email(session, token=token).email_verified is True
    with session_scope() as session, pytest.raises(InvalidToken):
        links.verify_email(session, token=token)


def test_email_is_case_insensitive_and_a_taken_address_reveals_nothing(
    stores: None, unique: str
) -> None:
    typed = f"Foo-{unique}@X.com"
    with session_scope() as session:
        first = users.sign_up(
            session, email=typed, password=PASSWORD, display_name="Foo", client_ip=IP
        )
    assert first is not None and first.email == typed
    with session_scope() as session:
        second = users.sign_up(
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
        users.sign_up(session, client_ip=IP, **values)
    assert caught.value.field == field
    assert str(caught.value)
    assert user_count() == 0
    assert messages_to(email) == []


def test_display_name_markup_is_stored_verbatim(stores: None, email: str) -> None:
    name = "<script>alert(1)</script>"
    with session_scope() as session:
        viewer = users.sign_up(
            session, email=email, password=PASSWORD, display_name=name, client_ip=IP
        )
    assert viewer is not None and viewer.display_name == name
    _, token = sign_in(email)
    with session_scope() as session:
        updated = users.update_profile(session, token=token, display_name="  Ada  Byron ")
    assert updated.display_name == "Ada Byron"
    with session_scope() as session, pytest.raises(InvalidInput):
        users.update_profile(session, token=token, display_name="")
    with session_scope() as session:
        assert session.exec(select(UserProfile.display_name)).one() == "Ada Byron"
