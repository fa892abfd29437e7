"""`/review`: today's reviews, one at a time. Flashcards flip (Space) and are rated Again, Hard,
Good or Easy (1-4); questions are answered in place and rated by the answer. Every key has a
button with the same name, so the page works with a mouse, a keyboard or a screen reader; the
keys themselves are handled in the browser (assets/review_keys.js), which presses those
buttons."""

from __future__ import annotations

import reflex as rx

from learning_app.components.courses import confirm_button
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.layout import page_shell
from learning_app.components.markdown import rendered_markdown
from learning_app.components.wording import count_text
from learning_app.pages.review.review_state import ReviewState
from learning_app.services.review.reviews import ChoiceView
from learning_app.services.review.scheduling import RATING_NAMES

REVIEW_KEYS_SCRIPT = "/review_keys.js"
FLIP_BUTTON_ID = "review-flip"
NEXT_BUTTON_ID = "review-next"
RATING_COLOURS = {1: "red", 2: "orange", 3: "green", 4: "blue"}


def _progress_line() -> rx.Component:
    return rx.hstack(
        rx.badge(ReviewState.course_title, variant="soft"),
        rx.cond(ReviewState.personal, rx.badge("My card", variant="outline")),
        rx.spacer(),
        rx.text(
            count_text(ReviewState.left, "item") + " left",
            color_scheme="gray",
            role="status",
            aria_live="polite",
        ),
        width="100%",
        align="center",
    )


def _rating_buttons() -> rx.Component:
    return rx.hstack(
        *[
            rx.button(
                f"{name} ({number})",
                id=f"review-rate-{number}",
                on_click=ReviewState.rate(number),
                color_scheme=RATING_COLOURS[number],
                variant="soft",
                size="3",
                disabled=ReviewState.busy,
                auto_focus=number == 3,
            )
            for number, name in RATING_NAMES.items()
        ],
        spacing="2",
        wrap="wrap",
        role="group",
        aria_label="How well did you know it?",
    )


def _remove_my_card() -> rx.Component:
    return rx.cond(
        ReviewState.personal,
        confirm_button(
            "Remove this card",
            title="Remove this card from your reviews?",
            description="It is one you saved from the tutor. It will not come back.",
            confirm_label="Remove",
            cancel_label="Keep it",
            on_confirm=ReviewState.retire_card,
            loading=ReviewState.busy,
        ),
    )


def _flashcard() -> rx.Component:
    return rx.vstack(
        rendered_markdown(ReviewState.front_html),
        rx.cond(
            ReviewState.flipped,
            rx.vstack(
                rx.separator(size="4"),
                rendered_markdown(ReviewState.back_html),
                rx.text("How well did you know it?", weight="medium"),
                _rating_buttons(),
                spacing="3",
                width="100%",
            ),
            rx.button(
                "Show answer (Space)",
                id=FLIP_BUTTON_ID,
                on_click=ReviewState.flip,
                size="3",
                auto_focus=True,
            ),
        ),
        spacing="4",
        width="100%",
    )


def _choice(choice: ChoiceView) -> rx.Component:
    return rx.radio_group.item(choice.body, value=choice.id)


def _answer_input() -> rx.Component:
    def box(choice: ChoiceView) -> rx.Component:
        return rx.checkbox(
            choice.body,
            checked=ReviewState.answer_picked.contains(choice.id),
            on_change=lambda checked: ReviewState.toggle(choice.id, checked),
        )

    text_box = rx.vstack(
        rx.el.label("Your answer", html_for="review-answer", font_weight="500"),
        rx.input(
            id="review-answer",
            name="answer",
            value=ReviewState.answer_text,
            on_change=ReviewState.set_answer_text,
            max_length=500,
            auto_focus=True,
            width="100%",
        ),
        spacing="1",
        width="100%",
    )
    return rx.match(
        ReviewState.question_type,
        (
            "multiple_choice",
            rx.el.fieldset(
                rx.el.legend("Choose all that apply", font_size="0.9rem"),
                rx.vstack(rx.foreach(ReviewState.choices, box), spacing="2"),
                border="none",
                padding="0",
            ),
        ),
        ("short_answer", text_box),
        ("numeric", text_box),
        rx.radio_group.root(
            rx.vstack(rx.foreach(ReviewState.choices, _choice), spacing="2"),
            value=ReviewState.answer_choice,
            on_change=ReviewState.choose,
            aria_label="Your answer",
        ),
    )


