"""A store's clients, kept for the life of the process: one per address and credentials,
made on first use and closed together when the process stops (`closing.close_connections`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

C = TypeVar("C")


class KeptClients(Generic[C]):
    def __init__(self, make: Callable[..., C], close: Callable[[C], object]) -> None:
        self._make, self._close = make, close
        self._made: dict[tuple[str, ...], C] = {}
        self._lock = threading.Lock()

    def get(self, *key: str) -> C:
        """The client for `key` (`make(*key)`), made now if there is none yet."""
        client = self._made.get(key)  # every call on a store asks: no lock once it is made
        if client is None:
            with self._lock:
                client = self._made.get(key)
                if client is None:
                    client = self._made[key] = self._make(*key)
        return client

    def close_all(self) -> None:
        """Close every client and forget it: the next `get` makes a new one."""
        with self._lock:
            made = list(self._made.values())
            self._made.clear()
        for client in made:
            self._close(client)
