"""`/teach/courses/[course_id]/exams/[exam_id]`: the exam editor ("new" writes a new exam).

Settings, the questions picked from the bank, and random draws by tag are saved together by
`save_exam`, which checks the viewer may edit the course.
"""

from __future__ import annotations

import reflex as rx

from learning_app.components.authoring import (
    EXAM_TYPES,
    checkbox_field,
    choice_options,
    number_field,
    question_type_badge,
    section_card,
    select_field,
)
from learning_app.components.courses import loaded_page, status_badge, text_area_field
from learning_app.components.forms import field, form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.components.prerequisites_section import prerequisites_section
from learning_app.components.progress import button_with_progress
from learning_app.components.wording import count_text
from learning_app.pages.exams.editor_state import DrawRow, ExamEditorState, PickRow
from learning_app.services.exams.authoring import (
    MAX_ATTEMPTS_ALLOWED,
    MAX_QUESTIONS,
    MAX_TIME_LIMIT_MINUTES,
)
from learning_app.services.questions.bank import TagCount
from learning_app.services.questions.drafts import MAX_POINTS

S = ExamEditorState
FEEDBACK_POLICIES = [
    ("after_submit", "After the student submits"),
    ("after_close", "After the exam closes"),
    ("never", "Never"),
]
GRADE_POLICIES = [
    ("best", "Best attempt"),
    ("last", "Last attempt"),
    ("average", "Average of attempts"),
]


def _settings() -> rx.Component:
    return section_card(
        "Settings",
        field("Title", "title", max_length=200, default_value=S.title),
        text_area_field(
            "Description",
            "description",
            input_id="exam-description",
            hint="Plain text, shown to students before they start.",
            default_value=S.description,
            max_length=5_000,
            rows="3",
        ),
        rx.hstack(
            select_field(
                "Type",
                *choice_options(EXAM_TYPES),
                input_id="exam-type",
                name="type",
                default_value=S.exam_type,
            ),
            number_field(
                "Time limit (minutes)",
                input_id="exam-time-limit",
                name="time_limit_minutes",
                minimum=1,
                maximum=MAX_TIME_LIMIT_MINUTES,
                default_value=S.time_limit,
                hint="Blank: untimed.",
            ),
            number_field(
                "Attempts allowed",
                input_id="exam-max-attempts",
                name="max_attempts",
                minimum=1,
                maximum=MAX_ATTEMPTS_ALLOWED,
                default_value=S.max_attempts,
                hint="Blank: unlimited.",
            ),
            number_field(
                "Passing score (%)",
                input_id="exam-passing-score",
                name="passing_score",
                maximum=100,
                default_value=S.passing_score,
                required=True,
            ),
            spacing="4",
            wrap="wrap",
            align="start",
        ),
        rx.hstack(
            field(
                "Opens",
                "opens_at",
                type_="datetime-local",
                required=False,
                default_value=S.opens_at,
            ),
            field(
                "Closes",
                "closes_at",
                type_="datetime-local",
                required=False,
                default_value=S.closes_at,
            ),
            spacing="4",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            "Blank: always open. Times are in your time zone, " + S.time_zone + ".",
            size="1",
            color_scheme="gray",
        ),
        select_field(
            "Show which answers were right, the correct answers and explanations",
            *choice_options(FEEDBACK_POLICIES),
            input_id="exam-feedback-policy",
            name="feedback_policy",
            default_value=S.feedback_policy,
        ),
        select_field(
            "Grade from",
            *choice_options(GRADE_POLICIES),
            input_id="exam-grade-policy",
            name="grade_policy",
            default_value=S.grade_policy,
        ),
        checkbox_field(
            "Shuffle questions",
            input_id="exam-shuffle-questions",
            name="shuffle_questions",
            default_checked=S.shuffle_questions,
        ),
        checkbox_field(
            "Shuffle options",
            input_id="exam-shuffle-options",
            name="shuffle_options",
            default_checked=S.shuffle_options,
        ),
    )


def _pick_item(row: PickRow) -> rx.Component:
    pick_id = "pick-" + row.question_id
    points_id = "pick-points-" + row.question_id
    return rx.el.li(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                id=pick_id,
                checked=row.selected,
                on_change=lambda picked: S.set_picked(row.question_id, picked),
            ),
            rx.vstack(
                rx.el.label(row.preview, html_for=pick_id),
                rx.hstack(
                    question_type_badge(row.type),
                    rx.text(row.default_points.to_string() + " pt", size="2"),
                    rx.cond(
                        row.archived,
                        rx.badge("Archived: untick it to save", color_scheme="red"),
                    ),
                    spacing="2",
                    align="center",
                ),
                spacing="1",
                flex="1",
            ),
            rx.cond(
                row.selected,
                rx.vstack(
                    rx.el.label(
                        "Points",
                        rx.el.span(" for: " + row.preview, class_name="visually-hidden"),
                        html_for=points_id,
                        font_size="0.9rem",
                    ),
                    rx.input(
                        id=points_id,
                        type="number",
                        value=row.points,
                        placeholder=row.default_points.to_string(),
                        on_change=lambda points: S.set_pick_points(row.question_id, points),
                        width="6rem",
                        custom_attrs={"step": "any", "min": 0, "max": MAX_POINTS},
                    ),
                    spacing="1",
                ),
            ),
            align="start",
            spacing="3",
            width="100%",
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        list_style="none",
    )


