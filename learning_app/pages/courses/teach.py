"""`/teach`: the courses I teach, and a form to start a new one (teachers and admins)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.courses import (
    MARKDOWN_HINT,
    course_grid,
    page_problem,
    text_area_field,
)
from learning_app.components.feedback import card_skeletons, empty_state
from learning_app.components.forms import field, form_error
from learning_app.components.layout import page_shell
from learning_app.services.courses import authoring, reading
from learning_app.services.courses.authoring import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    CourseSummary,
)
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading, describe_error

EDITOR_PATH = "/teach/courses/"


class TeachState(PageLoading, AuthState):
    courses: list[CourseSummary] = []
    create_error: str = ""  # shown by the new-course form; `error` by the list
    creating: bool = False

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`), which sends visitors to sign
        in."""
        self._start_loading()
        self.create_error = ""
        if not self.signed_in or not self.is_teacher:
            self.courses, self.loading = [], False
            return
        with self._loading():
            mine = await self._fetch(reading.list_my_courses)
            self.courses = [course for course in mine if course.can_edit]

    @rx.event
    async def create(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.creating, self.create_error = True, ""
        yield
        try:
            course = await self._fetch(
                authoring.create_course,
                title=form.get("title", ""),
                description=form.get("description", ""),
            )
        except Exception as exc:
            self.create_error = describe_error(exc)
        else:
            yield rx.redirect(EDITOR_PATH + course.id)
        finally:
            self.creating = False


def new_course_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New course", size="4", as_="h2"),
                form_error(TeachState.create_error),
                field("Title", "title", max_length=MAX_TITLE_LENGTH),
                text_area_field(
                    "Description",
                    "description",
                    input_id="new-course-description",
                    hint=MARKDOWN_HINT,
                    max_length=MAX_DESCRIPTION_LENGTH,
                    rows="4",
                ),
                rx.button("Create course", type="submit", loading=TeachState.creating),
                spacing="3",
                align="start",
                width="100%",
            ),
            on_submit=TeachState.create,
            width="100%",
        ),
        width="100%",
        max_width="40rem",
    )


def _my_teaching() -> rx.Component:
    return rx.cond(
        TeachState.loading,
        card_skeletons(),
        rx.cond(
            TeachState.error != "",
            form_error(TeachState.error),
            rx.cond(
                TeachState.courses.length() > 0,
                course_grid("Courses I teach", TeachState.courses, EDITOR_PATH),
                empty_state(
                    "notebook-pen",
                    "No courses yet",
                    "Create your first course below; it stays a draft until you publish it.",
                ),
            ),
        ),
    )


def teach_page() -> rx.Component:
    return page_shell(
        rx.cond(
            AuthState.is_teacher,
            rx.vstack(
                rx.heading("Teaching", size="7", as_="h1"),
                rx.heading("My courses", size="5", as_="h2"),
                _my_teaching(),
                new_course_form(),
                spacing="5",
                width="100%",
            ),
            rx.cond(
                AuthState.auth_checked,
                page_problem(
                    "Only teachers can create courses",
                    "Teachers are named by an admin. Ask one if you teach here.",
                    rx.link("Browse courses", href="/"),
                ),
                rx.spinner(),
            ),
        )
    )
