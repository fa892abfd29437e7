"""`/courses/[course_id]/lessons/[lesson_id]`: read a lesson (sanitised), move to the previous or
next one, and mark it complete."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.courses import loaded_page
from learning_app.components.forms import form_error, form_notice
from learning_app.components.markdown import rendered_markdown
from learning_app.services.courses import reading
from learning_app.state.auth import AuthState, opens_page, sign_in_redirect
from learning_app.state.calls import rendered
from learning_app.state.course_pages import LoadedPageState, route_arg

# The fragment is read, never written into the page: an id lookup, nothing more.
SCROLL_TO_SECTION = (
    "setTimeout(() => { const id = decodeURIComponent(location.hash.slice(1));"
    " if (id) document.getElementById(id)?.scrollIntoView(); }, 50)"
)


class LessonReaderState(LoadedPageState, AuthState):
    marking: bool = False
    loaded_id: str = ""
    loaded_course_id: str = ""
    course_title: str = ""
    title: str = ""
    summary: str = ""
    summary_html: str = ""
    body_html: str = ""
    is_draft: bool = False
    previous_id: str = ""
    next_id: str = ""
    # Why the previous or next lesson is locked (a prerequisite): shown instead of its link.
    previous_locked: str = ""
    next_locked: str = ""
    completed: bool = False
    can_edit: bool = False

    @rx.event
    @opens_page(signed_in=False, viewer_from_load=True)
    async def load(self) -> rx.event.EventSpec | None:
        """on_load, after the page's viewer check (`opens_page`): visitors may read lessons of
        public courses. The body arrives after the browser tried to scroll to `#section-...`
        (a tutor citation), so it scrolls there again once the body is shown."""
        self._start_loading()
        course_id = route_arg(self, "course_id")
        # The course page says how to get in (enrol, sign in) when this lesson is closed.
        self.loaded_course_id = course_id
        with self._loading():
            lesson = await self._fetch(
                reading.read_lesson, course_id=course_id, lesson_id=route_arg(self, "lesson_id")
            )
            self.body_html, self.summary_html = await rendered(
                [lesson.body_markdown, lesson.summary]
            )
            self.loaded_id, self.course_title = lesson.lesson_id, lesson.course_title
            self.title, self.summary, self.is_draft = lesson.title, lesson.summary, lesson.is_draft
            self.previous_id, self.next_id = lesson.previous_lesson_id, lesson.next_lesson_id
            self.previous_locked = lesson.previous_locked_reason
            self.next_locked = lesson.next_locked_reason
            self.completed, self.can_edit = lesson.completed, lesson.can_edit
        return rx.call_script(SCROLL_TO_SECTION) if not self.problem else None

    @rx.event
    async def mark_complete(self) -> AsyncIterator[object]:
        if not self.signed_in:
            yield sign_in_redirect(self.router.url.path)
            return
        self.marking = True
        yield
        course_done = await self._call(
            reading.mark_lesson_complete,
            course_id=self.loaded_course_id,
            lesson_id=self.loaded_id,
        )
        if course_done is not None:
            self.completed = True
            self.notice = (
                "You have completed every lesson of this course. Well done!"
                if course_done
                else "Lesson complete."
            )
        self.marking = False


def _lesson_href(lesson_id: rx.Var[str]) -> rx.Var[str]:
    return "/courses/" + LessonReaderState.loaded_course_id + "/lessons/" + lesson_id


def _completion() -> rx.Component:
    return rx.cond(
        LessonReaderState.completed,
        rx.badge(
            rx.icon("circle-check", size=16, aria_hidden="true"),
            "Completed",
            color_scheme="green",
            size="3",
        ),
        rx.cond(
            ~LessonReaderState.can_edit,
            rx.button(
                "Mark as complete",
                on_click=LessonReaderState.mark_complete,
                loading=LessonReaderState.marking,
            ),
        ),
    )


def _locked_neighbour(which: str, reason: rx.Var[str]) -> rx.Component:
    """A neighbour a prerequisite still locks: no link, and what unlocks it."""
    return rx.cond(
        reason != "",
        rx.text(
            rx.icon("lock", size=14, aria_hidden="true"),
            f" {which}: ",
            reason,
            size="2",
            color_scheme="gray",
        ),
    )


def _neighbours() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.cond(
                LessonReaderState.previous_id != "",
                rx.link("← Previous lesson", href=_lesson_href(LessonReaderState.previous_id)),
                _locked_neighbour("Previous lesson", LessonReaderState.previous_locked),
            ),
            rx.spacer(),
            rx.cond(
                LessonReaderState.next_id != "",
                rx.link("Next lesson →", href=_lesson_href(LessonReaderState.next_id)),
                _locked_neighbour("Next lesson", LessonReaderState.next_locked),
            ),
            width="100%",
        ),
        aria_label="Lessons of this course",
        width="100%",
    )


def _lesson() -> rx.Component:
    return rx.vstack(
        rx.link(
            "← Back to the course: " + LessonReaderState.course_title,
            href="/courses/" + LessonReaderState.loaded_course_id,
            size="2",
        ),
        rx.heading(LessonReaderState.title, size="8", as_="h1"),
        rx.cond(
            LessonReaderState.is_draft,
            rx.callout(
                "This lesson is a draft: students do not see it yet.",
                icon="eye-off",
                color_scheme="amber",
            ),
        ),
        rx.cond(
            LessonReaderState.can_edit,
            rx.link(
                "Edit lesson",
                href="/teach/courses/"
                + LessonReaderState.loaded_course_id
                + "/lessons/"
                + LessonReaderState.loaded_id,
            ),
        ),
        rx.cond(
            LessonReaderState.summary_html != "",
            rendered_markdown(
                LessonReaderState.summary_html,
                color="var(--gray-11)",
                font_size="var(--font-size-4)",
            ),
        ),
        rx.el.article(rendered_markdown(LessonReaderState.body_html), width="100%"),
        rx.divider(),
        form_error(LessonReaderState.error),
        form_notice(LessonReaderState.notice),
        _completion(),
        _neighbours(),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def lesson_reader_page() -> rx.Component:
    return loaded_page(
        LessonReaderState,
        _lesson(),
        rx.link("Go to the course page", href="/courses/" + LessonReaderState.loaded_course_id),
    )
