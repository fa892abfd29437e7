"""A page change runs the page's loads inside `on_load_internal`'s own event
(`state/page_loads.py`): in order, each answered as Reflex answers a handler, a failing one
reported without stopping the rest, and `is_hydrated` flipped with the last."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import OnLoadInternalState, State
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.utils.format import format_event_handler

import learning_app.learning_app  # noqa: F401 - registers the page states under AuthState
from learning_app.pages.courses.my_courses import MyCoursesState
from learning_app.state.auth import AuthState
from learning_app.state.page_loads import PageLoadsInline
from learning_app.state.unexpected_errors import UNEXPECTED_MESSAGE, backend_exception_handler
from tests.integration.tabs import set_session_cookie

ON_LOAD_INTERNAL = Event(
    name=format_event_handler(OnLoadInternalState.event_handlers["on_load_internal"])
)


@dataclass
class Wire:
    """What the event sent the tab: each delta, each event for the browser, each event queued
    on the server, in order."""

    sent: list[tuple[str, Any]] = field(default_factory=list)

    async def delta(self, token: str, delta: Mapping[str, Mapping[str, Any]]) -> None:
        self.sent.append(("delta", delta))

    async def browser_event(self, token: str, *events: Event) -> None:
        self.sent.extend(("browser", event) for event in events)

    async def queued(self, token: str, *events: Event) -> None:
        self.sent.extend(("queued", event) for event in events)

    def deltas(self) -> list[Mapping[str, Mapping[str, Any]]]:
        return [item for kind, item in self.sent if kind == "delta"]


@dataclass
class PageTable:
    """The app's answer for the page the tab is on: its loads (the app itself answers from its
    route table), and its handler of an event's error."""

    loads: list[Any]

    def get_load_events(self, path: str) -> list[Any]:
        return self.loads

    def backend_exception_handler(self, error: Exception) -> Any:
        return backend_exception_handler(error)


def _change_page(token: str, loads: list[Any]) -> tuple[Any, State, Wire]:
    root = State(_reflex_internal_init=True)
    set_session_cookie(root, token)
    wire = Wire()
    context = EventContext(
        token="tab",
        state_manager=StateManagerMemory(),
        enqueue_impl=wire.queued,
        emit_delta_impl=wire.delta,
        emit_event_impl=wire.browser_event,
    )

    async def change() -> Any:
        EventContext.set(context)
        return await PageLoadsInline().preprocess(PageTable(loads), root, ON_LOAD_INTERNAL)  # type: ignore[arg-type]

    return asyncio.run(change()), root, wire


def _vars(delta: Mapping[str, Mapping[str, Any]], state: type[State]) -> Mapping[str, Any]:
    return delta.get(state.get_full_name(), {})


def test_the_loads_run_in_order_in_one_event_and_the_last_delta_shows_the_page(
    student: str,
) -> None:
    update, root, wire = _change_page(student, [AuthState.load_viewer, MyCoursesState.load])

    assert update is not None and not update.delta and not update.events  # nothing left to run
    assert not [item for kind, item in wire.sent if kind == "queued"]  # no chain of events
    first, last = wire.deltas()
    assert _vars(first, AuthState)["viewer_name_rx_state_"] == "Ada"
    assert _vars(first, State)["is_hydrated_rx_state_"] is False
    assert MyCoursesState.get_full_name() in last
    assert _vars(last, State)["is_hydrated_rx_state_"] is True
    assert root.is_hydrated is True


def test_a_failing_load_is_reported_and_the_loads_after_it_still_run(student: str) -> None:
    broken = Event(
        name=format_event_handler(AuthState.event_handlers["load_viewer"]),
        payload={"unexpected": 1},  # the handler takes no argument: a TypeError
    )
    wire = _change_page(student, [broken, MyCoursesState.load])[2]

    kinds = [kind for kind, _ in wire.sent]
    assert kinds.index("browser") < len(kinds) - 1  # the toast, then the next load's delta
    toast = next(item for kind, item in wire.sent if kind == "browser")
    assert UNEXPECTED_MESSAGE in str(toast.payload)
    last = wire.deltas()[-1]
    assert MyCoursesState.get_full_name() in last
    assert _vars(last, State)["is_hydrated_rx_state_"] is True


def test_a_page_without_loads_is_left_to_reflex(student: str) -> None:
    update, _, wire = _change_page(student, [])
    assert update is None and wire.sent == []
