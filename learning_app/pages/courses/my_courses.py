"""`/my-courses`: the courses I am enrolled in and the ones I teach."""

from __future__ import annotations

import reflex as rx

from learning_app.components.courses import course_grid
from learning_app.components.feedback import card_skeletons, empty_state
from learning_app.components.forms import form_error
from learning_app.components.layout import page_shell
from learning_app.services.courses import reading
from learning_app.services.courses.authoring import CourseSummary
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading


class MyCoursesState(PageLoading, AuthState):
    learning_courses: list[CourseSummary] = []
    teaching_courses: list[CourseSummary] = []

    @rx.event
    @opens_page(signed_in=True, viewer_from_load=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        with self._loading():
            mine = await self._fetch(reading.list_my_courses)
            self.learning_courses = [course for course in mine if course.enrolled]
            self.teaching_courses = [course for course in mine if course.can_edit]


def _section(title: str, courses: rx.Var[list[CourseSummary]], base_href: str) -> rx.Component:
    return rx.cond(
        courses.length() > 0,
        rx.vstack(
            rx.heading(title, size="5", as_="h2"),
            course_grid(title, courses, base_href),
            spacing="3",
            width="100%",
        ),
    )


def _nothing_yet() -> rx.Component:
    return rx.vstack(
        empty_state(
            "library",
            "No courses yet",
            "Enrol in a course from the catalogue and it will appear here.",
        ),
        rx.link("Browse the catalogue", href="/", size="3"),
        align="center",
        spacing="4",
        width="100%",
    )


def my_courses_page() -> rx.Component:
    has_any = (MyCoursesState.learning_courses.length() > 0) | (
        MyCoursesState.teaching_courses.length() > 0
    )
    return page_shell(
        rx.vstack(
            rx.heading("My courses", size="7", as_="h1"),
            rx.cond(
                MyCoursesState.loading,
                card_skeletons(),
                rx.cond(
                    MyCoursesState.error != "",
                    form_error(MyCoursesState.error),
                    rx.cond(
                        has_any,
                        rx.vstack(
                            _section("Learning", MyCoursesState.learning_courses, "/courses/"),
                            _section(
                                "Teaching", MyCoursesState.teaching_courses, "/teach/courses/"
                            ),
                            spacing="6",
                            width="100%",
                        ),
                        _nothing_yet(),
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
