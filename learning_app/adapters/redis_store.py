"""The app's Redis: sessions, one-time tokens, rate limits, event buffers."""

from __future__ import annotations

import functools

import redis

from learning_app.settings import get_settings


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )


def get_redis() -> redis.Redis:
    url = get_settings().redis_url
    assert url is not None
    return _client_for(url)
