"""Fixed-window rate limits in Redis, keyed by a hash so emails and IPs are not stored in clear.

A fixed window lets through at most 2 x limit around a window boundary; for sign-in throttling
that is enough, and it costs one round trip and one key per (bucket, key).
"""

from __future__ import annotations

import functools
import hashlib

from learning_app.adapters.redis_store import (
    REDIS_UNREACHABLE,
    KeyValueStore,
    StoredScript,
    get_redis,
)
from learning_app.services.errors import RateLimited, unavailable_on

# Count, start the window on the first hit, and report how long the window has left.
# The TTL repair covers a key that lost its expiry (e.g. written by hand): never block forever.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


# Take back one counted attempt, never below zero, keeping the window's expiry.
_GIVE_BACK_SCRIPT = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""


@functools.cache
def _hit_script(client: KeyValueStore) -> StoredScript:
    return client.register_script(_HIT_SCRIPT)


@functools.cache
def _give_back_script(client: KeyValueStore) -> StoredScript:
    return client.register_script(_GIVE_BACK_SCRIPT)


def _key(bucket: str, key: str) -> str:
    return f"ratelimit:{bucket}:{hashlib.sha256(key.encode()).hexdigest()}"


def hit(
    bucket: str, key: str, *, limit: int, window_seconds: int, reason: str | None = None
) -> None:
    """Count one attempt; raise RateLimited once more than `limit` fall in the window (its
    message opens with `reason` when given)."""
    count, ttl = spend(bucket, key, window_seconds=window_seconds)
    if count > limit:
        raise RateLimited(retry_after_seconds=ttl, reason=reason)


def spend(bucket: str, key: str, *, window_seconds: int) -> tuple[int, int]:
    """Count one attempt, refusing nothing; returns the window's count and seconds left."""
    with unavailable_on(REDIS_UNREACHABLE):
        count, ttl = _hit_script(get_redis())(keys=[_key(bucket, key)], args=[window_seconds])
    return int(count), int(ttl)


def refuse_if_reached(bucket: str, key: str, *, limit: int, reason: str | None = None) -> None:
    """Raise RateLimited if `limit` attempts already fall in the window, counting nothing
    (for a budget that only failures spend: see `spend`)."""
    client = get_redis()
    with unavailable_on(REDIS_UNREACHABLE):
        pipe = client.pipeline()
        pipe.get(_key(bucket, key))
        pipe.ttl(_key(bucket, key))
        count, ttl = pipe.execute()
    if int(count or 0) >= limit:
        raise RateLimited(retry_after_seconds=max(int(ttl), 1), reason=reason)


def give_back(bucket: str, key: str) -> None:
    """Uncount one attempt (e.g. a check in flight that has ended)."""
    with unavailable_on(REDIS_UNREACHABLE):
        _give_back_script(get_redis())(keys=[_key(bucket, key)], args=[])


def reset(bucket: str, key: str) -> None:
    """Forget the attempts (e.g. after a successful sign-in)."""
    with unavailable_on(REDIS_UNREACHABLE):
        get_redis().delete(_key(bucket, key))
