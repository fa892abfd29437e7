"""Sessions, one-time tokens and rate limits against the real (test) Redis."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from learning_app.adapters import unit_slots
from learning_app.adapters.redis_store import get_redis
from learning_app.services import rate_limits
from learning_app.services.accounts import one_time_tokens, sessions
from learning_app.services.accounts.one_time_tokens import TokenPurpose
from learning_app.services.errors import InvalidToken, RateLimited
from learning_app.settings import Settings
from learning_app.state.calls import call_with_session


@pytest.fixture
def redis_db(running_stack: object) -> Iterator[None]:
    get_redis().flushdb()  # DB 1: the tests' own
    yield
    get_redis().flushdb()


def test_a_session_stores_only_the_hash_of_its_id(redis_db: None) -> None:
    user_id = uuid.uuid4()
    token = sessions.create_session(user_id, client_ip="198.51.100.1", user_agent="ua")
    assert sessions.resolve_session(token) == user_id
    keys = get_redis().keys("*")
    assert token not in "".join(keys)
    stored = get_redis().hgetall(f"session:{sessions.token_hash(token)}")
    assert stored["user_id"] == str(user_id)
    assert {"created_at", "refreshed_at", "ip", "ua"} <= stored.keys()
    assert 0 < get_redis().ttl(f"session:{sessions.token_hash(token)}") <= 7 * 24 * 3600


@pytest.mark.parametrize("token", [None, "", "short", "a" * 44, "a" * 42 + "!", "/" * 43])
def test_malformed_or_unknown_session_ids_resolve_to_nobody(redis_db: None, token: str) -> None:
    assert sessions.resolve_session(token) is None
    assert sessions.resolve_session("a" * 43) is None  # well formed, unknown


def test_the_ttl_is_refreshed_at_most_once_a_day(redis_db: None) -> None:
    token = sessions.create_session(uuid.uuid4(), client_ip="", user_agent="")
    key = f"session:{sessions.token_hash(token)}"
    get_redis().expire(key, 3600)
    sessions.resolve_session(token)
    assert get_redis().ttl(key) <= 3600  # refreshed today: left alone
    get_redis().hset(key, "refreshed_at", str(int(time.time()) - 25 * 3600))
    sessions.resolve_session(token)
    assert get_redis().ttl(key) > 6 * 24 * 3600


def test_end_all_sessions_can_keep_one(redis_db: None) -> None:
    user_id = uuid.uuid4()
    keep, *others = [
        sessions.create_session(user_id, client_ip="", user_agent="") for _ in range(3)
    ]
    stranger = sessions.create_session(uuid.uuid4(), client_ip="", user_agent="")
    assert sessions.end_all_sessions(user_id, keep_token=keep) == 2
    assert sessions.resolve_session(keep) == user_id
    assert [sessions.resolve_session(t) for t in others] == [None, None]
    assert sessions.resolve_session(stranger) is not None
    sessions.end_session(keep)
    assert sessions.resolve_session(keep) is None
    sessions.end_session(keep)  # idempotent


def _session_key(token: str) -> str:
    return f"session:{sessions.token_hash(token)}"


def test_a_session_resolved_ahead_answers_its_own_unit_only(redis_db: None) -> None:
    user_id = uuid.uuid4()
    token = sessions.create_session(user_id, client_ip="", user_agent="")
    other = sessions.create_session(uuid.uuid4(), client_ip="", user_agent="")

    def unit() -> list[uuid.UUID | None]:
        sessions.resolve_ahead(token)
        get_redis().delete(_session_key(token))  # ended after the unit resolved it
        get_redis().delete(_session_key(other))
        return [sessions.resolve_session(token), sessions.resolve_session(other)]

    # Its own token answers from what was resolved ahead; any other token asks Redis.
    assert contextvars.copy_context().run(unit) == [user_id, None]
    assert sessions.resolve_session(token) is None  # another unit asks Redis again


@pytest.mark.parametrize("ending", ["this session", "every session"])
def test_ending_a_session_forgets_what_was_resolved_ahead(redis_db: None, ending: str) -> None:
    user_id = uuid.uuid4()
    token = sessions.create_session(user_id, client_ip="", user_agent="")

    def unit() -> uuid.UUID | None:
        sessions.resolve_ahead(token)
        if ending == "this session":
            sessions.end_session(token)
        else:
            sessions.end_all_sessions(user_id)
        return sessions.resolve_session(token)

    assert contextvars.copy_context().run(unit) is None


def test_a_unit_resolves_its_session_before_it_waits_for_a_slot(
    redis_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(_env_file=None, unit_of_work_slots=1)
    monkeypatch.setattr(unit_slots, "get_settings", lambda: settings)
    unit_slots._slots.forget()
    user_id = uuid.uuid4()
    token = sessions.create_session(user_id, client_ip="", user_agent="")
    key = _session_key(token)
    # A day-old refresh: resolving the session writes `refreshed_at`, which shows it happened.
    get_redis().hset(key, "refreshed_at", str(int(time.time()) - 25 * 3600))
    results: list[uuid.UUID | None] = []

    def resolve(_session: object, token: str) -> uuid.UUID | None:
        return sessions.resolve_session(token)

    try:
        with unit_slots.unit_slot():  # the one slot is taken: the unit must wait for it
            page = threading.Thread(
                target=lambda: results.append(asyncio.run(call_with_session(resolve, token=token)))
            )
            page.start()
            deadline = time.monotonic() + 10
            while int(get_redis().hget(key, "refreshed_at")) < time.time() - 3600:
                assert time.monotonic() < deadline, "the session was not resolved ahead"
                time.sleep(0.01)
            get_redis().delete(key)  # so the unit can only answer from what it resolved
        page.join(timeout=10)
    finally:
        unit_slots._slots.forget()
    assert results == [user_id]


def test_one_time_tokens_are_single_use_and_bound_to_their_purpose(redis_db: None) -> None:
    user_id = uuid.uuid4()
    token = one_time_tokens.issue(TokenPurpose.EMAIL_VERIFICATION, user_id)
    assert len(token) >= 43  # 256 bits
    assert get_redis().ttl(f"verify:{sessions.token_hash(token)}") > 23 * 3600
    with pytest.raises(InvalidToken):
        one_time_tokens.consume(TokenPurpose.MAGIC_LINK, token)
    assert one_time_tokens.consume(TokenPurpose.EMAIL_VERIFICATION, token) == user_id
    with pytest.raises(InvalidToken):
        one_time_tokens.consume(TokenPurpose.EMAIL_VERIFICATION, token)


def test_rate_limit_counts_resets_and_says_when_to_retry(redis_db: None) -> None:
    for _ in range(2):
        rate_limits.hit("test", "someone", limit=2, window_seconds=120)
    with pytest.raises(RateLimited) as caught:
        rate_limits.hit("test", "someone", limit=2, window_seconds=120)
    assert str(caught.value) == "Too many attempts. Try again in 2 minutes."
    rate_limits.hit("test", "someone else", limit=2, window_seconds=120)
    assert all("someone" not in key for key in get_redis().keys("ratelimit:*"))
    rate_limits.reset("test", "someone")
    rate_limits.hit("test", "someone", limit=2, window_seconds=120)


def test_rate_limited_message_wording() -> None:
    assert str(RateLimited(42)) == "Too many attempts. Try again in 42 seconds."
    assert str(RateLimited(1)) == "Too many attempts. Try again in 1 second."
    assert str(RateLimited(61)) == "Too many attempts. Try again in 2 minutes."
    assert RateLimited(0).retry_after_seconds == 1
