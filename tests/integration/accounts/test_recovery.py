"""Password reset and change, and signing out everywhere."""

from __future__ import annotations

import uuid

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.services.accounts import links, one_time_tokens, sessions, users
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidToken,
    PermissionDenied,
)
from tests.integration.accounts.helpers import (
    IP,
    PASSWORD,
    link_token,
    make_user,
    sign_in,
)

# --- password reset and change -----------------------------------------------------------------


def test_password_reset_link(stores: None, email: str) -> None:
    make_user(email)
    _, phone = sign_in(email)
    _, laptop = sign_in(email)
    with session_scope() as session:
        links.request_password_reset(session, email=email, client_ip=IP)
    token = link_token(email, "/auth/reset-password")

    with session_scope() as session, pytest.raises(InvalidInput) as short:
        links.reset_password(session, token=token, new_password="short")
    assert short.value.field == "password"
    with session_scope() as session:  # the too-short attempt did not burn the link
        links.reset_password(session, token=token, new_password="a brand new password")
    assert sessions.resolve_session(phone) is None
    assert sessions.resolve_session(laptop) is None
    with session_scope() as session, pytest.raises(InvalidToken):
        links.reset_password(session, token=token, new_password="yet another password")
    with pytest.raises(AuthenticationFailed):
        sign_in(email)
    assert sign_in(email, "a brand new password")[0].email == email


def test_expired_reset_link_is_refused(stores: None, email: str) -> None:
    viewer = make_user(email)
    token = one_time_tokens.issue(TokenPurpose.PASSWORD_RESET, uuid.UUID(viewer.user_id))
    get_redis().delete(f"reset:{sessions.token_hash(token)}")  # what expiry does
    with session_scope() as session, pytest.raises(InvalidToken):
        links.reset_password(session, token=token, new_password="a brand new password")
    # A magic-link token is not a reset token.
    other = one_time_tokens.issue(TokenPurpose.MAGIC_LINK, uuid.UUID(viewer.user_id))
    with session_scope() as session, pytest.raises(InvalidToken):
        links.reset_password(session, token=other, new_password="a brand new password")


def test_change_password_ends_other_sessions_but_not_this_one(stores: None, email: str) -> None:
    make_user(email)
    _, current = sign_in(email)
    _, other = sign_in(email)
    with session_scope() as session, pytest.raises(InvalidInput) as wrong:
        users.change_password(
            session, token=current, current_password="nope", new_password="a new password"
        )
    assert wrong.value.field == "current_password"
    assert sessions.resolve_session(other) is not None
    with session_scope() as session:
        users.change_password(
            session, token=current, current_password=PASSWORD, new_password="a new password"
        )
    assert sessions.resolve_session(current) is not None
    assert sessions.resolve_session(other) is None
    assert sign_in(email, "a new password")[0].email == email


def test_sign_out_everywhere(stores: None, email: str) -> None:
    make_user(email)
    tokens = [sign_in(email)[1] for _ in range(3)]
    with session_scope() as session:
        users.sign_out_everywhere(session, token=tokens[0])
    assert [sessions.resolve_session(t) for t in tokens] == [None, None, None]
    with session_scope() as session, pytest.raises(PermissionDenied) as caught:
        users.sign_out_everywhere(session, token=tokens[0])
    assert str(caught.value) == "Please sign in first."
