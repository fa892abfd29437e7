"""`/teach/courses/[course_id]/cards`: a course's flashcards, the form that writes and edits
them, and the section that drafts cards from its lessons and files.

What this page hides or disables is only convenience: every read and write goes through a
service that checks the viewer may edit the course.
"""

from __future__ import annotations

import reflex as rx

from learning_app.components.authoring import checkbox_field, section_card, select_field
from learning_app.components.banks import bank_item, bank_page_content
from learning_app.components.courses import loaded_page, text_area_field
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.components.markdown import rendered_markdown
from learning_app.pages.review.card_bank_state import (
    FRONT_INPUT_ID,
    CardBankState,
    CardRow,
    LessonChoice,
)
from learning_app.pages.review.card_drafts import card_drafting_section
from learning_app.services.review.flashcards import MAX_SIDE_LENGTH

B = CardBankState
COURSE_EDITOR_PATH = "/teach/courses/"


def _markers(row: CardRow) -> rx.Component:
    return rx.hstack(
        rx.cond(row.tags != "", rx.text("Tags: " + row.tags, size="2", color_scheme="gray")),
        rx.cond(
            row.lesson_title != "",
            rx.text("Lesson: " + row.lesson_title, size="2", color_scheme="gray"),
        ),
        rx.cond(row.source == "drafted", rx.badge("Drafted", color_scheme="indigo")),
        rx.cond(row.in_review, rx.badge("In students' reviews", color_scheme="amber")),
        rx.cond(row.archived, rx.badge("Archived", color_scheme="gray")),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _side(label: str, side_html: rx.Var[str]) -> rx.Component:
    """A side of the card under its label, as a term and its description: a screen reader
    announces "Front" and "Back" before each, and the sides never run into one line."""
    return rx.box(
        rx.el.dt(label, font_size="0.8rem", font_weight="500", color="var(--gray-11)"),
        rx.el.dd(rendered_markdown(side_html, width="100%"), margin="0"),
        width="100%",
    )


def _card_item(row: CardRow) -> rx.Component:
    return bank_item(
        rx.el.dl(
            _side("Front", row.front_html),
            _side("Back", row.back_html),
            display="flex",
            flex_direction="column",
            gap="0.5rem",
            margin="0",
            width="100%",
        ),
        _markers(row),
        subject="card: " + row.front,
        archived=row.archived,
        on_edit=B.edit(row.id),
        on_archive=lambda archived: B.set_archived(row.id, archived),
        noun="card",
        delete_description="A card students already review is archived instead, so their "
        "review history keeps it.",
        on_delete=B.delete(row.id),
    )


def _cards_section() -> rx.Component:
    return section_card(
        "Cards",
        rx.cond(
            B.rows.length() > 0,
            rx.vstack(
                checkbox_field(
                    "Show archived cards (" + B.archived_count.to_string() + ")",
                    input_id="cards-show-archived",
                    checked=B.show_archived,
                    on_change=B.set_show_archived,
                ),
                rx.cond(
                    B.shown_rows.length() > 0,
                    bare_list(rx.foreach(B.shown_rows, _card_item), aria_label="Flashcards"),
                    rx.text("Every card is archived.", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            empty_state(
                "layers",
                "No cards yet",
                "Write the first one with the card form, or draft some from a lesson.",
            ),
        ),
    )


def _lesson_option(lesson: LessonChoice) -> rx.Component:
    return rx.el.option(lesson.title, value=lesson.id)


def _form() -> rx.Component:
    return section_card(
        rx.cond(B.editing_id != "", "Edit card", "New card"),
        rx.form(
            rx.vstack(
                text_area_field(
                    "Front",
                    "front",
                    input_id=FRONT_INPUT_ID,
                    hint="The question or prompt. Markdown works.",
                    default_value=B.front,
                    max_length=MAX_SIDE_LENGTH,
                    required=True,
                    rows="3",
                ),
                text_area_field(
                    "Back",
                    "back",
                    input_id="card-back",
                    hint="The answer.",
                    default_value=B.back,
                    max_length=MAX_SIDE_LENGTH,
                    required=True,
                    rows="4",
                ),
                rx.vstack(
                    rx.el.label(
                        "Tags", html_for="card-tags", font_weight="500", font_size="0.9rem"
                    ),
                    rx.input(
                        id="card-tags",
                        name="tags",
                        default_value=B.tags_text,
                        width="100%",
                    ),
                    rx.text(
                        "Separate tags with commas; they are shared with the course's questions.",
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    width="100%",
                ),
                select_field(
                    "Lesson",
                    rx.el.option("No lesson", value=""),
                    rx.foreach(B.lessons, _lesson_option),
                    input_id="card-lesson",
                    name="lesson",
                    default_value=B.lesson_id,
                    hint="Students get the card once they have opened this lesson.",
                ),
                rx.hstack(
                    rx.button(
                        rx.cond(B.editing_id != "", "Save card", "Add card"),
                        type="submit",
                        loading=B.saving,
                    ),
                    rx.cond(
                        B.editing_id != "",
                        rx.button(
                            "New card",
                            type="button",
                            variant="soft",
                            on_click=B.new_card,
                        ),
                    ),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            key=B.form_key,
            on_submit=B.save,
            width="100%",
        ),
    )


def _content() -> rx.Component:
    return bank_page_content(
        course_title=B.course_title,
        course_href=COURSE_EDITOR_PATH + B.loaded_course_id,
        heading="Flashcards",
        # One place for what the last action on a card or the form did.
        above=[form_error(B.error), form_notice(B.notice)],
        bank=_cards_section(),
        drafting=card_drafting_section(),
        form=_form(),
    )


def card_bank_page() -> rx.Component:
    return loaded_page(CardBankState, _content(), rx.link("Back to Teaching", href="/teach"))
