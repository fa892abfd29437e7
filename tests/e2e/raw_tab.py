"""A browser tab without a browser: Reflex's websocket protocol written by hand, to send any
handler's event with any payload, as a tampered client can, and read the state it changes.

Engine.IO 4 / Socket.IO 5 over one websocket, whose handshake carries the session cookie: the
hydrate event rides in the CONNECT packet, then each event is a Socket.IO EVENT on the
`/_event` namespace, and the backend answers with state deltas keyed by each state's full name.
"""

from __future__ import annotations

import json
import time
import uuid
from types import TracebackType
from typing import Any

import websocket
from reflex.state import BaseState, OnLoadInternalState, State
from reflex_base.constants import Reflex

from tests.e2e.conftest import RunningApp

NAMESPACE = "/_event"
EVENT_PREFIX = f"42{NAMESPACE},"
TIMEOUT_S = 30.0


class RawTab:
    """One tab signed in with `session_token`, on `path` (the page its events claim to come
    from). Use it as a context manager; it hydrates on entry."""

    def __init__(self, app: RunningApp, session_token: str, path: str) -> None:
        from learning_app.services.accounts.sessions import SESSION_COOKIE

        self.path = path
        self.params: dict[str, str] = {}  # the page's dynamic route segments
        self.deltas: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, dict[str, Any]]] = []  # each update's delta, in order
        ws_base = app.backend_url.replace("http://", "ws://", 1)
        self._ws = websocket.create_connection(
            f"{ws_base}{NAMESPACE}/?EIO=4&transport=websocket&token={uuid.uuid4()}",
            subprotocols=[Reflex.VERSION],
            # The backend opens its websocket to the app's own origin only, as for a browser.
            origin=app.url,
            cookie=f"{SESSION_COOKIE}={session_token}",
            timeout=TIMEOUT_S,
        )

    def __enter__(self) -> RawTab:
        opening = self._ws.recv()
        assert str(opening).startswith("0"), opening  # Engine.IO OPEN
        hydrate = self._event(State, "hydrate_and_load", {})
        self._ws.send(f"40{NAMESPACE}," + json.dumps({"event": hydrate}))
        self.wait_for(State, "is_hydrated", lambda value: value is True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._ws.close()

    def _event(self, state: type[BaseState], handler: str, payload: dict[str, Any]) -> object:
        router = {"pathname": self.path, "asPath": self.path, "query": self.params}
        return {
            "name": f"{state.get_full_name()}.{handler}",
            "payload": payload,
            "router_data": router,
        }

    def send(self, state: type[BaseState], handler: str, **payload: Any) -> int:
        """Send the handler's event; returns how many updates had arrived before it."""
        before = self.updates
        frame = ["event", self._event(state, handler, payload)]
        self._ws.send(EVENT_PREFIX + json.dumps(frame))
        return before

    @property
    def updates(self) -> int:
        """How many updates (state deltas) have arrived."""
        return len(self.history)

    def change_page(self, path: str, **params: str) -> int:
        """Go to `path` (its dynamic segments' values in `params`) as the frontend does after a
        client-side navigation; returns how many updates had arrived before it."""
        self.path, self.params = path, params
        return self.send(OnLoadInternalState, "on_load_internal")

    def var(self, state: type[BaseState], name: str) -> Any:
        return self.deltas.get(state.get_full_name(), {}).get(f"{name}_rx_state_")

    def wait_for(self, state: type[BaseState], name: str, done: Any, *, since: int = 0) -> Any:
        """Read updates until `done(value)` holds for the var on an update after `since`."""
        deadline = time.monotonic() + TIMEOUT_S
        while not (self.updates > since and done(self.var(state, name))):
            last = self.var(state, name)
            assert time.monotonic() < deadline, f"{state.__name__}.{name} stayed {last!r}"
            self._receive_one()
        return self.var(state, name)

    def _receive_one(self) -> None:
        frame = self._ws.recv()
        if frame == "2":  # Engine.IO ping: answer, or the server closes the socket
            self._ws.send("3")
        elif isinstance(frame, str) and frame.startswith(EVENT_PREFIX):
            name, body = json.loads(frame[len(EVENT_PREFIX) :])[:2]
            if name == "event":
                delta = body.get("delta") or {}
                self.history.append(delta)
                for state_name, changes in delta.items():
                    self.deltas.setdefault(state_name, {}).update(changes)
        elif isinstance(frame, str) and frame.startswith(f"44{NAMESPACE}"):
            raise AssertionError(f"connection refused: {frame[:200]}")
