"""`/teach/grading`: essays waiting for a mark in the courses I teach (every course for admins),
oldest first. Marking one recomputes its attempt and takes it off the queue.

Students' essays are shown as plain text, never as HTML or Markdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx

from learning_app.components.authoring import number_field
from learning_app.components.courses import loaded_page, text_area_field
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.components.markdown import rendered_markdown
from learning_app.services.attempts import essay_grading
from learning_app.services.attempts.essay_grading import MAX_FEEDBACK, PendingEssay
from learning_app.services.markdown_render import render_markdown
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import call_service
from learning_app.state.course_pages import LoadedPageState

TEACHER_ATTEMPT_PATH = "/teach/attempts/"


def submitted_text(moment: str) -> str:
    """ "3 May 2025, 14:05 UTC" from an ISO 8601 time ("" if none)."""
    if not moment:
        return ""
    when = datetime.fromisoformat(moment).astimezone(UTC)
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


@dataclass(frozen=True)
class EssayItem:
    answer_id: str
    attempt_id: str
    course_title: str
    exam_title: str
    student_name: str
    prompt_html: str  # rendered and sanitised by `render_markdown`
    essay_text: str  # the student's words: shown as text only
    max_points: float
    submitted: str


def essay_item(essay: PendingEssay) -> EssayItem:
    return EssayItem(
        answer_id=essay.answer_id,
        attempt_id=essay.attempt_id,
        course_title=essay.course_title,
        exam_title=essay.exam_title,
        student_name=essay.student_name,
        prompt_html=render_markdown(essay.prompt_markdown),
        essay_text=essay.essay_text,
        max_points=essay.max_points,
        submitted=submitted_text(essay.submitted_at),
    )


class GradingState(LoadedPageState, AuthState):
    essays: list[EssayItem] = []
    failed_answer_id: str = ""  # the essay whose mark was refused (`error` says why)
    saving_answer_id: str = ""

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self.failed_answer_id = ""
        yield
        if not self.signed_in:
            return
        with self._loading():
            pending = await self._fetch(essay_grading.pending_essays)
            # Off the event loop: each prompt is rendered Markdown.
            self.essays = await call_service(lambda: [essay_item(essay) for essay in pending])

    @rx.event
    async def save_grade(self, form: dict[str, str]) -> AsyncIterator[object]:
        answer_id = form.get("answer_id", "")
        self.saving_answer_id, self.failed_answer_id = answer_id, ""
        yield
        graded = await self._call(
            essay_grading.grade_essay_answer,
            answer_id=answer_id,
            points=form.get("points", ""),
            feedback=form.get("feedback", ""),
        )
        self.saving_answer_id = ""
        if graded is None:
            self.failed_answer_id = answer_id
            return
        item = next((e for e in self.essays if e.answer_id == answer_id), None)
        self.essays = [e for e in self.essays if e.answer_id != answer_id]
        if item is not None:
            self.notice = f"Saved the grade for {item.student_name} ({item.exam_title})."


def _essay(item: EssayItem) -> rx.Component:
    points_id = "points-" + item.answer_id
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.heading(item.student_name + " · " + item.exam_title, size="4", as_="h2"),
                rx.text(
                    item.course_title + " · submitted " + item.submitted,
                    size="2",
                    color_scheme="gray",
                ),
                rx.text("Question", weight="medium", size="2"),
                rendered_markdown(item.prompt_html),
                rx.text("Answer", weight="medium", size="2"),
                rx.box(
                    rx.cond(
                        item.essay_text != "",
                        rx.text(item.essay_text, white_space="pre-wrap"),
                        rx.text("(No answer written.)", color_scheme="gray"),
                    ),
                    padding="0.75rem",
                    background="var(--gray-a2)",
                    border_radius="var(--radius-2)",
                    width="100%",
                ),
                rx.form(
                    rx.vstack(
                        # The form's handler is shared by every essay; this says which one.
                        rx.el.input(type="hidden", name="answer_id", default_value=item.answer_id),
                        number_field(
                            "Points (out of " + item.max_points.to_string() + ")",
                            input_id=points_id,
                            name="points",
                            maximum=item.max_points,
                            required=True,
                        ),
                        text_area_field(
                            "Feedback",
                            "feedback",
                            input_id="feedback-" + item.answer_id,
                            max_length=MAX_FEEDBACK,
                            rows="3",
                        ),
                        rx.cond(
                            GradingState.failed_answer_id == item.answer_id,
                            form_error(GradingState.error),
                        ),
                        rx.hstack(
                            rx.button(
                                "Save grade",
                                type="submit",
                                loading=GradingState.saving_answer_id == item.answer_id,
                                aria_label="Save grade for " + item.student_name,
                            ),
                            rx.link(
                                "See the whole attempt",
                                href=TEACHER_ATTEMPT_PATH + item.attempt_id,
                                size="2",
                            ),
                            spacing="4",
                            align="center",
                        ),
                        spacing="3",
                        align="start",
                        width="100%",
                    ),
                    on_submit=GradingState.save_grade,
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        list_style="none",
        # Keyed by answer, so a graded essay leaving the list takes its typed inputs with it.
        key=item.answer_id,
    )


def _queue() -> rx.Component:
    return rx.vstack(
        rx.heading("Grading", size="7", as_="h1"),
        form_notice(GradingState.notice),
        rx.cond(
            GradingState.essays.length() > 0,
            bare_list(
                rx.foreach(GradingState.essays, _essay),
                aria_label="Essays to grade",
                gap="1rem",
            ),
            empty_state(
                "circle-check",
                "Nothing to grade",
                "Essays from the courses you teach appear here once students submit them.",
            ),
        ),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def grading_page() -> rx.Component:
    return loaded_page(GradingState, _queue(), rx.link("Back to Teaching", href="/teach"))
