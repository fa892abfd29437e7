"""`/`: the catalogue of published courses."""

from __future__ import annotations

import reflex as rx

from learning_app.components.feedback import card_skeletons, empty_state, error_callout
from learning_app.components.layout import page_shell
from learning_app.components.markdown import rendered_inline
from learning_app.components.wording import count_text
from learning_app.services.courses.catalog import CourseCard, list_published_courses
from learning_app.state.calls import PageLoading, call_with_session


class CatalogueState(PageLoading, rx.State):
    courses: list[CourseCard] = []

    @rx.event
    async def load(self) -> None:
        self._start_loading()
        with self._loading():
            self.courses = await call_with_session(list_published_courses)


def course_card(course: CourseCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(rx.link(course.title, href="/courses/" + course.id), size="4", as_="h3"),
            rendered_inline(course.description_html, lines=3),
            rx.spacer(),
            rx.hstack(
                rx.badge(
                    rx.icon("book-open", size=14, aria_hidden="true"),
                    count_text(course.lesson_count, "lesson"),
                    variant="soft",
                ),
                rx.text("by ", course.teacher_name, size="1", color_scheme="gray"),
                align="center",
                justify="between",
                width="100%",
            ),
            spacing="2",
            height="100%",
        ),
        size="2",
    )


def home_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Courses", size="7", as_="h1"),
            rx.text(
                "Learn from courses written by teachers, practise with exams, and ask the tutor.",
                color_scheme="gray",
            ),
            spacing="2",
            margin_bottom="1.5rem",
        ),
        rx.cond(
            CatalogueState.loading,
            card_skeletons(),
            rx.cond(
                CatalogueState.error != "",
                error_callout(CatalogueState.error),
                rx.cond(
                    CatalogueState.courses.length() > 0,
                    rx.grid(
                        rx.foreach(CatalogueState.courses, course_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4",
                        role="list",
                        aria_label="Published courses",
                    ),
                    empty_state(
                        "library",
                        "No courses yet",
                        "When a teacher publishes a course, it appears here.",
                    ),
                ),
            ),
        ),
    )
