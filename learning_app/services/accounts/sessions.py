"""Server-side sessions in Redis: the browser holds only an opaque random id.

Redis stores `session:<sha256(id)>`, never the id itself, so a leaked Redis dump or a `KEYS`
listing cannot be replayed as cookies. Each user also has a set `user_sessions:<user_id>` of
those hashes, which is what "sign out everywhere" and "a password change ends other sessions"
walk through.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import re
import secrets
import time
import uuid

from learning_app.adapters.redis_store import (
    REDIS_UNREACHABLE,
    KeyValueStore,
    StoredScript,
    get_async_redis,
    get_redis,
)
from learning_app.services.errors import ServiceUnavailable, unavailable_on

SESSION_TTL_SECONDS = 7 * 24 * 3600
# Sliding expiry, but written at most once a day: most requests stay a read-only round trip.
REFRESH_INTERVAL_SECONDS = 24 * 3600
MAX_USER_AGENT_LENGTH = 512

# `secrets.token_urlsafe(32)`: 43 characters of the URL-safe base64 alphabet (256 bits).
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")

# One round trip for the common case. The refresh branch also extends the per-user set; its key
# is built inside the script, which is fine on a single Redis (not on Redis Cluster).
_RESOLVE_SCRIPT = """
local fields = redis.call('HMGET', KEYS[1], 'user_id', 'refreshed_at')
local user_id = fields[1]
if not user_id then return false end
local now = tonumber(ARGV[1])
local refreshed = tonumber(fields[2]) or 0
if now - refreshed >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'refreshed_at', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', 'user_sessions:' .. user_id, ARGV[3])
end
return user_id
"""

# The browser cookie holding the opaque session id (set by the app's pages, read by its routes).
SESSION_COOKIE = "la_session"


@functools.cache
def _resolve_script(client: KeyValueStore) -> StoredScript:
    # A registered script runs by EVALSHA: the script body is not resent on every request.
    return client.register_script(_RESOLVE_SCRIPT)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed_token(token: object) -> bool:
    """True for strings shaped like `secrets.token_urlsafe(32)`; checked before touching Redis."""
    return isinstance(token, str) and _TOKEN_SHAPE.match(token) is not None


def _session_key(hashed: str) -> str:
    return f"session:{hashed}"


def _user_sessions_key(user_id: uuid.UUID | str) -> str:
    return f"user_sessions:{user_id}"


def create_session(user_id: uuid.UUID, *, client_ip: str, user_agent: str) -> str:
    """Start a session for `user_id` and return its opaque id (the cookie value)."""
    token = secrets.token_urlsafe(32)
    hashed = token_hash(token)
    now = str(int(time.time()))
    key = _session_key(hashed)
    with unavailable_on(REDIS_UNREACHABLE):
        pipe = get_redis().pipeline(transaction=True)
        pipe.hset(
            key,
            mapping={
                "user_id": str(user_id),
                "created_at": now,
                "refreshed_at": now,
                "ip": client_ip or "",
                "ua": (user_agent or "")[:MAX_USER_AGENT_LENGTH],
            },
        )
        pipe.expire(key, SESSION_TTL_SECONDS)
        pipe.sadd(_user_sessions_key(user_id), hashed)
        pipe.expire(_user_sessions_key(user_id), SESSION_TTL_SECONDS)
        pipe.execute()
    return token


# The session a unit of work acts for, resolved before the unit took its slot
# (`resolve_ahead`): {token: user id or None}. A context variable, so each unit of work (its
# own copy of the context) sees only its own.
_resolved_ahead: contextvars.ContextVar[dict[str, uuid.UUID | None] | None] = (
    contextvars.ContextVar("resolved_ahead", default=None)
)


def resolve_ahead(token: object) -> None:
    """Resolve a unit of work's session before the unit holds a slot (`adapters/unit_slots`),
    so its Redis round trip is not spent holding one: the unit's `resolve_session(token)`
    then answers from it. A session ended while the unit waits for its slot (milliseconds,
    seconds under overload) still counts for that unit, as it would have a moment later;
    an account deactivated meanwhile does not, since the viewer's statement checks that.
    Redis being down is left for the unit to meet if it needs the session."""
    if not is_well_formed_token(token):
        return
    assert isinstance(token, str)
    ahead = _resolved_ahead.get()
    if ahead is not None and token in ahead:
        return  # resolved for this unit a moment ago (`resolve_ahead_in`)
    try:
        user_id = _resolve_in_redis(token)
    except ServiceUnavailable:
        return
    _resolved_ahead.set({token: user_id})


async def resolve_ahead_in(unit_context: contextvars.Context, token: object) -> None:
    """`resolve_ahead`, awaited, for a unit of work about to run in `unit_context` on the
    event loop (`adapters/loop_units.py`): the loop serves other tabs while Redis answers,
    where the unit's own round trip would hold it."""
    if not is_well_formed_token(token):
        return
    assert isinstance(token, str)
    try:
        with unavailable_on(REDIS_UNREACHABLE):
            # Not cached as the blocking client's is: a client per event loop (only its hash
            # is computed here; it still runs by EVALSHA).
            script = get_async_redis().register_script(_RESOLVE_SCRIPT)
            found = await script(keys=[_session_key(token_hash(token))], args=_resolve_args())
    except ServiceUnavailable:
        return
    unit_context.run(_resolved_ahead.set, {token: _user_id(found)})


