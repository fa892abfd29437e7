"""Handing a session to the browser as an HttpOnly cookie, and reading it back.

A sign-in happens in a websocket event, whose answer cannot set a cookie, and a cookie a page's
script sets is one any script on the page can read. So the event leaves a one-time code in
Redis (`hand_off`) and has the page post it to `/session/start`, whose HTTP response sets the
cookie (`redeem`). The code is a one-time token (`one_time_tokens`): it works once, within a
minute, and Redis keeps only its hash. The websocket's handshake then carries the cookie
(`token_in_cookie_header`).
"""

from __future__ import annotations

from learning_app.services.accounts import one_time_tokens
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.accounts.sessions import (
    SESSION_COOKIE,
    is_well_formed_token,
    resolve_session,
)
from learning_app.services.errors import InvalidToken


def hand_off(token: str) -> str:
    """A one-time code that `/session/start` exchanges for the cookie holding `token`."""
    return one_time_tokens.issue_for(TokenPurpose.SESSION_HANDOFF, token)


def redeem(code: object) -> str | None:
    """The session token `code` was handed off for, if the code is fresh and unused and the
    session still live; None otherwise. Either way the code is used up."""
    try:
        token = one_time_tokens.consume_value(TokenPurpose.SESSION_HANDOFF, code)
    except InvalidToken:
        return None
    return token if resolve_session(token) is not None else None


def token_in_cookie_header(header: str) -> str:
    """The session cookie's value in a `Cookie:` request header; "" when it has none, or one
    not shaped like a session id (nothing unchecked reaches Redis)."""
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == SESSION_COOKIE:
            value = value.strip().strip('"')
            return value if is_well_formed_token(value) else ""
    return ""
