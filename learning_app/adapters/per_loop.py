"""A value made on first use on each event loop.

What holds asyncio connections (a Redis client, an async engine) belongs to the loop that
opened them, so each loop makes its own. An app worker has one loop for its life; tests and
the CLI end theirs, and a value of an ended loop is dropped when a new loop makes its own
(its connections, which refer to their loop, close as they are collected). Not a weak
mapping, for that reason: the value would keep its loop alive.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made: dict[asyncio.AbstractEventLoop, T] = {}
        self._lock = threading.Lock()

    def get(self) -> T:
        """The running loop's value, made now if it has none yet. Only that loop's thread
        uses it, so using it needs no lock."""
        loop = asyncio.get_running_loop()
        made = self._made.get(loop)
        if made is None:
            with self._lock:
                for ended in [other for other in self._made if other.is_closed()]:
                    del self._made[ended]
                made = self._made[loop] = self._make()
        return made

    def pop(self) -> T | None:
        """The running loop's value, forgotten: to close it before the loop ends."""
        with self._lock:
            return self._made.pop(asyncio.get_running_loop(), None)

    def forget(self) -> None:
        """Every loop's value is made anew on its next `get`; the old ones are not closed."""
        with self._lock:
            self._made.clear()
