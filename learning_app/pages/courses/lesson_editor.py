"""`/teach/courses/[course_id]/lessons/[lesson_id]`: write a lesson in Markdown, with a preview
rendered and sanitised on the server exactly as students will see it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from learning_app.components.courses import loaded_page, status_badge, text_area_field
from learning_app.components.forms import field, form_error, form_notice
from learning_app.components.markdown import rendered_markdown
from learning_app.components.prerequisites_section import prerequisites_section
from learning_app.components.progress import button_with_progress, still_working
from learning_app.components.share_dialog import share_dialog
from learning_app.services.courses import lessons, reading
from learning_app.services.courses.authoring import MAX_TITLE_LENGTH
from learning_app.services.courses.lessons import MAX_BODY_LENGTH, MAX_SUMMARY_LENGTH
from learning_app.services.markdown_render import render_markdown
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import call_service
from learning_app.state.course_pages import LoadedPageState, route_arg

PREVIEW_DEBOUNCE_MS = 400


class LessonEditorState(LoadedPageState, AuthState):
    busy: bool = False
    busy_message: str = "Still saving…"  # what `still_working` says if `busy` lasts
    loaded_id: str = ""
    loaded_course_id: str = ""
    course_title: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    is_draft: bool = True
    preview_html: str = ""

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self.loaded_id = ""
        # The spinner replaces the form now, so it mounts again with this lesson's values.
        yield
        if not self.signed_in:
            return
        with self._loading():
            lesson = await self._fetch(
                reading.read_lesson,
                course_id=route_arg(self, "course_id"),
                lesson_id=route_arg(self, "lesson_id"),
            )
            if lesson.can_edit:
                self.loaded_course_id, self.course_title = lesson.course_id, lesson.course_title
                self.title, self.summary, self.body = (
                    lesson.title,
                    lesson.summary,
                    lesson.body_markdown,
                )
                self.is_draft = lesson.is_draft
                self.preview_html = await call_service(render_markdown, lesson.body_markdown)
                self.loaded_id = lesson.lesson_id
            else:
                self.problem_title = "Not allowed"
                self.problem = "Only the course's teachers can change this lesson."

    @rx.event
    async def preview(self, body: str) -> None:
        """Render the body being typed (debounced in the browser); nothing is saved."""
        self.preview_html = await call_service(render_markdown, body[:MAX_BODY_LENGTH])

    @rx.event
    async def save(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.busy, self.busy_message = True, "Still saving…"
        yield
        lesson = await self._call(
            lessons.update_lesson,
            lesson_id=self.loaded_id,
            title=form.get("title", ""),
            summary=form.get("summary", ""),
            body_markdown=form.get("body_markdown", ""),
        )
        if lesson is not None:
            self.title, self.summary = lesson.title, lesson.summary
            self.notice = "The lesson is saved."
        self.busy = False

    @rx.event
    async def set_published(self, publish: bool) -> AsyncIterator[object]:
        self.busy = True
        self.busy_message = "Still publishing…" if publish else "Still unpublishing…"
        yield
        action = lessons.publish_lesson if publish else lessons.unpublish_lesson
        lesson = await self._call(action, lesson_id=self.loaded_id)
        if lesson is not None:
            self.is_draft = lesson.status != "published"
            self.notice = "The lesson is published." if publish else "The lesson is a draft again."
        self.busy = False


def _lesson_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Title", "title", max_length=MAX_TITLE_LENGTH, default_value=LessonEditorState.title
            ),
            text_area_field(
                "Summary",
                "summary",
                input_id="lesson-summary",
                default_value=LessonEditorState.summary,
                max_length=MAX_SUMMARY_LENGTH,
                rows="2",
            ),
            text_area_field(
                "Lesson text (Markdown)",
                "body_markdown",
                input_id="lesson-body",
                default_value=LessonEditorState.body,
                max_length=MAX_BODY_LENGTH,
                rows="20",
                font_family="var(--code-font-family, monospace)",
                on_change=LessonEditorState.preview.debounce(PREVIEW_DEBOUNCE_MS),
            ),
            button_with_progress(
                rx.button("Save lesson", type="submit", loading=LessonEditorState.busy),
                LessonEditorState.busy,
                LessonEditorState.busy_message,
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=LessonEditorState.save,
        key=LessonEditorState.loaded_id,
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.el.section(
        rx.heading("Preview", size="4", as_="h2", id="lesson-preview-heading"),
        rx.text("As students will see it (not saved yet).", size="1", color_scheme="gray"),
        rx.card(
            rx.cond(
                LessonEditorState.preview_html != "",
                rendered_markdown(LessonEditorState.preview_html),
                rx.text("Nothing to preview yet.", color_scheme="gray"),
            ),
            margin_top="0.5rem",
        ),
        aria_labelledby="lesson-preview-heading",
        width="100%",
    )


def _publishing() -> rx.Component:
    return rx.hstack(
        status_badge(rx.cond(LessonEditorState.is_draft, "draft", "published")),
        rx.cond(
            LessonEditorState.is_draft,
            rx.button(
                "Publish lesson",
                on_click=LessonEditorState.set_published(True),
                loading=LessonEditorState.busy,
            ),
            rx.button(
                "Unpublish lesson",
                variant="soft",
                on_click=LessonEditorState.set_published(False),
                loading=LessonEditorState.busy,
            ),
        ),
        rx.cond(
            LessonEditorState.busy_message != "Still saving…",
            still_working(LessonEditorState.busy, LessonEditorState.busy_message),
        ),
        share_dialog("lesson", LessonEditorState.loaded_id, "lesson"),
        rx.link(
            "View as a student",
            href="/courses/"
            + LessonEditorState.loaded_course_id
            + "/lessons/"
            + LessonEditorState.loaded_id,
        ),
        spacing="4",
        align="center",
        wrap="wrap",
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.link(
            "← " + LessonEditorState.course_title,
            href="/teach/courses/" + LessonEditorState.loaded_course_id,
            size="2",
        ),
        rx.heading(LessonEditorState.title, size="7", as_="h1"),
        form_error(LessonEditorState.error),
        form_notice(LessonEditorState.notice),
        _publishing(),
        rx.grid(
            _lesson_form(),
            _preview(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="5",
            width="100%",
        ),
        prerequisites_section("lesson"),
        spacing="4",
        width="100%",
    )


def lesson_editor_page() -> rx.Component:
    return loaded_page(LessonEditorState, _editor(), rx.link("Back to Teaching", href="/teach"))