def resolve_session(token: str | None) -> uuid.UUID | None:
    """The user id a session belongs to, or None if the id is missing, unknown or malformed."""
    if not is_well_formed_token(token):
        return None
    assert token is not None
    ahead = _resolved_ahead.get()
    if ahead is not None and token in ahead:
        return ahead[token]
    return _resolve_in_redis(token)


def _resolve_in_redis(token: str) -> uuid.UUID | None:
    with unavailable_on(REDIS_UNREACHABLE):
        found = _resolve_script(get_redis())(
            keys=[_session_key(token_hash(token))], args=_resolve_args()
        )
    return _user_id(found)


def _resolve_args() -> list[int]:
    return [int(time.time()), REFRESH_INTERVAL_SECONDS, SESSION_TTL_SECONDS]


def _user_id(found: object) -> uuid.UUID | None:
    """What the resolve script returned, as the session's user id."""
    if not found:
        return None
    try:
        return uuid.UUID(str(found))
    except ValueError:
        return None


def end_session(token: str | None) -> None:
    """Sign one session out; unknown or malformed ids are ignored (signing out is idempotent)."""
    if not is_well_formed_token(token):
        return
    assert token is not None
    hashed = token_hash(token)
    _resolved_ahead.set(None)
    with unavailable_on(REDIS_UNREACHABLE):
        client = get_redis()
        user_id = client.hget(_session_key(hashed), "user_id")
        pipe = client.pipeline(transaction=True)
        pipe.delete(_session_key(hashed))
        if user_id:
            pipe.srem(_user_sessions_key(str(user_id)), hashed)
        pipe.execute()


def end_all_sessions(user_id: uuid.UUID | str, *, keep_token: str | None = None) -> int:
    """End every session of the user except `keep_token`'s; returns how many were ended."""
    keep = token_hash(keep_token) if is_well_formed_token(keep_token) and keep_token else None
    set_key = _user_sessions_key(user_id)
    _resolved_ahead.set(None)
    with unavailable_on(REDIS_UNREACHABLE):
        client = get_redis()
        hashes = [str(h) for h in client.smembers(set_key) if h != keep]
        if not hashes:
            return 0
        pipe = client.pipeline(transaction=True)
        pipe.delete(*(_session_key(h) for h in hashes))
        pipe.srem(set_key, *hashes)
        deleted, _ = pipe.execute()
    return int(deleted)
