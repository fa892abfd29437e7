"""The app's Redis: sessions, one-time tokens, rate limits, event buffers."""

from __future__ import annotations

import functools

import redis

from learning_app.settings import get_settings, required


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
    return _client_for(required(get_settings().redis_url, "REDIS_URL"))
