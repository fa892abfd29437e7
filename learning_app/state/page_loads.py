"""A page change in one event: the page's `on_load` handlers run inside `on_load_internal`.

Reflex runs a page change (and a new tab's first page, after its hydrate) as a chain of queued
events: `on_load_internal` looks up the page's `on_load` handlers and queues each of them, then
`set_is_hydrated(True)`. Every event of that chain is a task of its own that takes the tab's
state lock, resolves a delta and sends it, so a page with one load cost three events and the
course page (three loads) five. Under load the chain cost about as much as the page's own load:
one event per action held 800 students, the same load reached by a page change 380-480 (README,
"Eighteenth session").

`PageLoadsInline` runs the same handlers in the same order, each as Reflex runs a handler
(`process_event`: its deltas, its yields, the events it returns), within `on_load_internal`'s own
event and under its lock. The last one's delta also carries `is_hydrated`, so the page shows
when its last load has answered, as before. A load that raises is reported as any event's
error is (the app's `backend_exception_handler`), and the loads after it still run, as they did
when each was an event of its own. A navigation still supersedes an unfinished page change:
the whole event is cancelled, loads and all.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from reflex.middleware import Middleware
from reflex.state import OnLoadInternalState, StateUpdate
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import chain_updates, process_event
from reflex_base.registry import RegisteredEventHandler, RegistrationContext
from reflex_base.utils.format import format_event_handler

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState


@functools.cache
def _on_load_internal_name() -> str:
    return format_event_handler(OnLoadInternalState.event_handlers["on_load_internal"])


class PageLoadsInline(Middleware):
    """Runs a page's load handlers in the page change's own event (see the module)."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        if event.name != _on_load_internal_name():
            return None
        root = state._get_root_state()
        loads = Event.from_event_type(app.get_load_events(root.rx_router_url.path))
        handlers = RegistrationContext.get().event_handlers
        registered = [handlers[load.name] for load in loads]
        if not registered or any(r.handler.is_background for r in registered):
            # No loads (Reflex flips the flag itself), or a background load, which must not
            # run under this lock: Reflex's own chain.
            return None
        root.is_hydrated = False
        for index, (load, handler) in enumerate(zip(loads, registered, strict=True)):
            if index == len(registered) - 1:
                # Assigned, so dirty even when unchanged: the last load's delta carries it.
                root.is_hydrated = True
            await _run_load(app, root, load, handler)
        return StateUpdate()


async def _run_load(
    app: App, root: BaseState, load: Event, registered: RegisteredEventHandler
) -> None:
    substate = await root.get_state(registered.states[0])
    try:
        await process_event(
            handler=registered.handler, payload=load.payload, state=substate, root_state=root
        )
    except Exception as error:  # reported as Reflex reports any event's error
        events = app.backend_exception_handler(error)
        await chain_updates(
            events, handler_name=registered.handler.fn.__qualname__, root_state=root
        )
