"""The co-teachers section of the course editor, with its own small state.

Only the owner (or an admin) may add or remove co-teachers, and a co-teacher may leave; the
services enforce it and their refusal is shown here.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from learning_app.components.forms import field, form_error
from learning_app.services.courses import authoring
from learning_app.services.courses.authoring import CourseTeacherView
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls
from learning_app.state.course_pages import route_arg


class CourseTeachersState(ServiceCalls, AuthState):
    teachers: list[CourseTeacherView] = []
    busy: bool = False

    async def _update(self, action: Callable[..., list[CourseTeacherView]], **kwargs: str) -> None:
        """Call a co-teacher service for the course in the URL; it returns the new list."""
        teachers = await self._call(action, course_id=route_arg(self, "course_id"), **kwargs)
        if teachers is not None:
            self.teachers = teachers

    @rx.event
    async def load(self) -> None:
        """on_load of the course editor, after the page's sign-in check (`opens_page`)."""
        self.teachers = []
        if self.signed_in:
            await self._update(authoring.list_course_teachers)

    @rx.event
    async def add(self, form: dict[str, str]) -> None:
        await self._update(authoring.add_co_teacher, email=form.get("email", ""))

    @rx.event
    async def remove(self, user_id: str) -> None:
        await self._update(authoring.remove_co_teacher, user_id=user_id)


def _teacher_row(teacher: CourseTeacherView) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(teacher.display_name),
            rx.cond(
                teacher.role == "owner",
                rx.badge("Owner", variant="soft"),
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Remove " + teacher.display_name + " as co-teacher",
                    on_click=CourseTeachersState.remove(teacher.user_id),
                ),
            ),
            align="center",
            spacing="3",
        ),
        padding_y="0.25rem",
    )


def teachers_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Teachers", size="4", as_="h2"),
            form_error(CourseTeachersState.error),
            rx.el.ul(
                rx.foreach(CourseTeachersState.teachers, _teacher_row),
                aria_label="Teachers of this course",
                list_style_type="none",
                padding_left="0",
            ),
            rx.form(
                rx.hstack(
                    rx.box(
                        field(
                            "Co-teacher's email",
                            "email",
                            type_="email",
                            hint="They need a teacher account.",
                        ),
                        flex="1",
                    ),
                    rx.button("Add co-teacher", type="submit"),
                    align="center",
                    width="100%",
                ),
                on_submit=CourseTeachersState.add,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
