"""A value made on first use in each process.

An app worker is a process forked from the server's. What the parent made before the fork
(a thread pool, whose threads the child does not have; slots, whose holders it does not
have; a process pool, whose pipes it shares) must not be used in the child, so each process
makes its own: the value is kept with the pid that made it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made: tuple[int, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """This process's value, made now if it has none yet."""
        with self._lock:
            if self._made is None or self._made[0] != os.getpid():
                self._made = (os.getpid(), self._make())
            return self._made[1]

    def forget(self) -> None:
        """The next `get` makes a new value (the old one broke, or its settings changed)."""
        with self._lock:
            self._made = None
