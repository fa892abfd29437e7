"""An in-process least-recently-used cache, for values that are costly to make and never change
for their key (a query's vector under one model, a text's rendered HTML): bounded by a count of
entries and, optionally, by their total weight (characters, say), and safe across threads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(
        self,
        max_entries: int,
        *,
        max_weight: int | None = None,
        weigh: Callable[[K, V], int] = lambda _key, _value: 1,
    ) -> None:
        self._max_entries, self._max_weight, self._weigh = max_entries, max_weight, weigh
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        """Keep `value`, then drop the least recently used entries beyond the bounds. A value
        heavier than `max_weight` on its own is not kept."""
        weight = self._weigh(key, value)
        if self._max_weight is not None and weight > self._max_weight:
            return
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._weight -= old[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while len(self._entries) > self._max_entries or (
                self._max_weight is not None and self._weight > self._max_weight
            ):
                self._weight -= self._entries.popitem(last=False)[1][1]

    def __len__(self) -> int:
        return len(self._entries)
