"""The state behind `/attempts/[attempt_id]`: one student's exam in progress.

Every answer goes to the server the moment it is given (a choice clicked, a debounced pause in
typing, leaving a field), so a reload or a lost connection loses nothing. The countdown shown
in the browser is a courtesy; the server's deadline is the rule, and it submits the attempt
itself when time runs out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from learning_app.services.attempts import taking
from learning_app.services.attempts.taking import ALREADY_SUBMITTED, TIME_UP, AttemptOption
from learning_app.services.markdown_render import render_all
from learning_app.state.auth import AuthState
from learning_app.state.calls import call_service, describe_error
from learning_app.state.course_pages import LoadedPageState, route_arg

SAVED = "Saved"
SAVING = "Saving…"
NOT_SAVED = "Not saved"


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
    # Seconds left when the server last answered; -1 when the exam is untimed.
    seconds_left: int = -1
    submitting: bool = False

    @rx.var
    def answered_count(self) -> int:
        return sum(1 for status in self.save_status.values() if status == SAVED)

    def _show(self, view: taking.AttemptView, prompts_html: list[str]) -> None:
        self.loaded_attempt_id, self.loaded_exam_id = view.attempt_id, view.exam_id
        self.exam_title, self.attempt_number = view.exam_title, view.attempt_number
        self.seconds_left = -1 if view.seconds_left is None else view.seconds_left
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
    async def load(self) -> AsyncIterator[object]:
        self._start_loading()
        # Not in `with self._loading()`: the spinner stays while the browser leaves for a
        # finished attempt's result.
        try:
            view = await self._fetch(taking.get_attempt, attempt_id=route_arg(self, "attempt_id"))
        except Exception as exc:
            self._load_failed(exc)
            self.loading = False
            return
        if view.status != "in_progress":
            yield rx.redirect(result_path(view.attempt_id))
            return
        # Rendered off the event loop: it serves every tab of this worker.
        prompts = await call_service(render_all, [q.prompt_markdown for q in view.questions])
        self._show(view, prompts)
        self.loading = False

    def _type_of(self, question_id: str) -> str:
        return next((q.type for q in self.questions if q.question_id == question_id), "")

    async def _save(self, question_id: str, response: dict[str, Any]) -> AsyncIterator[object]:
        self.save_status[question_id] = SAVING
        self.save_problem.pop(question_id, None)
        yield
        try:
            saved = await self._fetch(
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
        if saved.seconds_left is not None:
            self.seconds_left = saved.seconds_left

    @rx.event
    async def choose(self, question_id: str, option_id: str) -> AsyncIterator[object]:
        self.choice[question_id] = option_id
        async for update in self._save(question_id, {"option_id": option_id}):
            yield update

    @rx.event
    async def toggle(
        self, question_id: str, option_id: str, checked: bool
    ) -> AsyncIterator[object]:
        chosen = [o for o in self.picked.get(question_id, []) if o != option_id]
        if checked:
            chosen.append(option_id)
        self.picked[question_id] = chosen
        async for update in self._save(question_id, {"option_ids": chosen}):
            yield update

    @rx.event
    async def write(self, question_id: str, text: str) -> AsyncIterator[object]:
        """Typed text (debounced in the browser); numeric answers are checked by the server."""
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
        attempt_id = await self._call(taking.submit_attempt, attempt_id=self.loaded_attempt_id)
        if attempt_id is None:
            self.submitting = False
            return
        yield rx.redirect(result_path(attempt_id))

    @rx.event
    async def finish_after_deadline(self) -> AsyncIterator[object]:
        """The browser's countdown reached zero, or the server refused a late answer: reading
        the attempt makes the server submit it if its deadline has passed."""
        view = await self._call(taking.get_attempt, attempt_id=self.loaded_attempt_id)
        if view is None:
            return
        if view.status != "in_progress":
            yield rx.redirect(result_path(view.attempt_id))
        elif view.seconds_left is not None:
            self.seconds_left = view.seconds_left  # the browser's clock ran fast
