"""Simulated students for `learning-app bench load`: a Locust file, run by `locust` in its own
process. Nothing may import it: Locust patches the standard library with gevent on import.

Each user is one browser tab. It speaks to the Reflex backend exactly as the compiled frontend
does: Engine.IO 4 / Socket.IO 5 frames over one websocket, the hydrate event inside the CONNECT
packet, then `event` messages carrying a handler name, its payload and the page's router data.
The state deltas that come back are merged per state, as the frontend's reducers do, and every
action waits until the state shows its outcome: an action's time is from sending its event to
the delta that completes it, the latency a student sees.

The plan (ids, accounts, state names) is written by the bench as JSON; `LOAD_PLAN` names it.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import gevent
import websocket
from gevent import Greenlet
from gevent.event import Event
from gevent.lock import Semaphore
from locust import User, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
STATES: dict[str, str] = PLAN["states"]
ACTION_TIMEOUT_S = 30.0
SOCKET_PREFIX = "42/_event,"  # a Socket.IO EVENT packet on the app's /_event namespace

# Every timed action, [kind, milliseconds, error or "", start time, app server], and every
# answer the app confirmed as saved, [attempt id, question id], written to LOAD_SAMPLES.
SAMPLES: list[list[Any]] = []
SAVED_ANSWERS: list[list[str]] = []
# Behind a load balancer a tab whose socket drops connects again, as the browser does.
RECONNECT: bool = PLAN.get("reconnect", False)
RECONNECT_WITHIN_S = 30.0
_accounts = itertools.count()


class ActionFailed(Exception):
    """The app answered with an error, or not in time."""


class SocketLost(ActionFailed):
    """The websocket closed under the action (its server went away)."""


class ReflexTab:
    """One browser tab's websocket: sends events, merges the deltas it receives."""

    def __init__(self, cookie: str = "") -> None:
        self.token = str(uuid.uuid4())
        self.cookie = cookie
        self.vars: dict[str, dict[str, Any]] = {}
        self.redirects: list[tuple[int, str]] = []  # (message number, path)
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
            timeout=ACTION_TIMEOUT_S,
        )
        self.server = (self._ws.getheaders() or {}).get("x-app-server", "")
        opening = self._ws.recv()
        if not str(opening).startswith("0"):
            raise ActionFailed(f"unexpected Engine.IO opening: {str(opening)[:80]}")
        hydrate = {"vars": {PLAN["cookie_var"]: self.cookie}} if self.cookie else {}
        hydrate["hashes"] = PLAN["state_hashes"]
        boot = self._event(f"{STATES['root']}.hydrate_and_load", hydrate)
        self._send("40/_event," + json.dumps({"event": boot}))
        self._reader = Greenlet.spawn(self._read_forever)
        self.wait(lambda: self.var("root", "is_hydrated") is True, since=0)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.kill(block=False)
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
        """A client-side navigation: the frontend sends its cookies and the page's on_load."""
        self._route(path, params)
        # Every page has on_load handlers, so the server flips is_hydrated off and on again.
        self.vars.setdefault(STATES["root"], {})["is_hydrated_rx_state_"] = False
        mark = self.emit(
            "root_vars", "update_vars_internal", vars={PLAN["cookie_var"]: self.cookie}
        )
        self.emit("root_load", "on_load_internal")
        self.wait(lambda: self.var("root", "is_hydrated") is True, since=mark)

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


def record(kind: str, ms: float, error: str, began: float, server: str) -> None:
    """One sample, also in Locust's own statistics."""
    SAMPLES.append([kind, ms, error, began, server])
    events.request.fire(
        request_type="WS",
        name=kind,
        response_time=ms,
        response_length=0,
        exception=ActionFailed(error) if error else None,
        context={},
    )


class TabUser(User):
    """A student with one tab; `timed` runs and records its actions."""

    abstract = True
    tab: ReflexTab

    def timed(self, kind: str, action: Callable[[], None]) -> bool:
        """Run one action and record its time and outcome. Behind a load balancer, an action
        whose socket dropped reconnects (recorded as `reconnect`) and runs once more, as the
        browser sends its queued event again; its time includes the reconnect."""
        began, start = time.time(), time.perf_counter()
        server, error = self.tab.server, ""
        try:
            try:
                action()
            except SocketLost:
                if not RECONNECT:
                    raise
                self._reconnect()
                action()  # still counted against the server the action began on
        except Exception as exc:  # every failure is counted, and the user carries on
            error = f"{type(exc).__name__}: {exc}"[:300]
        record(kind, (time.perf_counter() - start) * 1000, error, began, server)
        return not error

    def _reconnect(self) -> None:
        lost, began, start = self.tab.server, time.time(), time.perf_counter()
        error = ""
        try:
            self.tab.reconnect()
            self.after_reconnect()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        record("reconnect", (time.perf_counter() - start) * 1000, error, began, lost)
        if error:
            raise ActionFailed(f"reconnect failed: {error}")

    def after_reconnect(self) -> None:
        """Check what the student must find again after a reconnect: still signed in."""
        if self.tab.cookie and self.tab.var("auth", "signed_in") is not True:
            raise ActionFailed("signed out after the reconnect")


