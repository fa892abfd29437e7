"""`/teach/courses/[course_id]/exams`: a course's exams and its question bank, with the form
that writes and edits questions.

What this page hides or disables is only convenience: every read and write goes through a
service that checks the viewer may edit the course.
"""

from __future__ import annotations

import reflex as rx

from learning_app.components.authoring import (
    checkbox_field,
    question_type_badge,
    section_card,
    select_field,
)
from learning_app.components.banks import bank_item, bank_page_content
from learning_app.components.courses import loaded_page
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.pages.exams.listing import exams_section
from learning_app.pages.questions.bank_state import BankRow, QuestionBankState
from learning_app.pages.questions.drafting import question_drafting_section
from learning_app.pages.questions.form import question_form_section
from learning_app.pages.questions.form_state import QuestionFormState
from learning_app.pages.questions.transfer_section import bank_transfer_section
from learning_app.services.questions.bank import TagCount

B = QuestionBankState
COURSE_EDITOR_PATH = "/teach/courses/"


def _markers(row: BankRow) -> rx.Component:
    return rx.hstack(
        question_type_badge(row.type),
        rx.text(row.points.to_string() + " pt", size="2"),
        rx.cond(row.tags != "", rx.text("Tags: " + row.tags, size="2", color_scheme="gray")),
        rx.cond(row.locked, rx.badge(rx.icon("lock", size=12), "Locked", color_scheme="amber")),
        rx.cond(row.archived, rx.badge("Archived", color_scheme="gray")),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _question_item(row: BankRow) -> rx.Component:
    return bank_item(
        rx.text(row.preview),
        _markers(row),
        subject="question: " + row.preview,
        archived=row.archived,
        on_edit=QuestionFormState.edit_question(row.id),
        on_archive=lambda archived: B.set_archived(row.id, archived),
        noun="question",
        delete_description="A question students have already seen is archived instead, so "
        "their grades keep it.",
        on_delete=[B.delete_question(row.id), QuestionFormState.forget(row.id)],
    )


def _tag_option(tag: TagCount) -> rx.Component:
    return rx.el.option(tag.name + " (" + tag.question_count.to_string() + ")", value=tag.name)


def _filters() -> rx.Component:
    return rx.hstack(
        select_field(
            "Filter by tag",
            rx.el.option("All tags", value=""),
            rx.foreach(B.tags, _tag_option),
            input_id="bank-tag-filter",
            value=B.tag_filter,
            on_change=B.set_tag_filter,
        ),
        checkbox_field(
            "Show archived questions (" + B.archived_count.to_string() + ")",
            input_id="bank-show-archived",
            checked=B.show_archived,
            on_change=B.set_show_archived,
        ),
        spacing="5",
        align="end",
        wrap="wrap",
    )


def _bank_section() -> rx.Component:
    return section_card(
        "Question bank",
        form_error(B.error),
        form_notice(B.notice),
        rx.cond(
            B.rows.length() > 0,
            rx.vstack(
                _filters(),
                rx.cond(
                    B.shown_rows.length() > 0,
                    bare_list(
                        rx.foreach(B.shown_rows, _question_item),
                        aria_label="Questions",
                    ),
                    rx.text("No question matches this filter.", color_scheme="gray"),
                ),
                rx.button(
                    rx.icon("plus", aria_hidden="true"),
                    "New question",
                    variant="soft",
                    on_click=QuestionFormState.new_question,
                ),
                spacing="3",
                width="100%",
            ),
            empty_state(
                "file-question",
                "No questions yet",
                "Write the first one with the question form.",
            ),
        ),
    )


def _content() -> rx.Component:
    return bank_page_content(
        course_title=B.course_title,
        course_href=COURSE_EDITOR_PATH + B.loaded_course_id,
        heading="Questions & exams",
        above=[
            exams_section(COURSE_EDITOR_PATH + B.loaded_course_id + "/exams/"),
            bank_transfer_section(),
        ],
        bank=_bank_section(),
        # Drafts sit beside the form that "Edit in form" fills.
        drafting=question_drafting_section(),
        form=question_form_section(),
    )


def questions_and_exams_page() -> rx.Component:
    return loaded_page(QuestionBankState, _content(), rx.link("Back to Teaching", href="/teach"))
