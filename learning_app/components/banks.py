"""A course's banks as its teachers see them: the question bank on
`/teach/courses/[course_id]/exams` and the flashcards on `.../cards` list their entries with
the same actions (Edit, Archive or Restore, Delete after asking), and put the bank and its
drafting section beside the form that writes an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx

from learning_app.components.courses import confirm_button, toggle_button


def bank_item(
    *content: rx.Component,
    subject: rx.Var[str],
    archived: rx.Var[bool],
    on_edit: rx.event.EventType,
    on_archive: Callable[[bool], rx.event.EventType],
    noun: str,
    delete_description: str,
    on_delete: rx.event.EventType,
) -> rx.Component:
    """One entry of a bank: its `content`, then "Edit", "Archive"/"Restore" and "Delete", each
    named with its `subject` for screen readers ("Edit card: <front>"). `noun` ("card") names
    the entry in the dialog that asks before deleting."""
    return rx.el.li(
        rx.vstack(
            *content,
            rx.hstack(
                rx.button("Edit", aria_label="Edit " + subject, on_click=on_edit),
                toggle_button(
                    archived,
                    turn_off="Restore",
                    turn_on="Archive",
                    subject=subject,
                    on_toggle=on_archive,
                ),
                confirm_button(
                    "Delete",
                    title=f"Delete this {noun}?",
                    description=delete_description,
                    confirm_label=f"Delete {noun}",
                    aria_label="Delete " + subject,
                    on_confirm=on_delete,
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-a4)",
        list_style="none",
    )


def bank_page_content(
    *,
    course_title: rx.Var[str],
    course_href: rx.Var[str],
    heading: str,
    above: Sequence[rx.Component],
    bank: rx.Component,
    drafting: rx.Component,
    form: rx.Component,
) -> rx.Component:
    """A course's bank page: the way back to the course, the `heading`, what stands `above`
    the columns, then the bank with its drafting section beside the form (a draft moves into
    the form, and an added one appears in the bank)."""
    return rx.vstack(
        rx.link("← " + course_title, href=course_href, size="2"),
        rx.heading(heading, size="7", as_="h1"),
        *above,
        rx.grid(
            rx.vstack(bank, drafting, spacing="4", width="100%"),
            form,
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        spacing="4",
        width="100%",
    )