def _verdict() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ReviewState.was_correct,
            rx.callout("Right.", icon="circle-check", color_scheme="green", role="status"),
            rx.callout(
                "Not quite. The answer: " + ReviewState.correct_answer,
                icon="circle-x",
                color_scheme="red",
                role="status",
            ),
        ),
        rx.cond(
            ReviewState.explanation_html != "", rendered_markdown(ReviewState.explanation_html)
        ),
        rx.button(
            "Next (Space)",
            id=NEXT_BUTTON_ID,
            on_click=ReviewState.next_item,
            size="3",
            auto_focus=True,
        ),
        spacing="3",
        width="100%",
    )


def _question() -> rx.Component:
    return rx.vstack(
        rendered_markdown(ReviewState.front_html),
        rx.cond(
            ReviewState.answered,
            _verdict(),
            rx.form(
                rx.vstack(
                    _answer_input(),
                    rx.button("Check answer", type="submit", size="3", loading=ReviewState.busy),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ReviewState.submit_answer,
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _item() -> rx.Component:
    return rx.card(
        rx.vstack(
            _progress_line(),
            form_error(ReviewState.error),
            rx.cond(ReviewState.kind == "flashcard", _flashcard(), _question()),
            _remove_my_card(),
            form_notice(ReviewState.notice),
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="44rem",
        role="region",
        aria_label="Review item",
        data_review_keys="on",
    )


def _summary() -> rx.Component:
    def rating_line(number: int, name: str) -> rx.Component:
        return rx.hstack(
            rx.badge(name, color_scheme=RATING_COLOURS[number], variant="soft"),
            rx.text(ReviewState.rating_counts.get(name, 0).to_string()),
            spacing="2",
            align="center",
        )

    return rx.card(
        rx.vstack(
            rx.heading("Session complete", size="5", as_="h2"),
            rx.text(
                "You reviewed "
                + count_text(ReviewState.reviewed, "item")
                + " in about "
                + count_text(ReviewState.minutes_spent, "minute")
                + ".",
            ),
            rx.hstack(
                *[rating_line(n, name) for n, name in RATING_NAMES.items()],
                spacing="4",
                wrap="wrap",
            ),
            rx.text(
                "Items you rated Again come back soon; the rest when you are about to forget them.",
                color_scheme="gray",
            ),
            rx.link("See your progress", href="/dashboard"),
            spacing="3",
        ),
        width="100%",
        max_width="44rem",
        role="status",
    )


def _nothing_due() -> rx.Component:
    return rx.vstack(
        empty_state(
            "calendar-check",
            "Nothing to review today",
            "Flashcards from the lessons you open, and the questions you answer in exams, come "
            "back here just before you would forget them.",
        ),
        rx.link("Back to my courses", href="/my-courses"),
        spacing="3",
        width="100%",
    )


def review_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Review", size="7", as_="h1"),
            rx.cond(
                ReviewState.loading,
                rx.spinner(aria_label="Loading your reviews"),
                rx.cond(
                    ReviewState.finished,
                    rx.cond(ReviewState.reviewed > 0, _summary(), _nothing_due()),
                    rx.cond(ReviewState.kind != "", _item(), form_error(ReviewState.error)),
                ),
            ),
            rx.script(src=REVIEW_KEYS_SCRIPT),
            spacing="4",
            width="100%",
            align="start",
        )
    )
