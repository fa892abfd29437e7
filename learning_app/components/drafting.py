"""Drafting from a course's material, as the teachers' pages show it: the questions drafted on
`/teach/courses/[course_id]/exams` and the flashcards drafted on `.../cards` share the source
picker, the list of drafts with their Add and Discard buttons, and the section around them.

Accessible names are built here, the same on both pages: "Draft from" (the picker), "Add
draft N to …", "Discard draft N".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from learning_app.components.authoring import section_card, select_field
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list

NO_SOURCES = "Add a lesson or upload a file first."


def source_picker(
    sources: rx.Var[list[Any]],
    *fields: rx.Component,
    input_id: str,
    submit_label: str,
    drafting: rx.Var[bool],
    on_submit: rx.EventHandler,
    unavailable: rx.Var[bool] | None = None,
) -> rx.Component:
    """The form that picks a lesson or file (`sources`: items with `key` and `label`) and
    drafts from it; `fields` stand between the picker and the button. The button is off while
    drafting, without sources, and while `unavailable`."""
    busy = drafting if unavailable is None else drafting | unavailable
    return rx.cond(
        sources.length() == 0,
        rx.text(NO_SOURCES, color_scheme="gray"),
        rx.form(
            rx.hstack(
                select_field(
                    "Draft from",
                    rx.foreach(sources, lambda s: rx.el.option(s.label, value=s.key)),
                    input_id=input_id,
                    name="source",
                    required=True,
                ),
                *fields,
                rx.button(
                    rx.cond(drafting, "Drafting…", submit_label),
                    type="submit",
                    loading=drafting,
                    disabled=busy | (sources.length() == 0),
                ),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=on_submit,
            width="100%",
        ),
    )


def draft_item(
    number: rx.Var[str],
    badge: rx.Component,
    *body: rx.Component,
    add_label: str,
    add_to: str,
    on_add: rx.EventSpec,
    on_discard: rx.EventSpec,
    more_actions: Sequence[rx.Component] = (),
) -> rx.Component:
    """One draft of a list: "Draft N" and its kind, its `body`, then "Add draft N to
    `add_to`", `more_actions` and "Discard draft N"."""
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("Draft " + number, weight="medium"),
                    badge,
                    spacing="2",
                    align="center",
                ),
                *body,
                rx.hstack(
                    rx.button(
                        add_label,
                        aria_label="Add draft " + number + f" to {add_to}",
                        on_click=on_add,
                    ),
                    *more_actions,
                    rx.button(
                        "Discard",
                        variant="soft",
                        color_scheme="gray",
                        aria_label="Discard draft " + number,
                        on_click=on_discard,
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        list_style="none",
    )


def drafting_section(
    title: str,
    *intro: str | rx.Component,
    chooser: rx.Component,
    drafting: rx.Var[bool],
    status: str,
    error: rx.Var[str],
    notice: rx.Var[str],
    drafts: rx.Var[list[Any]],
    render: Callable[[rx.Var[Any]], rx.Component],
    drafts_label: str,
) -> rx.Component:
    """A section that drafts: its `intro`, the `chooser` (a `source_picker`, or why there is
    none), `status` while drafting, what the last action did, and the `drafts`, each shown by
    `render` (a `draft_item`) in a list named `drafts_label`."""
    return section_card(
        title,
        rx.text(*intro, size="2", color_scheme="gray"),
        chooser,
        rx.cond(drafting, rx.text(status, role="status")),
        form_error(error),
        form_notice(notice),
        rx.cond(
            drafts.length() > 0,
            bare_list(rx.foreach(drafts, render), aria_label=drafts_label, gap="0.75rem"),
        ),
    )
