"""How many units of work run Python at once in this process (`UNIT_OF_WORK_SLOTS` per app
worker), and how a unit steps out of its slot while it waits on something else.

A unit of work (one transaction of a page's action: `state/calls.py`) is mostly Python:
SQLAlchemy, our services. An app worker has one GIL, which its units share with each other
and with the event loop that serves every tab of the worker. With asyncio's six threads
running units side by side, under load each unit took 6-10 times its CPU time and the events
waited behind them; with two at a time, a unit waits for a slot instead and every action's
tail was shorter (README, "Load test", seventh session).

A unit that waits on another process or server for long (a password check in the hashing
processes, an OpenAI embedding) gives its slot up meanwhile (`waiting_elsewhere`): the wait
costs no GIL, and a wave of sign-ins must not hold every slot while the pages wait.

A write to another store that the unit's answer does not depend on (an analytics line for
Redis) waits until the unit has given its slot back (`after_slot`): its round trip need not
hold one.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from learning_app.adapters.per_process import PerProcess
from learning_app.settings import get_settings

log = logging.getLogger(__name__)


class Slots:
    """A counting semaphore that hands a freed slot to the unit that has waited longest, and
    first to a unit coming back from a wait elsewhere: that one already holds a connection and
    an open transaction. (`threading.Semaphore` lets a newcomer take a slot before the waiter
    it woke: under overload some units then waited seconds while others came and went.)"""

    def __init__(self, count: int) -> None:
        self._free = count
        self._waiting: collections.deque[threading.Event] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self, *, returning: bool = False) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            if returning:
                self._waiting.appendleft(turn)
            else:
                self._waiting.append(turn)
        turn.wait()  # the releaser handed its slot over: `_free` was never raised for it

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


_slots = PerProcess(lambda: Slots(get_settings().unit_of_work_slots))
# `.slot`: whether this thread's unit holds a slot now; `.after`: what runs once it is free.
_holding = threading.local()


@contextmanager
def unit_slot() -> Iterator[None]:
    """Around a unit of work: wait for a free slot, hold it until the unit ends, then run
    what the unit left for after it (`after_slot`)."""
    slots = _slots.get()
    slots.acquire()
    _holding.slot, _holding.after = True, []
    try:
        yield
    finally:
        after: list[Callable[[], None]] = _holding.after
        _holding.slot, _holding.after = False, None
        slots.release()
        for action in after:
            try:
                action()
            except Exception:
                # The unit has ended, either way: this must not become its error.
                log.exception("an action left for after a unit of work failed")


def after_slot(action: Callable[[], None]) -> None:
    """Run `action` once this thread's unit of work has ended and given its slot back (in
    the same thread, before the unit's result returns); outside a unit (a job, the CLI, a
    test calling a service), or inside `waiting_elsewhere`, now. For writes to another store
    that nothing in the unit reads back."""
    after = getattr(_holding, "after", None)
    if getattr(_holding, "slot", False) and after is not None:
        after.append(action)
    else:
        action()


@contextmanager
def waiting_elsewhere() -> Iterator[None]:
    """Around a wait on another process or server inside a unit of work: the slot is free
    meanwhile, and taken again (waiting for one) before the unit goes on. Outside a unit (a
    job, the CLI) it does nothing."""
    if not getattr(_holding, "slot", False):
        yield
        return
    slots = _slots.get()
    _holding.slot = False
    slots.release()
    try:
        yield
    finally:
        slots.acquire(returning=True)
        _holding.slot = True
