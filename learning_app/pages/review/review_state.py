"""The state behind `/review`: one sitting of today's reviews, one item at a time.

The queue stays on the server (`_queue`): the browser only ever says "flip", "rate 3" or "this
is my answer", so it cannot review an item that is not its own. The time an item took is
measured here too, from when it was shown to when it was answered. A card rated Again (or still
in its learning steps) comes back at the end of the sitting when it is due within 20 minutes,
as in Anki.
"""

from __future__ import annotations

import time
from datetime import timedelta

import reflex as rx

from learning_app.models.base import utc_now
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.review import queue, reviews
from learning_app.services.review.memory import ReviewOutcome
from learning_app.services.review.queue import QueueEntry
from learning_app.services.review.reviews import ChoiceView
from learning_app.services.review.scheduling import RATING_NAMES
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading

# Anki's "learn ahead" limit: a card due again within this (a learning or relearning step
# of 1 or 10 minutes) comes back in this sitting.
AGAIN_IN_SITTING = timedelta(minutes=20)


class ReviewState(PageLoading, AuthState):
    _queue: list[QueueEntry] = []
    _shown_at: float = 0.0
    _started_at: float = 0.0
    # What is shown now; `kind` is "" once the sitting is over (or nothing was due).
    kind: str = ""
    course_title: str = ""
    front_html: str = ""
    back_html: str = ""
    question_type: str = ""
    choices: list[ChoiceView] = []
    personal: bool = False
    flipped: bool = False
    # A question answered: its verdict, shown until "Next".
    answered: bool = False
    was_correct: bool = False
    correct_answer: str = ""
    explanation_html: str = ""
    answer_choice: str = ""
    answer_picked: list[str] = []
    answer_text: str = ""
    busy: bool = False
    # The sitting so far.
    reviewed: int = 0
    rating_counts: dict[str, int] = {}
    left: int = 0
    minutes_spent: int = 0

    @rx.var
    def finished(self) -> bool:
        return not self.loading and self.kind == "" and self.error == ""

    def _reset_item(self) -> None:
        self.kind = self.course_title = self.front_html = self.back_html = ""
        self.question_type, self.choices, self.personal = "", [], False
        self.flipped = self.answered = self.was_correct = False
        self.correct_answer = self.explanation_html = ""
        self.answer_choice, self.answer_picked, self.answer_text = "", [], ""

    async def _show_next(self) -> None:
        """Show the first item of the queue that the student may still review (one that left
        in the meantime, say its course was unpublished or a prerequisite now locks its
        lesson, is skipped)."""
        self._reset_item()
        while self._queue:
            try:
                view = await self._fetch(reviews.item_view, entry=self._queue[0])
            except (NotFound, PermissionDenied):  # gone, or its lesson locked since
                self._queue = self._queue[1:]
                continue
            self.kind, self.course_title = view.kind, view.course_title
            self.front_html, self.back_html = view.front_html, view.back_html
            self.question_type, self.choices = view.question_type, view.choices
            self.personal = view.personal
            self._shown_at = time.monotonic()
            break
        self.left = len(self._queue)
        if not self._queue and self.reviewed:
            self.minutes_spent = max(1, round((time.monotonic() - self._started_at) / 60))
            await self._call(
                reviews.complete_session,
                reviewed=self.reviewed,
                again=self.rating_counts.get(RATING_NAMES[1], 0),
                seconds=round(time.monotonic() - self._started_at),
            )

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`): today's queue, and its first
        item."""
        self._start_loading()
        self.reviewed, self.rating_counts, self.minutes_spent = 0, {}, 0
        self._started_at = time.monotonic()
        with self._loading():
            self._queue = await self._fetch(queue.due_queue)
            await self._show_next()

    def _elapsed_ms(self) -> int:
        return int((time.monotonic() - self._shown_at) * 1000)

    def _count(self, outcome: ReviewOutcome) -> None:
        """Count a review in the sitting, and bring its card back at the end of the sitting
        when it is due again within `AGAIN_IN_SITTING`."""
        if outcome.counted:
            self.reviewed += 1
            name = RATING_NAMES[outcome.rating]
            self.rating_counts = {**self.rating_counts, name: self.rating_counts.get(name, 0) + 1}
        if outcome.due - utc_now() < AGAIN_IN_SITTING:
            self._queue = [*self._queue, outcome.next_entry]

    async def _advance(self) -> None:
        self._queue = self._queue[1:]
        await self._show_next()

    @rx.event
    def flip(self) -> None:
        if self.kind == "flashcard":
            self.flipped = True

    @rx.event
    async def rate(self, rating: int) -> None:
        """Rate the flipped flashcard 1 (Again) to 4 (Easy)."""
        if self.kind != "flashcard" or not self.flipped or self.busy or not self._queue:
            return
        self.busy = True
        outcome = await self._call(
            reviews.rate_flashcard,
            entry=self._queue[0],
            rating=rating,
            duration_ms=self._elapsed_ms(),
        )
        if outcome is not None:
            self._count(outcome)
            await self._advance()
        self.busy = False

    @rx.event
    async def retire_card(self) -> None:
        """Remove the personal card shown from the student's reviews."""
        if not self.personal or self.busy or not self._queue:
            return
        self.busy = True
        await self._call(reviews.retire_my_card, entry=self._queue[0])
        if not self.error:
            self._queue = [e for e in self._queue if e.flashcard_id != self._queue[0].flashcard_id]
            await self._show_next()
            self.notice = "Card removed from your reviews."
        self.busy = False

    @rx.event
    def choose(self, option_id: str) -> None:
        self.answer_choice = option_id

    @rx.event
    def toggle(self, option_id: str, checked: bool) -> None:
        picked = [o for o in self.answer_picked if o != option_id]
        self.answer_picked = [*picked, option_id] if checked else picked

    @rx.event
    def set_answer_text(self, text: str) -> None:
        self.answer_text = text[:500]

    def _response(self) -> dict[str, object]:
        match self.question_type:
            case "multiple_choice":
                return {"option_ids": self.answer_picked}
            case "short_answer":
                return {"text": self.answer_text}
            case "numeric":
                return {"value": self.answer_text}
        return {"option_id": self.answer_choice}

    @rx.event
    async def submit_answer(self, _form: dict[str, object]) -> None:
        """Check the answer to the question shown (the form's fields are already in the state
        through their on_change); the verdict stays until "Next"."""
        if self.kind != "question" or self.answered or self.busy or not self._queue:
            return
        self.busy = True
        outcome = await self._call(
            reviews.answer_question,
            entry=self._queue[0],
            response=self._response(),
            duration_ms=self._elapsed_ms(),
        )
        if outcome is not None:
            self.answered, self.was_correct = True, outcome.correct
            self.correct_answer, self.explanation_html = (
                outcome.correct_answer,
                outcome.explanation_html,
            )
            self._count(outcome.review)
        self.busy = False

    @rx.event
    async def next_item(self) -> None:
        if self.kind == "question" and self.answered and self._queue:
            await self._advance()
