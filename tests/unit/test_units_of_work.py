"""Units of work and their slots: at most `UNIT_OF_WORK_SLOTS` run at once per process, a
unit that waits elsewhere (a password check) frees its slot meanwhile, a forked worker makes
its own slots, and a unit keeps its caller's context variables."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from pydantic import ValidationError

from learning_app.adapters import per_process, unit_slots
from learning_app.services.accounts import passwords
from learning_app.settings import Settings
from learning_app.state import calls

CALLER = contextvars.ContextVar("caller", default="nobody")


def test_two_slots_by_default() -> None:
    assert Settings(_env_file=None).unit_of_work_slots == 2


@pytest.mark.parametrize("bad", [0, -1, 65])
def test_a_count_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValidationError, match="unit_of_work_slots"):
        Settings(_env_file=None, unit_of_work_slots=bad)


@pytest.fixture
def slots(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """`slots(n)`: this test's process has n slots (made afresh, and forgotten after it)."""

    def use(count: int) -> None:
        settings = Settings(_env_file=None, unit_of_work_slots=count)
        monkeypatch.setattr(unit_slots, "get_settings", lambda: settings)
        unit_slots._slots.forget()

    yield use
    unit_slots._slots.forget()


def run_at_once(*units: Callable[[object], object]) -> list[object]:
    """Each `unit(session)` through `call_with_session`, all started together from one page."""

    async def together() -> list[object]:
        CALLER.set("a page")
        return await asyncio.gather(*(calls.call_with_session(unit) for unit in units))

    return asyncio.run(together())


def test_at_most_the_slots_run_at_once_with_the_caller_s_context(slots) -> None:
    slots(2)
    running, most, lock = 0, 0, threading.Lock()

    def unit(_session: object) -> tuple[str, str]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # nothing touches the database: the session never connects
        with lock:
            running -= 1
        return threading.current_thread().name, CALLER.get()

    results = run_at_once(*[unit] * 6)
    assert most == 2
    assert all(name.startswith("unit-of-work") for name, _ in results)  # type: ignore[misc]
    assert {caller for _, caller in results} == {"a page"}  # type: ignore[misc]


def test_a_unit_waiting_elsewhere_lets_another_run(slots) -> None:
    slots(1)
    second_ran = threading.Event()

    def waits(_session: object) -> bool:
        with unit_slots.waiting_elsewhere():
            # With the only slot held, the other unit could not start: this would time out.
            return second_ran.wait(timeout=10)

    def runs(_session: object) -> str:
        second_ran.set()
        return "ran"

    assert run_at_once(waits, runs) == [True, "ran"]


def test_waiting_elsewhere_outside_a_unit_does_nothing(slots) -> None:
    slots(1)
    with unit_slots.waiting_elsewhere():
        pass
    with unit_slots.unit_slot():  # the one slot is still there to take
        pass


def test_a_password_check_inside_a_unit_gives_its_slot_up_and_takes_it_back(
    slots, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots(1)
    held_while_hashing: list[bool] = []

    class HashingProcesses:
        """The hashing pool, as seen from the unit: what it holds while it waits there."""

        def submit(self, func: Callable[..., object], *args: object) -> HashingProcesses:
            self.done = lambda: func(*args)
            return self

        def result(self) -> object:
            held_while_hashing.append(unit_slots._holding.slot)
            return self.done()

    monkeypatch.setattr(passwords, "_hashing_pool", HashingProcesses)

    def unit(_session: object) -> tuple[bool, bool]:
        ok = passwords.verify_password(passwords._hash("a long password"), "a long password")
        return ok, unit_slots._holding.slot

    assert run_at_once(unit) == [(True, True)]  # checked, and back in its slot afterwards
    assert held_while_hashing == [False]


def test_a_forked_worker_makes_its_own_slots(slots, monkeypatch: pytest.MonkeyPatch) -> None:
    slots(2)
    first = unit_slots._slots.get()
    assert unit_slots._slots.get() is first
    # A worker forked from the server's process: its parent's slots, whose holders it does not
    # have, are not its own.
    parent = os.getpid()
    monkeypatch.setattr(per_process.os, "getpid", lambda: parent + 1)
    assert unit_slots._slots.get() is not first


def take_turns(slots: unit_slots.Slots, *queued: tuple[str, bool]) -> list[str]:
    """With `slots`' one slot held, units (name, coming back from a wait elsewhere) queue in
    this order; then the slot is freed. Returns the order in which they got it."""
    order: list[str] = []

    def wait_for_turn(name: str, returning: bool) -> None:
        slots.acquire(returning=returning)
        order.append(name)
        slots.release()

    threads = []
    for count, (name, returning) in enumerate(queued, start=1):
        thread = threading.Thread(target=wait_for_turn, args=(name, returning))
        thread.start()
        threads.append(thread)
        while len(slots._waiting) < count:  # queued before the next one comes
            time.sleep(0.001)
    slots.release()
    for thread in threads:
        thread.join(timeout=5)
    return order


def test_a_freed_slot_goes_to_the_longest_waiting_unit() -> None:
    slots = unit_slots.Slots(1)
    slots.acquire()
    queued = [("first", False), ("second", False), ("third", False)]
    assert take_turns(slots, *queued) == ["first", "second", "third"]
    slots.acquire()  # and once they are done, it is free for a newcomer


def test_a_unit_back_from_waiting_elsewhere_goes_first() -> None:
    slots = unit_slots.Slots(1)
    slots.acquire()
    queued = [("new", False), ("back from hashing", True)]
    assert take_turns(slots, *queued) == ["back from hashing", "new"]


def test_what_a_unit_leaves_for_after_it_runs_once_its_slot_is_free(slots) -> None:
    slots(1)
    seen: list[tuple[str, bool]] = []

    def note(what: str) -> None:
        seen.append((what, unit_slots._holding.slot))

    def unit(_session: object) -> str:
        unit_slots.after_slot(lambda: note("first"))
        unit_slots.after_slot(lambda: 1 / 0)  # a failure is logged, not the unit's error
        unit_slots.after_slot(lambda: note("second"))
        note("in the unit")
        return "done"

    assert run_at_once(unit) == ["done"]
    assert seen == [("in the unit", True), ("first", False), ("second", False)]
    unit_slots.after_slot(lambda: note("outside a unit"))  # runs at once
    assert seen[-1] == ("outside a unit", False)


def test_calls_waiting_on_the_model_leave_the_default_threads_free() -> None:
    """Twenty students reading streamed answers at once (each `next` waits on the model)
    while a lesson's Markdown is rendered: the render does not wait for them."""
    release = threading.Event()

    async def together() -> float:
        waiting = [asyncio.ensure_future(calls.call_model(release.wait, 10)) for _ in range(20)]
        await asyncio.sleep(0.1)  # every wait has started
        started = time.monotonic()
        assert await calls.call_service(lambda: "rendered") == "rendered"
        took = time.monotonic() - started
        release.set()
        assert all(await asyncio.gather(*waiting))
        return took

    assert asyncio.run(together()) < 2.0
