"""Brief units of work on the app worker's event loop, without a thread.

A unit of work normally runs in a thread of its own (`state/calls.py`), holding one of the
worker's slots (`adapters/unit_slots.py`). Under load that thread shares the worker's one GIL
with the event loop and the other units: every statement's reply, the session check in Redis
and the hops to the thread and back each wait for the GIL, and the units wait for a slot. At
320 students the slowest 5% of events spent most of their time in those waits, not in work
(README, "Load test", the twenty-third and twenty-fourth sessions).

A unit marked `on_event_loop` (`adapters/postgres.py`: a few indexed statements, no wait on
another server, safe to run again) therefore runs on the event loop itself. The loop is
blocked meanwhile, so what a unit may hold it for is bounded:

- it runs there only when the pool of its kind has a connection in use within the last
  `PING_AFTER_IDLE_S`: no connect and no ping on the loop. Otherwise (the first unit after a
  quiet second, a fresh worker) it runs in a thread, with the same short timeouts, which warms
  the pool for the next;
- each of its statements waits at most `LOCK_TIMEOUT_S` for a lock and runs at most
  `STATEMENT_TIMEOUT_S`. A unit stopped by either ran nothing to its end (Postgres rolled the
  statement back), so it runs again from the start in a thread with the interactive timeouts;
- a unit stopped that way, or one that held the loop longer than `LONGEST_S`, sends this
  process's brief units to threads for the next `PAUSE_S`, twice as long each time it
  happens again within a pause of the last one (up to `LONGEST_PAUSE_S`): a store that has
  slowed down (a migration's lock, a long import, an overloaded server) then costs the units
  their threads' wait, not every tab of the worker a stall.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.pool import QueuePool

from learning_app.adapters.postgres import PING_AFTER_IDLE_S, EngineKind, engine_kind, get_engine

T = TypeVar("T")
log = logging.getLogger(__name__)

# A brief unit's statement needs a millisecond or two; a lock held by another transaction is
# waited for in a thread instead.
LOCK_TIMEOUT_S = 0.05
STATEMENT_TIMEOUT_S = 0.25
# Longer than the collector's full collection under load (50-160 ms, every ~10 s per worker),
# which stalls the loop whatever runs on it: a unit caught in one is not a slow database.
LONGEST_S = 0.5
PAUSE_S = 10.0
LONGEST_PAUSE_S = 320.0


class Overran(Exception):
    """A brief unit was stopped by its short lock or statement timeout: run it again in a
    thread, with the interactive timeouts."""


class LoopUnits:
    """Whether a brief unit may run on this process's event loop now."""

    def __init__(self) -> None:
        self._last_done: dict[EngineKind, float] = {}
        self._paused_until = 0.0
        self._pause_s = PAUSE_S

    def paused(self) -> bool:
        """Brief units run as any other, in threads with the interactive timeouts, for now."""
        return time.monotonic() < self._paused_until

    def may_run_here(self, *, read_only: bool) -> bool:
        """True when the unit's pool holds a connection used moments ago (so taking it
        neither connects nor pings)."""
        kind = self.kind(read_only=read_only)
        if time.monotonic() - self._last_done.get(kind, float("-inf")) > PING_AFTER_IDLE_S:
            return False
        pool = get_engine(kind).pool  # a QueuePool: `get_engine` makes no other kind
        return isinstance(pool, QueuePool) and pool.checkedin() > 0

    @staticmethod
    def kind(*, read_only: bool) -> EngineKind:
        return engine_kind(LOCK_TIMEOUT_S, STATEMENT_TIMEOUT_S, read_only=read_only)

    def run_here(self, unit: Callable[[], T], *, name: str) -> T:
        """`unit()` on the calling thread (the event loop), timed: a unit that held it too
        long pauses the brief units' place on the loop."""
        started = time.monotonic()
        try:
            return unit()
        finally:
            held = time.monotonic() - started
            if held > LONGEST_S:
                self.pause(f"{name} held the event loop for {held * 1000:.0f} ms")

    def done(self, *, read_only: bool) -> None:
        """A brief unit of this kind has given its connection back to the pool."""
        self._last_done[self.kind(read_only=read_only)] = time.monotonic()

    def pause(self, why: str) -> None:
        now = time.monotonic()
        if now < self._paused_until:  # another unit overran meanwhile: the pause starts over
            self._paused_until = now + self._pause_s
            return
        # Overrunning again within a pause of the last one: the store is still slow.
        recent = now - self._paused_until < self._pause_s
        self._pause_s = min(self._pause_s * 2, LONGEST_PAUSE_S) if recent else PAUSE_S
        self._paused_until = now + self._pause_s
        log.warning("brief units run in threads for %.0f s: %s", self._pause_s, why)
