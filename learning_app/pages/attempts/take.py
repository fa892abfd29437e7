"""`/attempts/[attempt_id]`: answer an exam's questions, each saved as it is given."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from learning_app.components.courses import confirm_button, loaded_page
from learning_app.components.forms import form_error
from learning_app.components.markdown import rendered_markdown
from learning_app.components.wording import count_text
from learning_app.pages.attempts.take_state import NOT_SAVED, SAVED, AttemptState, QuestionForm
from learning_app.services.attempts.attempt_view import AttemptOption

TIMER_SCRIPT = "/exam_timer.js"
CONNECTION_SCRIPT = "/exam_connection.js"
TIME_UP_BUTTON_ID = "exam-time-up"
TEXT_DEBOUNCE_MS = 800


def _countdown() -> rx.Component:
    """The server's figure on first paint, then ticking in the browser (assets/exam_timer.js)
    from the milliseconds left that come with every update; at zero the script presses the
    hidden "Time is up" button, which asks the server to finish the attempt."""
    return rx.cond(
        AttemptState.ms_left >= 0,
        rx.hstack(
            rx.icon("timer", size=18, aria_hidden="true"),
            rx.text("Time left:", weight="medium"),
            rx.el.span(
                AttemptState.countdown,
                data_ms_left=AttemptState.ms_left.to_string(),
                data_attempt=AttemptState.loaded_attempt_id,
                data_time_up_button=TIME_UP_BUTTON_ID,
                class_name="exam-countdown",
                role="timer",
                aria_live="off",
                font_variant_numeric="tabular-nums",
                font_weight="bold",
            ),
            rx.el.button(
                "Time is up: finish the attempt",
                id=TIME_UP_BUTTON_ID,
                on_click=AttemptState.finish_after_deadline,
                type="button",
                class_name="visually-hidden",
                tab_index=-1,
            ),
            rx.script(src=TIMER_SCRIPT),
            align="center",
            spacing="2",
        ),
        rx.text("No time limit", color_scheme="gray"),
    )


def _connection_notice() -> rx.Component:
    """A live region that assets/exam_connection.js fills while the connection is down ("You
    are offline: ...") and for a while after it is back."""
    return rx.fragment(
        rx.el.div(
            role="status",
            aria_live="polite",
            class_name="exam-connection",
            data_connection_errors=has_connection_errors.to_string(),
        ),
        rx.script(src=CONNECTION_SCRIPT),
    )


def _save_status(question: QuestionForm) -> rx.Component:
    status = AttemptState.save_status.get(question.question_id, "")
    problem = AttemptState.save_problem.get(question.question_id, "")
    return rx.box(
        rx.cond(
            status == SAVED,
            rx.text("✓ Saved", color_scheme="green", size="2"),
            rx.cond(
                status == NOT_SAVED,
                rx.text("Not saved: " + problem, color_scheme="red", size="2", role="alert"),
                rx.text(status, color_scheme="gray", size="2"),
            ),
        ),
        aria_live="polite",
    )


def _single(question: QuestionForm) -> rx.Component:
    return rx.radio_group.root(
        rx.vstack(
            rx.foreach(
                question.options,
                lambda option: rx.radio_group.item(option.body, value=option.id),
            ),
            spacing="2",
        ),
        # Uncontrolled (the saved answer is only the starting value): a choice shows at once,
        # even while the connection is down and the event waits in Reflex's queue.
        default_value=AttemptState.choice.get(question.question_id, ""),
        on_change=lambda option_id: AttemptState.choose(question.question_id, option_id),
        aria_label="Answer to question " + question.number.to_string(),
    )


def _multiple(question: QuestionForm) -> rx.Component:
    def option_box(option: AttemptOption) -> rx.Component:
        return rx.checkbox(
            option.body,
            default_checked=AttemptState.picked.get(question.question_id, []).contains(option.id),
            on_change=lambda checked: AttemptState.toggle(question.question_id, option.id, checked),
        )

    return rx.el.fieldset(
        rx.el.legend("Choose all that apply", class_name="visually-hidden", font_size="0.9rem"),
        rx.vstack(rx.foreach(question.options, option_box), spacing="2"),
        border="none",
        padding="0",
    )


def _text_input(question: QuestionForm, *, multiline: bool, label: str) -> rx.Component:
    input_id = "answer-" + question.question_id
    props = {
        "id": input_id,
        "value": AttemptState.texts.get(question.question_id, ""),
        "on_change": lambda text: AttemptState.write(question.question_id, text),
        "debounce_timeout": TEXT_DEBOUNCE_MS,
        "width": "100%",
    }
    control = (
        rx.text_area(rows="8", max_length=20_000, **props)
        if multiline
        else rx.input(max_length=500, **props)
    )
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9rem"),
        control,
        spacing="1",
        width="100%",
    )


def _answer(question: QuestionForm) -> rx.Component:
    return rx.match(
        question.type,
        ("multiple_choice", _multiple(question)),
        ("short_answer", _text_input(question, multiline=False, label="Your answer")),
        ("numeric", _text_input(question, multiline=False, label="Your answer (a number)")),
        ("essay", _text_input(question, multiline=True, label="Your essay")),
        _single(question),
    )


def _question(question: QuestionForm) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Question " + question.number.to_string(), size="4", as_="h2"),
                rx.badge(question.points.to_string() + " pt", variant="soft"),
                rx.spacer(),
                _save_status(question),
                width="100%",
                align="center",
            ),
            rendered_markdown(question.prompt_html),
            _answer(question),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="group",
        aria_label="Question " + question.number.to_string(),
    )


def _submit_button() -> rx.Component:
    return confirm_button(
        "Submit exam",
        title="Submit this attempt?",
        description="You have answered "
        + AttemptState.answered_count.to_string()
        + " of "
        + count_text(AttemptState.questions.length(), "question")
        + ". After submitting you cannot change your answers.",
        confirm_label="Submit now",
        cancel_label="Keep working",
        on_confirm=AttemptState.submit,
        loading=AttemptState.submitting,
        color_scheme="indigo",
    )


def _attempt() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.hstack(
                rx.vstack(
                    rx.heading(AttemptState.exam_title, size="7", as_="h1"),
                    rx.text(
                        "Attempt "
                        + AttemptState.attempt_number.to_string()
                        + " · answers are saved as you give them",
                        color_scheme="gray",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                _countdown(),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            _connection_notice(),
            position="sticky",
            top="3.75rem",
            z_index="5",
            background="var(--color-background)",
            padding_y="0.5rem",
            width="100%",
        ),
        form_error(AttemptState.error),
        rx.foreach(AttemptState.questions, _question),
        rx.hstack(
            rx.text(
                AttemptState.answered_count.to_string()
                + " of "
                + AttemptState.questions.length().to_string()
                + " answered",
                color_scheme="gray",
            ),
            rx.spacer(),
            _submit_button(),
            width="100%",
            align="center",
        ),
        spacing="4",
        width="100%",
        max_width="48rem",
    )


def attempt_page() -> rx.Component:
    return loaded_page(
        AttemptState,
        _attempt(),
        rx.link("Back to my courses", href="/my-courses"),
    )
