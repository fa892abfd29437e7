"""`/exams/[exam_id]`: what an exam is, my attempts at it, and the button to start or resume."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.courses import loaded_page
from learning_app.components.forms import form_error
from learning_app.services.attempts import results, taking
from learning_app.services.attempts.results import AttemptSummary
from learning_app.services.exams.listing import ExamCard
from learning_app.services.values import count_label
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.course_pages import LoadedPageState, route_arg

FEEDBACK_POLICY_TEXT = {
    "never": "You see your total score, never which answers were right.",
    "after_submit": "Which answers were right, and why, is shown once you submit.",
    "after_close": (
        "You see your total score once you submit; which answers were right, and why, after "
        "the exam closes."
    ),
}


def exam_facts(card: ExamCard) -> str:
    """ "10 questions · 15 minutes · 3 attempts · Closes Fri 4 Dec, 17:00 CET", for the
    teacher's list and the intro page."""
    count, limit, most = card.question_count, card.time_limit_minutes, card.max_attempts
    parts = [count_label(count, "question")]
    parts.append(count_label(limit, "minute") if limit else "no time limit")
    parts.append(count_label(most, "attempt") if most else "unlimited attempts")
    if card.window:
        parts.append(card.window)
    return " · ".join(parts)


class ExamIntroState(LoadedPageState, AuthState):
    loaded_exam_id: str = ""
    loaded_course_id: str = ""
    course_title: str = ""
    title: str = ""
    description: str = ""
    facts: str = ""
    policy_text: str = ""
    passing_score: float = 0.0
    attempts: list[AttemptSummary] = []
    resume_id: str = ""
    can_start: bool = False
    blocked_reason: str = ""
    starting: bool = False

    @rx.event
    @opens_page(signed_in=True, viewer_from_load=True)
    async def load(self) -> None:
        self._start_loading()
        with self._loading():
            intro = await self._fetch(results.exam_intro, exam_id=route_arg(self, "exam_id"))
            card = intro.exam
            self.loaded_exam_id, self.title, self.description = (
                card.id,
                card.title,
                card.description,
            )
            self.loaded_course_id, self.course_title = intro.course_id, intro.course_title
            self.facts = exam_facts(card)
            self.policy_text = FEEDBACK_POLICY_TEXT.get(intro.feedback_policy, "")
            self.passing_score, self.attempts = intro.passing_score, intro.attempts
            self.resume_id, self.can_start = intro.in_progress_attempt_id, intro.can_start
            self.blocked_reason = intro.blocked_reason

    @rx.event
    async def start(self) -> AsyncIterator[object]:
        self.starting = True
        yield
        attempt_id = await self._call(taking.begin_attempt, exam_id=self.loaded_exam_id)
        self.starting = False
        if attempt_id is not None:
            yield rx.redirect(f"/attempts/{attempt_id}")


def _attempt_row(attempt: AttemptSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(attempt.attempt_number),
        rx.table.cell(
            rx.match(
                attempt.status,
                ("in_progress", "In progress"),
                ("awaiting_grading", "Awaiting grading"),
                ("graded", rx.cond(attempt.passed, "Passed", "Not passed")),
                "Submitted",
            )
        ),
        rx.table.cell(rx.cond(attempt.percent, attempt.percent.to_string() + "%", "-")),
        rx.table.cell(
            rx.cond(
                attempt.status == "in_progress",
                rx.text("-"),
                rx.link(
                    "Results",
                    href="/attempts/" + attempt.attempt_id + "/result",
                    aria_label="Results of attempt " + attempt.attempt_number.to_string(),
                ),
            )
        ),
    )


def _my_attempts() -> rx.Component:
    return rx.cond(
        ExamIntroState.attempts.length() > 0,
        rx.vstack(
            rx.heading("Your attempts", size="5", as_="h2"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Attempt", "Result", "Score", "Details")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(ExamIntroState.attempts, _attempt_row)),
                width="100%",
            ),
            width="100%",
        ),
        rx.text("You have not taken this exam yet.", color_scheme="gray"),
    )


def _start_button() -> rx.Component:
    s = ExamIntroState
    return rx.cond(
        s.resume_id != "",
        rx.link(rx.button("Resume attempt", size="3"), href="/attempts/" + s.resume_id),
        rx.cond(
            s.can_start,
            rx.button("Start exam", size="3", on_click=s.start, loading=s.starting),
            rx.callout(s.blocked_reason, icon="lock", color_scheme="gray"),
        ),
    )


def _intro() -> rx.Component:
    s = ExamIntroState
    return rx.vstack(
        rx.link("← " + s.course_title, href="/courses/" + s.loaded_course_id, size="2"),
        rx.heading(s.title, size="8", as_="h1"),
        rx.cond(s.description != "", rx.text(s.description, white_space="pre-wrap")),
        rx.text(s.facts, weight="medium"),
        rx.text(
            s.passing_score.to_string() + "% needed to pass. " + s.policy_text,
            color_scheme="gray",
        ),
        form_error(s.error),
        _start_button(),
        rx.divider(),
        _my_attempts(),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def exam_intro_page() -> rx.Component:
    return loaded_page(ExamIntroState, _intro(), rx.link("Back to my courses", href="/my-courses"))
