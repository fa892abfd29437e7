"""The browser tab of `learning-app bench load`'s Locust students (`load_students`): one
websocket to the Reflex backend, spoken to exactly as the compiled frontend does: Engine.IO 4 /
Socket.IO 5 frames, the hydrate event inside the CONNECT packet, then `event` messages carrying a
handler name, its payload and the page's router data. The state deltas that come back are merged
per state, as the frontend's reducers do, and `wait` blocks its user until the state shows an
action's outcome, or the socket closes, or ACTION_TIMEOUT_S passes.

It runs only in the Locust process, imported by `load_students`, and nothing else may import it:
it reads the plan (`LOAD_PLAN`; the students use this `PLAN`) on import, and its reader
greenlet and waits rely on Locust's gevent patching of the standard library.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import requests
import websocket
from gevent import Greenlet
from gevent.event import Event
from gevent.lock import Semaphore

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
STATES: dict[str, str] = PLAN["states"]
ACTION_TIMEOUT_S = 30.0
SOCKET_PREFIX = "42/_event,"  # a Socket.IO EVENT packet on the app's /_event namespace
# How long a tab whose socket dropped keeps trying to connect again (behind a load balancer).
RECONNECT_WITHIN_S = 30.0
# The script a sign-in answers with (`post_to_backend`): a post of `fields` to `action`.
PAGE_POST = re.compile(r'\)\(("[^"]*"), (\{.*\})\)$')


class ActionFailed(Exception):
    """The app answered with an error, or not in time."""


class SocketLost(ActionFailed):
    """The websocket closed under the action (its server went away)."""


class ReflexTab:
    """One browser tab's websocket: sends events, merges the deltas it receives."""

    def __init__(self, cookie: str = "") -> None:
        self.token = str(uuid.uuid4())
        self.cookie = cookie  # the session cookie's value, sent in the websocket's handshake
        self.vars: dict[str, dict[str, Any]] = {}
        self.redirects: list[tuple[int, str]] = []  # (message number, path)
        self.page_posts: list[tuple[int, str, dict[str, str]]] = []  # (number, path, fields)
        self.received = 0
        self.path = "/"
        self.params: dict[str, str] = {}
        self._ws: websocket.WebSocket | None = None
        self._send_lock = Semaphore()
        self._changed = Event()
        self._reader: Greenlet | None = None
        self.closed_reason = ""
        self.server = ""  # which app server the load balancer chose (X-App-Server)

    # --- the wire -------------------------------------------------------------------------

    def open(self, path: str, params: dict[str, str] | None = None) -> None:
        """Connect and hydrate on `path`, as a page load does; returns once hydrated."""
        self._route(path, params)
        url = f"{PLAN['backend_ws']}/_event/?EIO=4&transport=websocket&token={self.token}"
        self._ws = websocket.create_connection(
            url,
            subprotocols=[PLAN["reflex_version"]],
            origin=PLAN["origin"],
            cookie=f"{PLAN['session_cookie']}={self.cookie}" if self.cookie else None,
            timeout=ACTION_TIMEOUT_S,
        )
        self.server = (self._ws.getheaders() or {}).get("x-app-server", "")
        opening = self._ws.recv()
        if not str(opening).startswith("0"):
            raise ActionFailed(f"unexpected Engine.IO opening: {str(opening)[:80]}")
        hydrate = {"hashes": PLAN["state_hashes"]}
        boot = self._event(f"{STATES['root']}.hydrate_and_load", hydrate)
        self._send("40/_event," + json.dumps({"event": boot}))
        self._reader = Greenlet.spawn(self._read_forever)
        self.wait(lambda: self.var("root", "is_hydrated") is True, since=0)

    def close(self) -> None:
        if self._reader is not None:
            # Gone before the next `open` reads: a reader of the closed socket would report it
            # lost to the actions of the next one.
            self._reader.kill(block=True)
        if self._ws is not None:
            self._ws.close()

    def reconnect(self) -> None:
        """What the browser does when its socket drops: connect again, through the load
        balancer to whichever server is up, and hydrate the same page with the same cookie and
        tab token. Tries until RECONNECT_WITHIN_S."""
        self.close()
        deadline = time.monotonic() + RECONNECT_WITHIN_S
        while True:
            self.closed_reason = ""
            self.vars.setdefault(STATES["root"], {})["is_hydrated_rx_state_"] = False
            try:
                self.open(self.path, self.params)
                return
            except Exception:
                self.close()
                if time.monotonic() > deadline:
                    raise
                gevent.sleep(0.2)

    def _send(self, frame: str) -> None:
        assert self._ws is not None
        with self._send_lock:  # a pong and an event must not interleave their frames
            try:
                self._ws.send(frame)
            except (OSError, websocket.WebSocketException) as exc:
                raise SocketLost(f"socket closed: {exc!r}"[:160]) from exc

    def _read_forever(self) -> None:
        assert self._ws is not None
        try:
            while True:
                frame = self._ws.recv()
                if frame == "2":  # Engine.IO ping
                    self._send("3")
                elif isinstance(frame, str) and frame.startswith(SOCKET_PREFIX):
                    name, body = json.loads(frame[len(SOCKET_PREFIX) :])[:2]
                    if name == "event":
                        self._merge(body)
                    elif name == "new_token":
                        # The server still linked this tab's token to its previous socket (it
                        # reconnected before the server saw the old one close), so it gave this
                        # one a token of its own, as for a duplicated tab; the frontend adopts
                        # it.
                        self.token = body
                elif isinstance(frame, str) and frame.startswith("44"):
                    self.closed_reason = f"connect refused: {frame[:120]}"
                    self._wake()
        except Exception as exc:  # the socket closed: waiting actions fail with the reason
            self.closed_reason = self.closed_reason or f"socket closed: {exc!r}"[:160]
            self._wake()

    def _merge(self, update: dict[str, Any]) -> None:
        self.received += 1
        for state, changes in (update.get("delta") or {}).items():
            self.vars.setdefault(state, {}).update(changes)
        for event in update.get("events") or []:
            if event.get("name") == "_redirect":
                self.redirects.append((self.received, event["payload"]["path"]))
            elif event.get("name") == "_call_script" and (
                post := PAGE_POST.search(str(event["payload"].get("javascript_code", "")))
            ):
                action, fields = json.loads(post.group(1)), json.loads(post.group(2))
                self.page_posts.append((self.received, _path_of(action), fields))
        self._wake()

    def _wake(self) -> None:
        woken, self._changed = self._changed, Event()
        woken.set()

    # --- what a page does -------------------------------------------------------------------

    def _route(self, path: str, params: dict[str, str] | None) -> None:
        self.path, self.params = path, dict(params or {})

    def _event(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        pathname, _, search = self.path.partition("?")
        query = dict(self.params)
        for pair in filter(None, search.split("&")):
            key, _, value = pair.partition("=")
            query[key] = value
        router = {"pathname": pathname, "asPath": self.path, "query": query}
        return {"name": name, "payload": payload, "router_data": router}

    def emit(self, state: str, handler: str, **payload: Any) -> int:
        """Send a handler's event; returns the number of messages received before it."""
        mark = self.received
        frame = ["event", self._event(f"{STATES[state]}.{handler}", payload)]
        self._send(SOCKET_PREFIX + json.dumps(frame))
        return mark

    def navigate(self, path: str, params: dict[str, str] | None = None) -> None:
        """A client-side navigation: the frontend sends the page's on_load."""
        self._route(path, params)
        # Every page has on_load handlers, so the server flips is_hydrated off and on again.
        self.vars.setdefault(STATES["root"], {})["is_hydrated_rx_state_"] = False
        mark = self.emit("root_load", "on_load_internal")
        self.wait(lambda: self.var("root", "is_hydrated") is True, since=mark)

    def page_post_after(self, mark: int) -> tuple[str, dict[str, str]] | None:
        return next(((path, f) for n, path, f in self.page_posts if n > mark), None)

    def post_from_page(self, path: str, fields: dict[str, str]) -> bool:
        """What the page does with a sign-in's post (`post_to_backend`): post it to the
        backend from the page's origin and keep the session cookie its answer sets; whether
        the server took it, as the page's script reports it."""
        base = PLAN["backend_ws"].replace("ws", "http", 1)
        answer = requests.post(
            base + path,
            data=fields,
            headers={"Origin": PLAN["origin"]},
            allow_redirects=False,
            timeout=ACTION_TIMEOUT_S,
        )
        self.cookie = answer.cookies.get(PLAN["session_cookie"], self.cookie)
        return answer.ok

    def var(self, state: str, name: str) -> Any:
        return self.vars.get(STATES[state], {}).get(f"{name}_rx_state_")

    def redirect_after(self, mark: int) -> str:
        return next((path for n, path in self.redirects if n > mark), "")

    def wait(self, done: Callable[[], bool], *, since: int) -> None:
        """Block this user until `done()` holds on a message received after `since`."""
        deadline = time.monotonic() + ACTION_TIMEOUT_S
        while not (self.received > since and done()):
            if self.closed_reason:
                raise SocketLost(self.closed_reason)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ActionFailed(f"no answer within {ACTION_TIMEOUT_S:.0f} s")
            self._changed.wait(remaining)


def _path_of(url: str) -> str:
    """The path (and query) of an absolute URL, or of a path."""
    return "/" + url.split("://", 1)[-1].partition("/")[2] if "://" in url else url
