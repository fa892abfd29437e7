"""`learning-app bench auth`: what a session lookup adds over a bare Redis GET, and argon2's cost.

Both lookups run in the same process against the same Redis in one run, so the difference is
the cost of our session layer (hashing the id, the Lua script, parsing), not of the network.
"""

from __future__ import annotations

import secrets
import statistics
import time
import uuid
from collections.abc import Callable

from learning_app.adapters.redis_store import get_redis
from learning_app.bench.stats import percentile
from learning_app.services.accounts import sessions
from learning_app.services.accounts.passwords import hash_password

ARGON2_SAMPLES = 10
WARMUP = 50


def _timings_ms(
    actions: list[Callable[[], object]], samples: int, warmup: int = WARMUP
) -> list[list[float]]:
    """Timings of each action; they alternate, so a slow moment of the machine hits all alike."""
    for _ in range(warmup):  # connections open and the script is cached before we measure
        for action in actions:
            action()
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(samples):
        for action, times in zip(actions, timings, strict=True):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
    return timings


def run_auth_bench(samples: int = 2000) -> dict[str, float]:
    """Session lookup vs raw Redis GET (p50/p95, ms) and the median argon2id hash time (ms)."""
    client = get_redis()
    token = sessions.create_session(uuid.uuid4(), client_ip="127.0.0.1", user_agent="bench")
    raw_key = f"bench:auth:{secrets.token_hex(8)}"
    client.set(raw_key, "x", ex=600)
    try:
        session_ms, get_ms = _timings_ms(
            [lambda: sessions.resolve_session(token), lambda: client.get(raw_key)], samples
        )
    finally:
        sessions.end_session(token)
        client.delete(raw_key)
    (hash_ms,) = _timings_ms(
        [lambda: hash_password("correct horse battery")], ARGON2_SAMPLES, warmup=1
    )

    session_p95 = percentile(session_ms, 0.95)
    get_p95 = percentile(get_ms, 0.95)
    return {
        "samples": samples,
        "session_p50_ms": round(percentile(session_ms, 0.50), 3),
        "session_p95_ms": round(session_p95, 3),
        "redis_get_p50_ms": round(percentile(get_ms, 0.50), 3),
        "redis_get_p95_ms": round(get_p95, 3),
        "added_p95_ms": round(session_p95 - get_p95, 3),
        "argon2_hash_ms": round(statistics.median(hash_ms), 1),
    }
