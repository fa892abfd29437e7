"""The exams section of a course page: each exam with its facts and my best score."""

from __future__ import annotations

import reflex as rx

from learning_app.components.lists import bare_list
from learning_app.components.wording import count_text
from learning_app.services.errors import DomainError
from learning_app.services.exams import listing
from learning_app.services.exams.listing import ExamCard
from learning_app.state.auth import AuthState
from learning_app.state.calls import call_with_session
from learning_app.state.course_pages import route_arg


class CourseExamsState(AuthState):
    course_exams: list[ExamCard] = []

    @rx.event
    async def load(self) -> None:
        """on_load of the course page, after its outline; the outline shows any problem, so a
        course this viewer may not read simply has no exam list."""
        try:
            self.course_exams = await call_with_session(
                listing.list_course_exams,
                token=await self._session_token() or None,
                course_id=route_arg(self, "course_id"),
            )
        except DomainError:
            self.course_exams = []


def _facts(exam: ExamCard) -> rx.Component:
    return rx.hstack(
        rx.badge(exam.type, variant="soft"),
        rx.text(count_text(exam.question_count, "question"), size="2"),
        rx.text(
            rx.cond(
                exam.time_limit_minutes,
                count_text(exam.time_limit_minutes, "minute"),
                "no time limit",
            ),
            size="2",
        ),
        rx.cond(exam.status == "draft", rx.badge("Draft", color_scheme="amber")),
        rx.cond(
            exam.window != "",
            rx.text(exam.window, size="2", color_scheme=rx.cond(exam.is_open, "gray", "amber")),
        ),
        rx.cond(
            exam.best_percent,
            rx.badge("Best " + exam.best_percent.to_string() + "%", color_scheme="green"),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _exam_item(exam: ExamCard) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.link(rx.heading(exam.title, size="4", as_="h3"), href="/exams/" + exam.id),
                _facts(exam),
                # A prerequisite not met yet; the exam's page says the same and will not start.
                rx.cond(
                    exam.locked_reason != "",
                    rx.text(
                        rx.icon("lock", size=14, aria_hidden="true"),
                        " ",
                        exam.locked_reason,
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                spacing="2",
            ),
            width="100%",
        ),
        list_style="none",
    )


def course_exams_section() -> rx.Component:
    return rx.cond(
        CourseExamsState.course_exams.length() > 0,
        rx.vstack(
            rx.heading("Exams", size="5", as_="h2"),
            bare_list(
                rx.foreach(CourseExamsState.course_exams, _exam_item),
                gap="0.75rem",
            ),
            width="100%",
        ),
    )
