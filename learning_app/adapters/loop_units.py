"""Brief units of work on the app worker's event loop, without a thread.

A unit of work normally runs in a thread of its own (`state/calls.py`), holding one of the
worker's slots (`adapters/unit_slots.py`). Under load that thread shares the worker's one GIL
with the event loop and the other units: every statement's reply, the session check in Redis
and the hops to the thread and back each wait for the GIL, and the units wait for a slot. At
320 students the slowest 5% of events spent most of their time in those waits, not in work
(README, "Load test", the twenty-third and twenty-fourth sessions).

A unit marked `on_event_loop` (`adapters/postgres.py`: a few indexed statements, no wait on
another server, safe to run again) therefore runs on the event loop itself, and its
statements are awaited there (`awaited.run_awaited`): while Postgres answers one, the loop
serves other events, other brief units included. What a unit holds the loop for is its own
code's CPU, never a wait on a store. What it may wait on is still bounded:

- each of its statements waits at most `LOCK_TIMEOUT_S` for a lock and runs at most
  `STATEMENT_TIMEOUT_S`. A unit stopped by either ran nothing to its end (Postgres rolled the
  statement back), so it runs again from the start in a thread with the interactive timeouts;
- a unit stopped that way sends this process's brief units to threads for the next
  `PAUSE_S`, twice as long each time it happens again within a pause of the last one (up to
  `LONGEST_PAUSE_S`): a store that has slowed down (a migration's lock, a long import, an
  overloaded server) then costs the units their threads' interactive timeouts rather than
  each a failed first try.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

# A brief unit's statement needs a millisecond or two; a lock held by another transaction is
# waited for in a thread instead.
LOCK_TIMEOUT_S = 0.05
STATEMENT_TIMEOUT_S = 0.25
PAUSE_S = 10.0
LONGEST_PAUSE_S = 320.0


class Overran(Exception):
    """A brief unit was stopped by its short lock or statement timeout: run it again in a
    thread, with the interactive timeouts."""


class LoopUnits:
    """Whether brief units run on this process's event loop now, or are paused."""

    def __init__(self) -> None:
        self._paused_until = 0.0
        self._pause_s = PAUSE_S

    def paused(self) -> bool:
        """Brief units run as any other, in threads with the interactive timeouts, for now."""
        return time.monotonic() < self._paused_until

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