def _picker() -> rx.Component:
    return section_card(
        "Questions",
        rx.text(
            "Tick questions to put them in the exam; they come in the order you tick them. "
            "Points left blank use the question's own.",
            size="2",
            color_scheme="gray",
        ),
        rx.text(S.picked_count.to_string() + " picked", size="2", role="status"),
        rx.cond(
            S.picks.length() > 0,
            bare_list(
                rx.foreach(S.picks, _pick_item),
                aria_label="Questions in the bank",
            ),
            rx.text(
                "The question bank is empty. Write questions on the Questions & exams page.",
                color_scheme="gray",
            ),
        ),
    )


def _tag_option(tag: TagCount) -> rx.Component:
    return rx.el.option(
        tag.name + " (" + count_text(tag.question_count, "question") + ")", value=tag.name
    )


def _draw_item(rule: DrawRow, index: rx.Var[int]) -> rx.Component:
    number = (index + 1).to_string()
    suffix = "-" + index.to_string()
    return rx.el.li(
        rx.hstack(
            select_field(
                "Tag of draw " + number,
                rx.foreach(S.tags, _tag_option),
                input_id="draw-tag" + suffix,
                value=rule.tag,
                on_change=lambda tag: S.set_draw_tag(index, tag),
            ),
            number_field(
                "Questions to draw",
                input_id="draw-count" + suffix,
                minimum=1,
                maximum=MAX_QUESTIONS,
                value=rule.count,
                on_change=lambda count: S.set_draw_count(index, count),
            ),
            number_field(
                "Points each",
                input_id="draw-points" + suffix,
                maximum=MAX_POINTS,
                value=rule.points,
                placeholder="own",
                on_change=lambda points: S.set_draw_points(index, points),
            ),
            rx.button(
                "Remove",
                type="button",
                variant="soft",
                color_scheme="gray",
                aria_label="Remove draw " + number,
                on_click=S.remove_draw(index),
            ),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        padding_y="0.5rem",
        list_style="none",
    )


def _draws() -> rx.Component:
    return section_card(
        "Random draws",
        rx.text(
            "Each attempt also gets this many questions drawn at random from the tag, "
            "besides the picked ones.",
            size="2",
            color_scheme="gray",
        ),
        bare_list(rx.foreach(S.draws, _draw_item)),
        rx.cond(
            S.tags.length() > 0,
            rx.button(
                rx.icon("plus", aria_hidden="true"),
                "Add random draw",
                type="button",
                variant="soft",
                on_click=S.add_draw,
            ),
            rx.text("Tag questions in the bank to draw them at random.", color_scheme="gray"),
        ),
    )


def _actions() -> rx.Component:
    return rx.vstack(
        form_error(S.error),
        form_notice(S.notice),
        rx.hstack(
            # `busy` is shared with publishing and closing the exam.
            button_with_progress(
                rx.button("Save exam", type="submit", loading=S.busy), S.busy, "Still working…"
            ),
            rx.cond(
                S.loaded_exam_id != "",
                rx.cond(
                    S.status == "published",
                    rx.button(
                        "Unpublish",
                        type="button",
                        variant="soft",
                        loading=S.busy,
                        on_click=S.set_published(False),
                    ),
                    rx.button(
                        "Publish",
                        type="button",
                        variant="outline",
                        loading=S.busy,
                        on_click=S.set_published(True),
                    ),
                ),
                rx.text("Save the exam to publish it.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def _status() -> rx.Component:
    return rx.cond(
        S.loaded_exam_id != "",
        rx.vstack(
            rx.hstack(
                status_badge(S.status),
                rx.text(count_text(S.attempt_count, "attempt") + " so far", size="2"),
                spacing="3",
                align="center",
            ),
            rx.text(
                "Edits apply to attempts started after you save; attempts already started "
                "keep their questions, points and deadline.",
                size="2",
                color_scheme="gray",
            ),
            spacing="1",
        ),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.link(
            "← Questions & exams",
            href="/teach/courses/" + S.loaded_course_id + "/exams",
            size="2",
        ),
        rx.heading(rx.cond(S.loaded_exam_id != "", S.title, "New exam"), size="7", as_="h1"),
        _status(),
        rx.form(
            rx.vstack(_settings(), _picker(), _draws(), _actions(), spacing="4", width="100%"),
            on_submit=S.save,
            key=S.loaded_exam_id,
            width="100%",
        ),
        prerequisites_section("exam"),  # outside the form: it saves on its own
        spacing="4",
        width="100%",
        max_width="56rem",
    )


def exam_editor_page() -> rx.Component:
    return loaded_page(ExamEditorState, _editor(), rx.link("Back to Teaching", href="/teach"))
