"""Simulated students for `learning-app bench load`: a Locust file, run by `locust` in its own
process. Nothing may import it: Locust patches the standard library with gevent on import.

Each user is one browser tab (`load_tab.ReflexTab`, the Reflex websocket client). A `Student`
signs in, then reads lessons, searches, asks the tutor and works through practice exams; a
`SpikeStudent`, already signed in on the exam page, presses Start. Every action waits until the
state shows its outcome: an action's time is from sending its event to the delta that completes
it, the latency a student sees. Behind a load balancer, an action whose socket dropped
reconnects and runs once more, as the browser does. The samples, and the answers the app
confirmed as saved, are written to `LOAD_SAMPLES` when Locust quits.

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
from locust import User, between, events, task

from learning_app.bench.load_tab import PLAN, ActionFailed, ReflexTab, SocketLost

# Every timed action, [kind, milliseconds, error or "", start time, app server], and every
# answer the app confirmed as saved, [attempt id, question id], written to LOAD_SAMPLES.
SAMPLES: list[list[Any]] = []
SAVED_ANSWERS: list[list[str]] = []
# Every timed action's [kind, state deltas received meanwhile]: how many events it took.
DELTAS: list[list[Any]] = []
# Behind a load balancer a tab whose socket drops connects again, as the browser does.
RECONNECT: bool = PLAN.get("reconnect", False)
# Each user waits a random moment up to this long before it arrives (`load.arrival_spread_s`).
ARRIVAL_SPREAD_S = float(os.environ.get("LOAD_ARRIVAL_SPREAD_S", "0"))
_accounts = itertools.count()


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

    def arrive(self) -> None:
        """Wait for this user's moment within its batch of arrivals."""
        if ARRIVAL_SPREAD_S > 0:
            gevent.sleep(random.uniform(0, ARRIVAL_SPREAD_S))  # noqa: S311 - not a secret

    def on_stop(self) -> None:
        self.tab.close()

    def timed(self, kind: str, action: Callable[[], None]) -> bool:
        """Run one action and record its time and outcome. Behind a load balancer, an action
        whose socket dropped reconnects (recorded as `reconnect`) and runs once more, as the
        browser sends its queued event again; its time includes the reconnect."""
        began, start = time.time(), time.perf_counter()
        server, error, received = self.tab.server, "", self.tab.received
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
        DELTAS.append([kind, self.tab.received - received])
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

    def arrive_and_sign_in(self) -> bool:
        """Arrive, open the sign-in page and sign in with the next account, as a student
        does; whether both worked."""
        self.arrive()
        account = PLAN["accounts"][next(_accounts) % len(PLAN["accounts"])]
        self.tab = ReflexTab()
        return self.timed("connect", lambda: self.tab.open("/sign-in")) and self.timed(
            "sign_in", lambda: self._sign_in(account)
        )

    def _sign_in(self, account: dict[str, str]) -> None:
        mark = self.tab.emit("sign_in", "sign_in_with_password", form=account)
        self.tab.wait(
            lambda: bool(self.tab.var("sign_in", "error") or self.tab.page_post_after(mark)),
            since=mark,
        )
        refuse_problem(self.tab, "sign_in")
        post = self.tab.page_post_after(mark)
        assert post is not None
        taken = self.tab.post_from_page(*post)
        mark = self.tab.emit("sign_in", "cookie_set", taken=taken)
        self.tab.wait(
            lambda: bool(self.tab.var("sign_in", "error") or self.tab.redirect_after(mark)),
            since=mark,
        )
        refuse_problem(self.tab, "sign_in")

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
        self.attempt_path = ""
        self.unanswered: list[dict[str, Any]] = []
        self.saved: set[str] = set()  # questions of the current attempt the app said it saved
        self.deadline: float | None = None  # the current attempt's, from its countdown
        self.arrive_and_sign_in()

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
        self.arrive()
        cookie = PLAN["spike_tokens"][next(_accounts) % len(PLAN["spike_tokens"])]
        self.tab = ReflexTab(cookie)
        exam = PLAN["spike_exam_id"]
        if self.timed("spike_connect", lambda: self.tab.open(f"/exams/{exam}", {"exam_id": exam})):
            self.timed("spike_start", lambda: start_exam(self.tab))

    @task
    def wait_on_the_attempt_page(self) -> None:
        """Nothing more: the spike measures the start."""


class FloorStudent(TabUser):
    """The framework's floor (`bench load --floor N`): arrives and signs in as a `Student`
    does, opens the review page, then each action is N events that touch no store
    (`ReviewState.choose`, which only sets a var), sent back to back as a page's events are,
    and ends when the last one's delta arrives. What an action costs beyond this is the app's
    own work: its stores, services and bigger states."""

    wait_time = between(PLAN["think_min_s"], PLAN["think_max_s"])

    def on_start(self) -> None:
        if self.arrive_and_sign_in():
            self.timed("open_review", lambda: self.tab.navigate("/review"))

    @task
    def choose(self) -> None:
        def events_alone() -> None:
            for _ in range(PLAN["floor_events"] - 1):
                self.tab.emit("review", "choose", option_id=uuid.uuid4().hex)
            chosen = uuid.uuid4().hex
            mark = self.tab.emit("review", "choose", option_id=chosen)
            self.tab.wait(lambda: self.tab.var("review", "answer_choice") == chosen, since=mark)

        self.timed("floor", events_alone)


@events.quitting.add_listener
def _write_samples(**_kwargs: Any) -> None:
    Path(os.environ["LOAD_SAMPLES"]).write_text(
        json.dumps({"samples": SAMPLES, "saved_answers": SAVED_ANSWERS, "deltas": DELTAS})
    )
