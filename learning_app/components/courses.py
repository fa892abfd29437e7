"""Pieces shared by the course pages: status badges, course cards, confirmations, problems."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from learning_app.components.layout import page_shell
from learning_app.components.lists import card_list
from learning_app.components.markdown import rendered_inline
from learning_app.components.wording import count_text
from learning_app.services.courses.authoring import CourseSummary
from learning_app.state.course_pages import LoadedPageState

MARKDOWN_HINT = "Markdown is allowed: headings, lists, links, images, code blocks."


def status_badge(status: rx.Var[str]) -> rx.Component:
    """ "Draft" (amber) or "Published" (green); `status` is a service's "draft"/"published"."""
    return rx.cond(
        status == "published",
        rx.badge("Published", color_scheme="green", variant="soft"),
        rx.badge("Draft", color_scheme="amber", variant="soft"),
    )


def course_summary_card(course: CourseSummary, href: rx.Var[str]) -> rx.Component:
    """A course in a list; its title is the link (one link per card, named by the title)."""
    return rx.card(
        rx.vstack(
            rx.heading(rx.link(course.title, href=href), size="4", as_="h3"),
            rendered_inline(course.description_html, lines=3),
            rx.hstack(
                status_badge(course.status),
                rx.badge(
                    rx.icon("book-open", size=14, aria_hidden="true"),
                    count_text(course.lesson_count, "lesson"),
                    variant="soft",
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
        ),
    )


def course_grid(label: str, courses: rx.Var[list[CourseSummary]], base_href: str) -> rx.Component:
    """Cards linking to `base_href + course id`, under an h2 (their titles are h3)."""
    return card_list(
        courses, lambda course: course_summary_card(course, base_href + course.id), label=label
    )


def text_area_field(
    label: str, name: str, *, input_id: str, hint: str = "", **props: object
) -> rx.Component:
    """A multi-line input with its visible label (and an optional hint) above it."""
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9rem"),
        rx.text_area(id=input_id, name=name, width="100%", **props),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def page_problem(
    title: rx.Var[str] | str, message: rx.Var[str], *actions: rx.Component
) -> rx.Component:
    """What a page shows instead of its content when it cannot be shown (not found, no
    permission, not enrolled), with what the visitor can do about it."""
    return rx.center(
        rx.vstack(
            rx.icon("circle-alert", size=40, color="var(--gray-9)", aria_hidden="true"),
            rx.heading(title, size="5", as_="h1"),
            rx.text(message, color_scheme="gray", text_align="center", max_width="32rem"),
            *actions,
            align="center",
            spacing="3",
        ),
        padding_y="4rem",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-4)",
    )


def loaded_page(
    state: type[LoadedPageState], content: rx.Component, *actions: rx.Component
) -> rx.Component:
    """A page about one course or lesson: a spinner while it loads, the problem (with
    `actions`, the way out) when it cannot be shown, `content` otherwise."""
    return page_shell(
        rx.cond(
            state.loading,
            rx.spinner(aria_label="Loading"),
            rx.cond(
                state.problem != "",
                page_problem(state.problem_title, state.problem, *actions),
                content,
            ),
        )
    )


def toggle_button(
    is_on: rx.Var[bool],
    *,
    turn_off: str,
    turn_on: str,
    subject: rx.Var[str],
    on_toggle: Callable[[bool], rx.event.EventType],
    size: str = "2",
) -> rx.Component:
    """One button for a two-state setting of a list item: `turn_off` ("Unpublish") while it is
    on, `turn_on` ("Publish") while it is off, each named with its subject for screen readers
    ("Publish Loops"); `on_toggle(new_state)` is the event."""
    return rx.cond(
        is_on,
        rx.button(
            turn_off,
            size=size,
            variant="soft",
            aria_label=turn_off + " " + subject,
            on_click=on_toggle(False),
        ),
        rx.button(turn_on, size=size, aria_label=turn_on + " " + subject, on_click=on_toggle(True)),
    )


def confirm_button(
    label: str | rx.Var[str],
    *,
    title: str,
    description: str | rx.Var[str],
    confirm_label: str,
    on_confirm: rx.event.EventType,
    aria_label: str | rx.Var[str] | None = None,
    loading: rx.Var[bool] | bool = False,
    color_scheme: str = "red",
    cancel_label: str = "Cancel",
) -> rx.Component:
    """A button that asks before it acts, red unless told otherwise (Escape or "Cancel" backs
    out; focus is trapped in the dialog while it is open)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                label,
                color_scheme=color_scheme,
                variant="soft",
                aria_label=label if aria_label is None else aria_label,
                loading=loading,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(cancel_label, variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(confirm_label, color_scheme=color_scheme, on_click=on_confirm)
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )
