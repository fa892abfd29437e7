"""`/teach/courses/[course_id]`: the course editor (details, publishing, lessons, co-teachers,
deletion), with the way in to questions and exams.

What this page hides or disables is only convenience: every write goes through a service that
checks the viewer may edit (or own) the course.
"""

from __future__ import annotations

import reflex as rx

from learning_app.components.courses import (
    MARKDOWN_HINT,
    confirm_button,
    loaded_page,
    status_badge,
    text_area_field,
    toggle_button,
)
from learning_app.components.forms import field, form_error, form_notice
from learning_app.components.progress import button_with_progress
from learning_app.components.share_dialog import share_dialog
from learning_app.pages.courses.editor_state import CourseEditorState
from learning_app.pages.courses.teachers import teachers_section
from learning_app.pages.material.sections import material_editor_section
from learning_app.services.courses.authoring import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    OutlineLesson,
)

EDITOR_PATH = "/teach/courses/"


def _details_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Title", "title", max_length=MAX_TITLE_LENGTH, default_value=CourseEditorState.title
            ),
            text_area_field(
                "Description",
                "description",
                input_id="course-description",
                hint=MARKDOWN_HINT,
                default_value=CourseEditorState.description,
                max_length=MAX_DESCRIPTION_LENGTH,
                rows="5",
            ),
            rx.hstack(
                rx.el.input(
                    type="checkbox",
                    id="course-is-public",
                    name="is_public",
                    default_checked=CourseEditorState.is_public,
                ),
                rx.el.label(
                    "Public: visitors may read it without enrolling",
                    html_for="course-is-public",
                ),
                align="center",
            ),
            button_with_progress(
                rx.button("Save details", type="submit", loading=CourseEditorState.busy),
                CourseEditorState.busy,
                "Still working…",  # `busy` is shared by every action on this page
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=CourseEditorState.save_details,
        key=CourseEditorState.loaded_id,
        width="100%",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
    )


def _lesson_row(lesson: OutlineLesson, index: rx.Var[int]) -> rx.Component:
    last = CourseEditorState.course_lessons.length() - 1
    return rx.el.li(
        rx.hstack(
            rx.link(
                lesson.title,
                href=EDITOR_PATH + CourseEditorState.loaded_id + "/lessons/" + lesson.lesson_id,
                weight="medium",
            ),
            status_badge(rx.cond(lesson.is_draft, "draft", "published")),
            rx.spacer(),
            rx.icon_button(
                rx.icon("arrow-up", aria_hidden="true"),
                variant="soft",
                aria_label="Move " + lesson.title + " up",
                disabled=index == 0,
                on_click=CourseEditorState.move_lesson(lesson.lesson_id, -1),
            ),
            rx.icon_button(
                rx.icon("arrow-down", aria_hidden="true"),
                variant="soft",
                aria_label="Move " + lesson.title + " down",
                disabled=index == last,
                on_click=CourseEditorState.move_lesson(lesson.lesson_id, 1),
            ),
            toggle_button(
                ~lesson.is_draft,
                turn_off="Unpublish",
                turn_on="Publish",
                subject=lesson.title,
                on_toggle=lambda published: CourseEditorState.set_lesson_published(
                    lesson.lesson_id, published
                ),
                size="1",
            ),
            confirm_button(
                "Remove",
                title="Remove this lesson from the course?",
                description="The lesson itself is kept, but students of this course no "
                "longer see it.",
                confirm_label="Remove lesson",
                aria_label="Remove " + lesson.title + " from the course",
                on_confirm=CourseEditorState.detach_lesson(lesson.lesson_id),
            ),
            align="center",
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def _new_lesson_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                field("New lesson title", "lesson_title", max_length=MAX_TITLE_LENGTH), flex="1"
            ),
            rx.button("New lesson", type="submit", loading=CourseEditorState.busy),
            align="end",
            width="100%",
        ),
        on_submit=CourseEditorState.new_lesson,
        reset_on_submit=True,
        width="100%",
    )


def _lessons_section() -> rx.Component:
    return _section(
        "Lessons",
        rx.cond(
            CourseEditorState.course_lessons.length() > 0,
            rx.el.ol(
                rx.foreach(CourseEditorState.course_lessons, _lesson_row),
                aria_label="Lessons in course order",
                list_style_type="decimal",
                padding_left="1.5rem",
                width="100%",
            ),
            rx.text("No lessons yet. Add the first one below.", color_scheme="gray"),
        ),
        _new_lesson_form(),
    )


def _publishing() -> rx.Component:
    return rx.hstack(
        status_badge(CourseEditorState.status),
        rx.cond(
            CourseEditorState.status == "published",
            rx.button(
                "Unpublish course",
                variant="soft",
                on_click=CourseEditorState.set_published(False),
                loading=CourseEditorState.busy,
            ),
            rx.button(
                "Publish course",
                on_click=CourseEditorState.set_published(True),
                loading=CourseEditorState.busy,
            ),
        ),
        rx.link("View the course page", href="/courses/" + CourseEditorState.loaded_id),
        rx.link("Course dashboard", href=EDITOR_PATH + CourseEditorState.loaded_id + "/dashboard"),
        spacing="4",
        align="center",
        wrap="wrap",
    )


def _exams_hook() -> rx.Component:
    """Questions and exams are authored on their own page (built separately)."""
    return _section(
        "Questions & exams",
        rx.text(
            "Write questions, build exams and write flashcards for this course.",
            color_scheme="gray",
        ),
        rx.link(
            "Questions & exams",
            href=EDITOR_PATH + CourseEditorState.loaded_id + "/exams",
        ),
        rx.link("Flashcards", href=EDITOR_PATH + CourseEditorState.loaded_id + "/cards"),
        rx.link("Gradebook", href=EDITOR_PATH + CourseEditorState.loaded_id + "/gradebook"),
        rx.link(
            "Accommodations", href=EDITOR_PATH + CourseEditorState.loaded_id + "/accommodations"
        ),
    )


def _danger_zone() -> rx.Component:
    return _section(
        "Delete course",
        rx.text(
            "Deletes the course with its enrolments, progress, questions and exams. "
            "Its lessons are kept.",
            size="2",
        ),
        form_error(CourseEditorState.delete_error),
        confirm_button(
            "Delete course",
            title="Delete this course?",
            description="This cannot be undone. Students lose their progress in it.",
            confirm_label="Delete course",
            on_confirm=CourseEditorState.delete,
            loading=CourseEditorState.busy,
        ),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.link("← Teaching", href="/teach", size="2"),
        rx.heading(CourseEditorState.title, size="7", as_="h1"),
        form_error(CourseEditorState.error),
        form_notice(CourseEditorState.notice),
        _publishing(),
        share_dialog("course", CourseEditorState.loaded_id, "course"),
        _section("Details", _details_form()),
        _lessons_section(),
        material_editor_section(),
        teachers_section(),
        _exams_hook(),
        _danger_zone(),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def course_editor_page() -> rx.Component:
    return loaded_page(CourseEditorState, _editor(), rx.link("Back to Teaching", href="/teach"))
