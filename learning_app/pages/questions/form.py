"""The question form: one form for every question type, showing the inputs the chosen type
needs (options, accepted answers, or a numeric answer)."""

from __future__ import annotations

import reflex as rx

from learning_app.components.authoring import (
    QUESTION_TYPES,
    checkbox_field,
    choice_options,
    number_field,
    section_card,
    select_field,
)
from learning_app.components.courses import MARKDOWN_HINT, text_area_field
from learning_app.components.forms import field, form_error, form_notice
from learning_app.components.progress import button_with_progress
from learning_app.pages.questions.form_state import PROMPT_INPUT_ID, OptionRow, QuestionFormState
from learning_app.services.questions.bank import LOCKED_MESSAGE
from learning_app.services.questions.drafts import MAX_OPTION_LENGTH, MAX_POINTS, MAX_PROMPT_LENGTH

S = QuestionFormState


def field_problem(name: str) -> rx.Component:
    """The form's refusal, under the field it is about."""
    return rx.cond(
        (S.error_field == name) & (S.error != ""),
        rx.text(S.error, color_scheme="red", size="2", role="alert"),
    )


def _option_row(row: OptionRow, index: rx.Var[int]) -> rx.Component:
    number = (index + 1).to_string()
    text_id = "option-" + index.to_string()
    correct_id = "option-correct-" + index.to_string()
    feedback_id = "option-feedback-" + index.to_string()
    return rx.el.li(
        rx.vstack(
            rx.el.label("Option " + number, html_for=text_id, font_size="0.9rem"),
            rx.hstack(
                rx.input(
                    id=text_id,
                    value=row.body,
                    on_change=lambda body: S.set_option_body(index, body),
                    max_length=MAX_OPTION_LENGTH,
                    read_only=S.question_type == "true_false",
                    flex="1",
                ),
                rx.hstack(
                    rx.el.input(
                        type=rx.cond(S.single_answer, "radio", "checkbox"),
                        name="correct-option",
                        id=correct_id,
                        checked=row.is_correct,
                        on_change=lambda _: S.set_option_correct(index, ~row.is_correct),
                        disabled=S.locked,
                    ),
                    rx.el.label("Option " + number + " is correct", html_for=correct_id),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    ~S.fixed_options,
                    rx.icon_button(
                        rx.icon("x", aria_hidden="true"),
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        aria_label="Remove option " + number,
                        on_click=S.remove_option(index),
                    ),
                ),
                align="center",
                spacing="3",
                width="100%",
                wrap="wrap",
            ),
            rx.el.label(
                "Feedback for option " + number + " (optional)",
                html_for=feedback_id,
                font_size="0.8rem",
                color="var(--gray-11)",
            ),
            rx.input(
                id=feedback_id,
                value=row.feedback,
                on_change=lambda text: S.set_option_feedback(index, text),
                max_length=MAX_OPTION_LENGTH,
                placeholder="Shown to students who pick it, when answers are shown",
                size="1",
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        list_style="none",
    )


def _options_editor() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Options", font_weight="500"),
        rx.text(
            rx.cond(
                S.single_answer,
                "Mark the one correct option. Blank options are left out.",
                "Mark every correct option. Blank options are left out.",
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.el.ul(
            rx.foreach(S.options, _option_row),
            padding="0",
            margin="0",
            display="grid",
            gap="0.5rem",
        ),
        rx.cond(
            S.can_add_option,
            rx.button(
                rx.icon("plus", aria_hidden="true"),
                "Add option",
                type="button",
                variant="soft",
                on_click=S.add_option,
                margin_top="0.5rem",
            ),
        ),
        field_problem("options"),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _short_answer_inputs() -> rx.Component:
    return rx.vstack(
        text_area_field(
            "Accepted answers (one per line)",
            "accepted_answers",
            input_id="question-accepted-answers",
            default_value=S.accepted_text,
            read_only=S.locked,
            rows="4",
        ),
        field_problem("accepted_answers"),
        checkbox_field(
            "Case-sensitive",
            input_id="question-case-sensitive",
            name="case_sensitive",
            default_checked=S.case_sensitive,
        ),
        spacing="2",
        width="100%",
    )


def _numeric_inputs() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            number_field(
                "Answer",
                input_id="question-numeric-answer",
                name="numeric_answer",
                minimum=None,
                default_value=S.numeric_answer,
                read_only=S.locked,
            ),
            number_field(
                "Tolerance (±)",
                input_id="question-tolerance",
                name="numeric_tolerance",
                default_value=S.numeric_tolerance,
                read_only=S.locked,
                hint="Blank: the exact answer.",
            ),
            spacing="4",
            wrap="wrap",
        ),
        field_problem("numeric_answer"),
        field_problem("tolerance"),
        spacing="2",
        width="100%",
    )


def _answer_inputs() -> rx.Component:
    """What grades the question, by type (essays are marked by a teacher)."""
    return rx.match(
        S.question_type,
        ("short_answer", _short_answer_inputs()),
        ("numeric", _numeric_inputs()),
        ("essay", rx.text("Essays are marked by a teacher in the grading queue.", size="2")),
        _options_editor(),
    )


def question_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                S.locked,
                rx.callout(LOCKED_MESSAGE, icon="lock", color_scheme="amber", width="100%"),
            ),
            select_field(
                "Type",
                *choice_options(QUESTION_TYPES),
                input_id="question-type",
                name="type",
                value=S.question_type,
                on_change=S.set_question_type,
                disabled=S.locked,
            ),
            field_problem("type"),
            text_area_field(
                "Question",
                "prompt",
                input_id=PROMPT_INPUT_ID,
                hint=MARKDOWN_HINT,
                default_value=S.prompt,
                max_length=MAX_PROMPT_LENGTH,
                rows="5",
            ),
            field_problem("prompt"),
            _answer_inputs(),
            text_area_field(
                "Explanation (shown with the answers)",
                "explanation",
                input_id="question-explanation",
                hint=MARKDOWN_HINT,
                default_value=S.explanation,
                max_length=MAX_PROMPT_LENGTH,
                rows="3",
            ),
            field_problem("explanation"),
            number_field(
                "Points",
                input_id="question-points",
                name="points",
                maximum=MAX_POINTS,
                default_value=S.points,
                read_only=S.locked,
                required=True,
            ),
            field_problem("points"),
            field(
                "Tags",
                "tags",
                required=False,
                hint="Comma-separated, e.g. loops, functions. Random draws pick by tag.",
                default_value=S.tags_text,
            ),
            field_problem("tags"),
            form_error(S.general_error),
            form_notice(S.notice),
            rx.hstack(
                button_with_progress(
                    rx.button("Save question", type="submit", loading=S.busy), S.busy
                ),
                rx.cond(
                    S.editing_id != "",
                    rx.button(
                        "Cancel editing",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.new_question,
                    ),
                ),
                spacing="3",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=S.save,
        key=S.form_key,
        width="100%",
    )


def question_form_section() -> rx.Component:
    return section_card(
        rx.cond(S.editing_id != "", "Edit question", "New question"), question_form()
    )