def refuse_problem(tab: ReflexTab, state: str) -> None:
    for name in ("problem", "error"):
        if message := tab.var(state, name):
            raise ActionFailed(f"{state} {name}: {message}")


class Student(TabUser):
    """Signs in, then reads lessons, searches, asks the tutor and works through practice
    exams, with a few seconds of reading between actions."""

    wait_time = between(PLAN["think_min_s"], PLAN["think_max_s"])

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311 - picking what to read, not a secret
        account = PLAN["accounts"][next(_accounts) % len(PLAN["accounts"])]
        self.tab = ReflexTab()
        self.attempt_path = ""
        self.unanswered: list[dict[str, Any]] = []
        self.saved: set[str] = set()  # questions of the current attempt the app said it saved
        self.deadline: float | None = None  # the current attempt's, from its countdown
        if self.timed("connect", lambda: self.tab.open("/sign-in")):
            self.timed("sign_in", lambda: self._sign_in(account))

    def on_stop(self) -> None:
        self.tab.close()

    def _sign_in(self, account: dict[str, str]) -> None:
        mark = self.tab.emit("sign_in", "sign_in_with_password", form=account)
        self.tab.wait(
            lambda: bool(self.tab.var("sign_in", "error") or self.tab.redirect_after(mark)),
            since=mark,
        )
        refuse_problem(self.tab, "sign_in")
        self.tab.cookie = self.tab.var("auth", "session_token")

    @task(4)
    def read_lesson(self) -> None:
        lesson = self.rng.choice(PLAN["lesson_ids"])
        course = PLAN["course_id"]
        path = f"/courses/{course}/lessons/{lesson}"

        def open_lesson() -> None:
            self.tab.navigate(path, {"course_id": course, "lesson_id": lesson})
            refuse_problem(self.tab, "lesson")

        self.timed("open_lesson", open_lesson)

    @task(3)
    def search(self) -> None:
        query = self.rng.choice(PLAN["queries"])

        def search_page() -> None:
            self.tab.navigate(f"/search?q={query}")
            refuse_problem(self.tab, "search")
            if not self.tab.var("search", "found"):
                raise ActionFailed(f"no results for {query!r}")

        self.timed("search", search_page)

    @task(1)
    def ask_tutor(self) -> None:
        course = PLAN["course_id"]
        path = f"/courses/{course}/ask"
        if self.tab.path != path and not self.timed(
            "open_tutor", lambda: self.tab.navigate(path, {"course_id": course})
        ):
            return

        def ask() -> None:
            before = len(self.tab.var("tutor", "exchanges") or [])
            question = self.rng.choice(PLAN["tutor_questions"])
            mark = self.tab.emit("tutor", "ask", form={"question": question})
            self.tab.wait(
                lambda: (
                    self.tab.var("tutor", "asking") is False
                    and (
                        len(self.tab.var("tutor", "exchanges") or []) > before
                        or bool(self.tab.var("tutor", "error"))
                    )
                ),
                since=mark,
            )
            refuse_problem(self.tab, "tutor")

        self.timed("ask_tutor", ask)

    @task(3)
    def answer_questions(self) -> None:
        """Back to the exam in progress (or a new attempt), answer a few questions, and submit
        once all are answered."""
        if self.unanswered:
            attempt_id = self.attempt_path.rsplit("/", 1)[-1]
            opened = self.timed(
                "open_attempt",
                lambda: self.tab.navigate(self.attempt_path, {"attempt_id": attempt_id}),
            )
        else:
            opened = self._next_attempt()
        for _ in range(self.rng.randint(2, 4)):
            if not (opened and self.unanswered):
                break
            question = self.unanswered.pop(0)
            self.timed("answer", partial(self._answer, question["question_id"]))
            gevent.sleep(self.rng.uniform(0.5, 1.5))
        if opened and not self.unanswered:
            self.timed("submit_exam", self._submit)

    def _answer(self, question_id: str) -> None:
        response = PLAN["responses"][question_id]
        if "option_id" in response:
            mark = self.tab.emit(
                "attempt", "choose", question_id=question_id, option_id=response["option_id"]
            )
        else:
            text = response.get("value", response.get("text", ""))
            mark = self.tab.emit("attempt", "write", question_id=question_id, text=text)
        self.tab.wait(
            lambda: (
                (self.tab.var("attempt", "save_status") or {}).get(question_id)
                in (PLAN["saved"], PLAN["not_saved"])
            ),
            since=mark,
        )
        if problem := (self.tab.var("attempt", "save_problem") or {}).get(question_id):
            raise ActionFailed(f"answer not saved: {problem}")
        self.saved.add(question_id)
        SAVED_ANSWERS.append([self.attempt_path.rsplit("/", 1)[-1], question_id])

    def after_reconnect(self) -> None:
        """Back on the attempt page: every answer saved before is still shown as saved, and
        the deadline has not moved (the countdown is rendered from the server's figure)."""
        super().after_reconnect()
        if not self.attempt_path or self.tab.path != self.attempt_path:
            return
        refuse_problem(self.tab, "attempt")
        shown = self.tab.var("attempt", "save_status") or {}
        if lost := sorted(q for q in self.saved if shown.get(q) != PLAN["saved"]):
            raise ActionFailed(f"{len(lost)} saved answers not shown after the reconnect")
        if self.deadline is not None and abs(self._deadline_shown() - self.deadline) > 2.0:
            raise ActionFailed("the deadline moved after the reconnect")

    def _deadline_shown(self) -> float:
        return time.time() + (self.tab.var("attempt", "ms_left") or 0) / 1000

    def _next_attempt(self) -> bool:
        """Open the practice exam, start an attempt and open it: its questions are next."""
        exam = PLAN["practice_exam_id"]
        if not self.timed(
            "open_exam", lambda: self.tab.navigate(f"/exams/{exam}", {"exam_id": exam})
        ):
            return False
        if not self.timed("start_exam", self._start_attempt):
            return False
        return self.timed("open_attempt", self._open_attempt)

    def _start_attempt(self) -> None:
        self.attempt_path = start_exam(self.tab)

    def _open_attempt(self) -> None:
        attempt_id = self.attempt_path.rsplit("/", 1)[-1]
        self.tab.navigate(self.attempt_path, {"attempt_id": attempt_id})
        refuse_problem(self.tab, "attempt")
        self.unanswered = list(self.tab.var("attempt", "questions") or [])
        self.saved = set()
        timed_exam = (self.tab.var("attempt", "ms_left") or -1) >= 0
        self.deadline = self._deadline_shown() if timed_exam else None
        if not self.unanswered:
            raise ActionFailed("the attempt has no questions")

    def _submit(self) -> None:
        mark = self.tab.emit("attempt", "submit")
        self.tab.wait(
            lambda: bool(self.tab.redirect_after(mark) or self.tab.var("attempt", "error")),
            since=mark,
        )
        refuse_problem(self.tab, "attempt")


