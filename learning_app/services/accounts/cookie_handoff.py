"""Handing a session to the browser as an HttpOnly cookie, and reading it back.

A sign-in happens in a websocket event, whose answer cannot set a cookie, and a cookie a page's
script sets is one any script on the page can read. So the event leaves a one-time code in
Redis (`hand_off`) and has the browser post it to `/session/start`, whose HTTP response sets
the cookie (`redeem`). The code works once, within HANDOFF_TTL_SECONDS, and Redis keeps only
its hash. The websocket's handshake then carries the cookie (`token_in_cookie_header`).
"""

from __future__ import annotations

import secrets

from learning_app.adapters.redis_store import REDIS_UNREACHABLE, get_redis
from learning_app.services.accounts.sessions import (
    SESSION_COOKIE,
    is_well_formed_token,
    resolve_session,
    token_hash,
)
from learning_app.services.errors import unavailable_on

# Long enough for a slow page to post the code, short enough that a code left in a closed tab
# is soon useless.
HANDOFF_TTL_SECONDS = 60


def _handoff_key(code: str) -> str:
    return f"session_handoff:{token_hash(code)}"


def hand_off(token: str) -> str:
    """A one-time code that `/session/start` exchanges for the cookie holding `token`."""
    code = secrets.token_urlsafe(32)
    with unavailable_on(REDIS_UNREACHABLE):
        get_redis().set(_handoff_key(code), token, ex=HANDOFF_TTL_SECONDS)
    return code


def redeem(code: object) -> str | None:
    """The session token `code` was handed off for, if the code is fresh and unused and the
    session still live; None otherwise. Either way the code is used up."""
    if not is_well_formed_token(code):
        return None
    assert isinstance(code, str)
    with unavailable_on(REDIS_UNREACHABLE):
        token = get_redis().getdel(_handoff_key(code))
    if token is None or resolve_session(str(token)) is None:
        return None
    return str(token)


def token_in_cookie_header(header: str) -> str:
    """The session cookie's value in a `Cookie:` request header; "" when it has none, or one
    not shaped like a session id (nothing unchecked reaches Redis)."""
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == SESSION_COOKIE:
            value = value.strip().strip('"')
            return value if is_well_formed_token(value) else ""
    return ""
