"""Production's Reflex state lease: a worker keeps a tab's state for `OPLOCK_HOLD_S` after
taking its lock, and the lock outlives that hold, as Reflex requires when it starts."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis

from learning_app.cli.support import OPLOCK_HOLD_S, reflex_environment
from learning_app.settings import Settings


def test_production_holds_a_tab_state_for_15_s_under_a_longer_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("REFLEX_OPLOCK_HOLD_TIME", "REFLEX_OPLOCK_HOLD_TIME_MS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:6379/0")
    env = reflex_environment(settings, prod=True)
    assert env["REFLEX_OPLOCK_ENABLED"] == "true"
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "true")
    monkeypatch.setenv("REFLEX_OPLOCK_HOLD_TIME", env["REFLEX_OPLOCK_HOLD_TIME"])
    # Built as a worker builds it: Reflex refuses a hold that is not shorter than the lock.
    manager = StateManagerRedis(redis=Redis.from_url(settings.redis_url))
    assert manager.oplock_hold_time_ms == OPLOCK_HOLD_S * 1000 == 15_000
    assert manager.lock_expiration == 20_000


def test_an_operators_own_hold_time_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEX_OPLOCK_HOLD_TIME", "5")
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:6379/0")
    assert reflex_environment(settings, prod=True)["REFLEX_OPLOCK_HOLD_TIME"] == "5"
