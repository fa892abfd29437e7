"""`/courses/[course_id]`: a course's page: its description, its lessons in order with the
student's ticks, enrolment, and (for its teachers) the way to the editor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.courses import confirm_button, loaded_page
from learning_app.components.forms import form_error
from learning_app.components.markdown import rendered_inline, rendered_markdown
from learning_app.components.wording import count_text
from learning_app.pages.exams.course_section import CourseExamsState, course_exams_section
from learning_app.pages.material.sections import material_reader_section
from learning_app.services.courses import reading
from learning_app.services.courses.authoring import OutlineLesson
from learning_app.state.auth import AuthState, opens_page, sign_in_redirect
from learning_app.state.calls import rendered
from learning_app.state.course_pages import LoadedPageState, route_arg


class CourseState(LoadedPageState, AuthState):
    enrolling: bool = False
    loaded_id: str = ""
    title: str = ""
    description_html: str = ""
    status: str = ""
    can_edit: bool = False
    # Whether the lessons open; a published course's outline shows to anyone as its syllabus.
    can_read: bool = False
    enrolled: bool = False
    completed_count: int = 0
    course_lessons: list[OutlineLesson] = []

    async def _load_outline(self) -> None:
        """Show the route's course as the viewer now sees it (or why not); ends `loading`."""
        self.problem = ""
        with self._loading():
            outline = await self._fetch(
                reading.course_outline, course_id=route_arg(self, "course_id")
            )
            [self.description_html] = await rendered([outline.description])
            self.loaded_id, self.title, self.status = (
                outline.course_id,
                outline.title,
                outline.status,
            )
            self.can_edit, self.enrolled = outline.can_edit, outline.enrolled
            self.can_read = outline.can_read
            self.completed_count, self.course_lessons = outline.completed_count, outline.lessons

    @rx.event
    @opens_page(signed_in=False, viewer_from_load=True)
    async def load(self) -> None:
        """on_load, after the page's viewer check (`opens_page`): visitors may read public
        courses."""
        self._start_loading()
        await self._load_outline()

    @rx.event
    async def enroll(self) -> AsyncIterator[object]:
        if not self.signed_in:
            yield sign_in_redirect(self.router.url.path)
            return
        self.enrolling = True
        yield
        await self._call(reading.enroll, course_id=route_arg(self, "course_id"))
        if not self.error:
            # Enrolling may open a course that was closed to this viewer: show all of it now.
            await self._load_outline()
            yield CourseExamsState.load
        self.enrolling = False

    @rx.event
    async def leave(self) -> AsyncIterator[object]:
        """Unenrol: progress and review history are kept for a return."""
        self.enrolling = True
        yield
        await self._call(reading.leave_course, course_id=route_arg(self, "course_id"))
        if not self.error:
            await self._load_outline()
            yield CourseExamsState.load
        self.enrolling = False


def _leave_button() -> rx.Component:
    return confirm_button(
        "Leave course",
        title="Leave this course?",
        description="It leaves your courses and your reviews. Your progress is kept: enrol "
        "again to pick up where you left off.",
        confirm_label="Leave",
        cancel_label="Stay",
        on_confirm=CourseState.leave,
        loading=CourseState.enrolling,
    )


def _enrol_button() -> rx.Component:
    return rx.button(
        rx.cond(AuthState.signed_in, "Enrol in this course", "Sign in to enrol"),
        on_click=CourseState.enroll,
        loading=CourseState.enrolling,
        size="3",
    )


def _locked_badge(reason: rx.Var[str]) -> rx.Component:
    """A prerequisite not met yet: the lesson shows, unlinked, with what unlocks it."""
    return rx.badge(
        rx.icon("lock", size=14, aria_hidden="true"),
        reason,
        color_scheme="gray",
        variant="soft",
        white_space="normal",
    )


def _lesson_item(lesson: OutlineLesson) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(
                CourseState.can_read & (lesson.locked_reason == ""),
                rx.link(
                    lesson.title,
                    href="/courses/" + CourseState.loaded_id + "/lessons/" + lesson.lesson_id,
                ),
                rx.text(lesson.title, weight="medium"),
            ),
            rx.cond(lesson.locked_reason != "", _locked_badge(lesson.locked_reason)),
            rx.cond(
                lesson.completed,
                rx.badge(
                    rx.icon("circle-check", size=14, aria_hidden="true"),
                    "Completed",
                    color_scheme="green",
                    variant="soft",
                ),
            ),
            rx.cond(lesson.is_draft, rx.badge("Draft", color_scheme="amber", variant="soft")),
            align="center",
            spacing="3",
        ),
        rx.cond(lesson.summary_html != "", rendered_inline(lesson.summary_html)),
        padding_y="0.4rem",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            CourseState.can_edit,
            rx.link(
                rx.button("Edit course", variant="soft"),
                href="/teach/courses/" + CourseState.loaded_id,
            ),
        ),
        rx.cond(
            CourseState.enrolled,
            rx.text(
                "You are enrolled · ",
                CourseState.completed_count.to_string(),
                " of ",
                count_text(CourseState.course_lessons.length(), "lesson"),
                " complete",
                color_scheme="gray",
            ),
            rx.cond(~CourseState.can_edit & (CourseState.status == "published"), _enrol_button()),
        ),
        rx.cond(CourseState.enrolled, _leave_button()),
        rx.cond(
            CourseState.can_read & AuthState.signed_in,
            rx.link("Ask the tutor", href="/courses/" + CourseState.loaded_id + "/ask"),
        ),
        spacing="4",
        align="center",
        wrap="wrap",
    )


def _course() -> rx.Component:
    return rx.vstack(
        rx.heading(CourseState.title, size="8", as_="h1"),
        rx.cond(
            CourseState.status != "published",
            rx.callout(
                "This course is a draft: only its teachers can see it.",
                icon="eye-off",
                color_scheme="amber",
            ),
        ),
        form_error(CourseState.error),
        _actions(),
        rendered_markdown(CourseState.description_html),
        rx.heading("Lessons", size="5", as_="h2"),
        rx.cond(
            CourseState.course_lessons.length() > 0,
            rx.el.ol(
                rx.foreach(CourseState.course_lessons, _lesson_item),
                aria_label="Lessons",
                list_style_type="decimal",
                padding_left="1.5rem",
            ),
            rx.text("No lessons yet.", color_scheme="gray"),
        ),
        material_reader_section(),
        course_exams_section(),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def course_page() -> rx.Component:
    return loaded_page(
        CourseState,
        _course(),
        rx.link("Browse courses", href="/"),
    )
