"""Single-use tokens: sent by email (magic links, password resets, email verification), or
handed to the page that signed in, to exchange for its session cookie (`cookie_handoff`).

Only the SHA-256 of a token is stored, so reading Redis does not let anyone sign in. `consume`
uses GETDEL: of two concurrent clicks on the same link exactly one wins.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from enum import StrEnum

from learning_app.adapters.redis_store import REDIS_UNREACHABLE, get_redis
from learning_app.services.accounts.sessions import is_well_formed_token, token_hash
from learning_app.services.errors import InvalidToken, unavailable_on


class TokenPurpose(StrEnum):
    MAGIC_LINK = "magiclink"
    PASSWORD_RESET = "reset"  # noqa: S105 - a key prefix, not a password
    EMAIL_VERIFICATION = "verify"
    SESSION_HANDOFF = "session_handoff"


TOKEN_TTLS: dict[TokenPurpose, timedelta] = {
    TokenPurpose.MAGIC_LINK: timedelta(minutes=15),
    TokenPurpose.PASSWORD_RESET: timedelta(minutes=30),
    TokenPurpose.EMAIL_VERIFICATION: timedelta(hours=24),
    # Long enough for a slow page to post it, short enough that one left in a closed tab is
    # soon useless.
    TokenPurpose.SESSION_HANDOFF: timedelta(seconds=60),
}


def _key(purpose: TokenPurpose, raw: str) -> str:
    # The purpose is part of the key, so a verification link can never be used as a reset link.
    return f"{TokenPurpose(purpose).value}:{token_hash(raw)}"


def issue(purpose: TokenPurpose, user_id: uuid.UUID, ttl: timedelta | int | None = None) -> str:
    """Store a new token for `user_id` and return the raw value to put in the link.

    `ttl` is a timedelta or seconds; the purpose's default (TOKEN_TTLS) when omitted.
    """
    return issue_for(purpose, str(user_id), ttl)


def issue_for(purpose: TokenPurpose, value: str, ttl: timedelta | int | None = None) -> str:
    """`issue` for any `value` (not only a user id); `consume_value` gives it back."""
    lifetime = TOKEN_TTLS[TokenPurpose(purpose)] if ttl is None else ttl
    seconds = int(lifetime.total_seconds()) if isinstance(lifetime, timedelta) else int(lifetime)
    raw = secrets.token_urlsafe(32)  # 256 bits
    with unavailable_on(REDIS_UNREACHABLE):
        get_redis().set(_key(purpose, raw), value, ex=max(1, seconds))
    return raw


def consume(purpose: TokenPurpose, raw: str | None) -> uuid.UUID:
    """The user id the token was issued for; the token is spent. InvalidToken otherwise."""
    try:
        return uuid.UUID(consume_value(purpose, raw))
    except ValueError as exc:
        raise InvalidToken() from exc


def consume_value(purpose: TokenPurpose, raw: object) -> str:
    """The value the token was issued for (`issue_for`); the token is spent. InvalidToken
    otherwise."""
    if not is_well_formed_token(raw):
        raise InvalidToken()
    assert isinstance(raw, str)
    with unavailable_on(REDIS_UNREACHABLE):
        value = get_redis().getdel(_key(purpose, raw))
    if not value:
        raise InvalidToken()
    return str(value)