def start_exam(tab: ReflexTab) -> str:
    """Press Start on the exam page the tab shows; returns the attempt's path."""
    mark = tab.emit("intro", "start")
    tab.wait(lambda: bool(tab.redirect_after(mark) or tab.var("intro", "error")), since=mark)
    refuse_problem(tab, "intro")
    return tab.redirect_after(mark)


class SpikeStudent(TabUser):
    """Already signed in and waiting on the exam page, presses Start the moment it opens."""

    wait_time = between(3600, 3600)

    def on_start(self) -> None:
        cookie = PLAN["spike_tokens"][next(_accounts) % len(PLAN["spike_tokens"])]
        self.tab = ReflexTab(cookie)
        exam = PLAN["spike_exam_id"]
        if self.timed("spike_connect", lambda: self.tab.open(f"/exams/{exam}", {"exam_id": exam})):
            self.timed("spike_start", lambda: start_exam(self.tab))

    def on_stop(self) -> None:
        self.tab.close()

    @task
    def wait_on_the_attempt_page(self) -> None:
        """Nothing more: the spike measures the start."""


@events.quitting.add_listener
def _write_samples(**_kwargs: Any) -> None:
    Path(os.environ["LOAD_SAMPLES"]).write_text(
        json.dumps({"samples": SAMPLES, "saved_answers": SAVED_ANSWERS})
    )
