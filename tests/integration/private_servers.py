"""Private copies of the stack's servers for tests that stop and restart one: own data dir,
free ports, the same server classes as `learning-app stack`. The shared stack is never touched."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

from learning_app.settings import reset_settings_cache
from learning_app.stack.base import MAX_PORT, MIN_PORT, Server
from learning_app.stack.processes import below_ephemeral_ports, port_in_use

S = TypeVar("S", bound=Server)
START_TIMEOUT_S = 90.0


def on_free_ports(build: Callable[[int], S]) -> S:
    """`build(port)` for a main port whose every derived port is free too (Typesense peers on
    port + 1; SeaweedFS opens nine more around its S3 port), below the ephemeral range."""
    candidates = below_ephemeral_ports()
    for _ in range(200):
        server = build(random.choice(candidates))
        numbers = [p.number for p in server.ports()]
        if all(MIN_PORT <= n <= MAX_PORT and not port_in_use(n) for n in numbers):
            return server
    raise RuntimeError("no free port layout found")


def restart(server: Server) -> None:
    server.ensure_up(time.monotonic() + START_TIMEOUT_S)


@contextmanager
def serving_the_app(server: S, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[S]:
    """Start `server`, point the app's settings at it through `env` for the duration, then stop
    it and restore the settings. Adapters cache clients per URL, so a new URL means a new
    client and the shared stack's clients stay as they were."""
    restart(server)
    try:
        with monkeypatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            reset_settings_cache()
            yield server
    finally:
        reset_settings_cache()
        server.stop(timeout=20)
