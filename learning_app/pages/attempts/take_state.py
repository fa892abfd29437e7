"""The state behind `/attempts/[attempt_id]`: one student's exam in progress.

Every answer goes to the server the moment it is given (a choice clicked, a debounced pause in
typing, leaving a field), so a reload or a lost connection loses nothing. The countdown shown
in the browser is a courtesy; the server's deadline is the rule, and it submits the attempt
itself when time runs out.

The countdown is computed from the attempt's fixed deadline each time the state is sent, not
stored: a reload is answered first with the state as it was left (Reflex hydrates the tab
before the page's on_load runs), and a stored "seconds left" there was the figure of the last
saved answer, so the timer showed 09:59, then jumped back to 09:53 when the load finished.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import reflex as rx

from learning_app.services.attempts import taking
from learning_app.services.attempts.attempt_view import AttemptOption
from learning_app.services.attempts.taking import ALREADY_SUBMITTED, TIME_UP
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import describe_error, rendered
from learning_app.state.course_pages import LoadedPageState, route_arg

SAVED = "Saved"
SAVING = "Saving…"
NOT_SAVED = "Not saved"
# How stale the countdown sent with any update of this state may be. An interval var is
# recomputed when read after this long (a hydrate after a reload reads it), without the cost of
# `cache=False`, which would load this state on every event of every page.
COUNTDOWN_FRESHNESS = timedelta(milliseconds=250)
UNTIMED = -1


def countdown_text(ms_left: int) -> str:
    """ "mm:ss" ("h:mm:ss" from an hour up), as assets/exam_timer.js writes it."""
    seconds = max(0, ms_left) // 1000
    hours, minutes, secs = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class QuestionForm:
    question_id: str
    number: int
    type: str
    prompt_html: str
    points: float
    options: list[AttemptOption] = field(default_factory=list)


def result_path(attempt_id: str) -> str:
    return f"/attempts/{attempt_id}/result"


class AttemptState(LoadedPageState, AuthState):
    # Not `attempt_id`/`exam_id`: those names are the route segments (see route_arg).
    loaded_attempt_id: str = ""
    loaded_exam_id: str = ""
    exam_title: str = ""
    attempt_number: int = 0
    questions: list[QuestionForm] = []
    # What the student has given, by question id.
    choice: dict[str, str] = {}
    picked: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    # "Saved", "Saving…" or "Not saved", and why not, by question id.
    save_status: dict[str, str] = {}
    save_problem: dict[str, str] = {}
    # The attempt's deadline on the server's clock (Unix seconds); 0 when the exam is untimed.
    _deadline_epoch: float = 0.0
    submitting: bool = False

    @rx.var
    def answered_count(self) -> int:
        return sum(1 for status in self.save_status.values() if status == SAVED)

    @rx.var(interval=COUNTDOWN_FRESHNESS)
    def ms_left(self) -> int:
        """Milliseconds to the deadline when this state was sent; UNTIMED (-1) without one.
        The browser ticks on from it (assets/exam_timer.js)."""
        if not self._deadline_epoch:
            return UNTIMED
        return max(0, int((self._deadline_epoch - time.time()) * 1000))

    @rx.var(interval=COUNTDOWN_FRESHNESS)
    def countdown(self) -> str:
        """The countdown's first paint, before the browser's script ticks it."""
        return countdown_text(self.ms_left)

    def _show_attempt(self, view: taking.AttemptView, prompts_html: list[str]) -> None:
        self.loaded_attempt_id, self.loaded_exam_id = view.attempt_id, view.exam_id
        self.exam_title, self.attempt_number = view.exam_title, view.attempt_number
        self._deadline_epoch = (
            datetime.fromisoformat(view.deadline_at).timestamp() if view.deadline_at else 0.0
        )
        self.questions = [
            QuestionForm(
                question_id=q.question_id,
                number=q.number,
                type=q.type,
                prompt_html=prompt_html,
                points=q.points,
                options=q.options,
            )
            for q, prompt_html in zip(view.questions, prompts_html, strict=True)
        ]
        self.choice = {
            q.question_id: q.selected_option_ids[0] for q in view.questions if q.selected_option_ids
        }
        self.picked = {q.question_id: q.selected_option_ids for q in view.questions}
        self.texts = {q.question_id: q.text or q.value for q in view.questions}
        self.save_status = {q.question_id: SAVED for q in view.questions if q.answered}
        self.save_problem = {}

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        self._start_loading()
        # Not in `with self._loading()`: the spinner stays while the browser leaves for a
        # finished attempt's result.
        try:
            view = await self._fetch_attempt()
        except Exception as exc:
            self._load_failed(exc)
            self.loading = False
            return
        if view is None:
            yield rx.redirect(result_path(route_arg(self, "attempt_id")))
            return
        self.loading = False

    async def _fetch_attempt(self) -> taking.AttemptView | None:
        """Load the route's attempt into this state; None when it is no longer in progress.
        Failures propagate."""
        view = await self._fetch(taking.get_attempt, attempt_id=route_arg(self, "attempt_id"))
        if view.status != "in_progress":
            return None
        prompts = await rendered([q.prompt_markdown for q in view.questions])
        self._show_attempt(view, prompts)
        return view

    async def _ensure_loaded(self) -> bool:
        """Whether this state holds the route's attempt, loading it first if not.

        After a network blip the tab's queued answers are sent as soon as its websocket
        reconnects, and when the server has not yet noticed the old connection (its ping
        timeout is minutes), Reflex gives the tab a new token and a fresh state
        (reflex-dev/reflex#6345). In the browser tests the page's on_load ran before those
        answers, but nothing in Reflex promises that order, and saving from a fresh state
        would use an empty attempt id: so an answer loads the attempt first when needed."""
        if self.loaded_attempt_id and self.loaded_attempt_id == route_arg(self, "attempt_id"):
            return True
        try:
            view = await self._fetch_attempt()
        except Exception as exc:
            self.error = describe_error(exc)
            return False
        if view is None:
            self.error = ALREADY_SUBMITTED
            return False
        self.loading = False
        return True

    def _type_of(self, question_id: str) -> str:
        return next((q.type for q in self.questions if q.question_id == question_id), "")

    async def _save(self, question_id: str, response: dict[str, Any]) -> AsyncIterator[object]:
        """Save one answer, which the handler has already recorded in this (loaded) state."""
        self.save_status[question_id] = SAVING
        self.save_problem.pop(question_id, None)
        yield
        try:
            await self._fetch(
                taking.save_answer,
                attempt_id=self.loaded_attempt_id,
                question_id=question_id,
                response=response,
            )
        except Exception as exc:
            message = describe_error(exc)
            self.save_status[question_id] = NOT_SAVED
            self.save_problem[question_id] = message
            if message in (TIME_UP, ALREADY_SUBMITTED):
                yield AttemptState.finish_after_deadline
            return
        self.save_status[question_id] = SAVED

    @rx.event
    async def choose(self, question_id: str, option_id: str) -> AsyncIterator[object]:
        if not await self._ensure_loaded():
            return
        self.choice[question_id] = option_id
        async for update in self._save(question_id, {"option_id": option_id}):
            yield update

    @rx.event
    async def toggle(
        self, question_id: str, option_id: str, checked: bool
    ) -> AsyncIterator[object]:
        if not await self._ensure_loaded():
            return
        chosen = [o for o in self.picked.get(question_id, []) if o != option_id]
        if checked:
            chosen.append(option_id)
        self.picked[question_id] = chosen
        async for update in self._save(question_id, {"option_ids": chosen}):
            yield update

    @rx.event
    async def write(self, question_id: str, text: str) -> AsyncIterator[object]:
        """Typed text (debounced in the browser); numeric answers are checked by the server."""
        if not await self._ensure_loaded():
            return
        self.texts[question_id] = text
        key = "value" if self._type_of(question_id) == "numeric" else "text"
        if key == "value" and not text.strip():
            return  # an emptied number field is not an answer; keep the last saved one
        async for update in self._save(question_id, {key: text}):
            yield update

    @rx.event
    async def submit(self) -> AsyncIterator[object]:
        self.submitting, self.error = True, ""
        yield
        attempt_id = await self._call(
            taking.submit_attempt, attempt_id=route_arg(self, "attempt_id")
        )
        if attempt_id is None:
            self.submitting = False
            return
        yield rx.redirect(result_path(attempt_id))

    @rx.event
    async def finish_after_deadline(self) -> AsyncIterator[object]:
        """The browser's countdown reached zero, or the server refused a late answer: reading
        the attempt makes the server submit it if its deadline has passed."""
        view = await self._call(taking.get_attempt, attempt_id=route_arg(self, "attempt_id"))
        if view is None:
            return
        if view.status != "in_progress":
            yield rx.redirect(result_path(view.attempt_id))
        # Otherwise the browser's clock ran fast: the countdown sent with this update (from the
        # unchanged deadline) corrects it.
