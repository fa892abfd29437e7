"""Handing a session to the browser as an HttpOnly cookie, and reading it back.

A sign-in happens in a websocket event, whose answer cannot set a cookie, and a cookie a page's
script sets is one any script on the page can read. So the event leaves a one-time code in
Redis (`hand_off`) and has the page post it to `/session/start`, whose HTTP response sets the
cookie (`redeem`). The code is a one-time token (`one_time_tokens`): it works once, within a
minute, and Redis keeps only its hash. The websocket's handshake then carries the cookie
(`token_in_cookie_header`).

The websocket a visitor signs in on connected before the cookie existed, and a single-page
app keeps it. Its tab's session lives in Reflex's state for that tab, which Reflex can lose
while the socket stays open: the state expires after an hour without an event, and under
heavy overload a state's write-back can fail. So the session a connection signed in to is
also kept by the connection's id (`keep_for_connection`), and a tab whose state has no
session for its connection reads it from there when its handshake had no cookie
(`connection_token`).
"""

from __future__ import annotations

from learning_app.adapters.redis_store import REDIS_UNREACHABLE, get_async_redis
from learning_app.services.accounts import one_time_tokens
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.accounts.sessions import (
    SESSION_COOKIE,
    SESSION_TTL_SECONDS,
    is_well_formed_token,
    resolve_session,
)
from learning_app.services.errors import InvalidToken, ServiceUnavailable, unavailable_on


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


def _connection_key(connection_id: str) -> str:
    return f"connection_session:{connection_id}"


async def keep_for_connection(connection_id: str, token: str) -> None:
    """Keep that the websocket connection `connection_id` (Reflex's id for the socket, never
    the browser's word) signed in to `token`, for as long as a session lives; `token` ""
    forgets it (signed out). Raises ServiceUnavailable when Redis is unreachable."""
    if not connection_id:
        return
    key = _connection_key(connection_id)
    with unavailable_on(REDIS_UNREACHABLE):
        store = get_async_redis()
        if token:
            await store.set(key, token, ex=SESSION_TTL_SECONDS)
        else:
            await store.delete(key)


async def connection_token(connection_id: str, cookie_header: str) -> str:
    """The session a connection acts for, read when its tab's state has none for it: the
    cookie its handshake carried, else the session it signed in to; "" for none. The
    handshake's cookie comes first, as it did before connections kept a session: a page
    loaded signed in that signed in again on the same connection goes back to the session it
    was loaded with, which has ended if it signed out in between (shown signed out)."""
    token = token_in_cookie_header(cookie_header)
    if token or not connection_id:
        return token
    try:
        with unavailable_on(REDIS_UNREACHABLE):
            kept = await get_async_redis().get(_connection_key(connection_id))
    except ServiceUnavailable:
        return ""  # no session can be resolved then either
    return kept if kept is not None and is_well_formed_token(kept) else ""
