"""Form pieces for the teachers' question and exam editors: selects, number inputs and
checkboxes, each with a visible label tied to its control by `html_for`.

The selects are native `<select>` elements: their labels, keyboard use and form values work
the way browsers and assistive technology expect, inside and outside a form.
"""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

QUESTION_TYPES: list[tuple[str, str]] = [
    ("single_choice", "Single choice"),
    ("multiple_choice", "Multiple choice"),
    ("true_false", "True / false"),
    ("short_answer", "Short answer"),
    ("numeric", "Numeric"),
    ("essay", "Essay"),
]

EXAM_TYPES: list[tuple[str, str]] = [
    ("practice", "Practice"),
    ("quiz", "Quiz"),
    ("final", "Final exam"),
]

_CONTROL_STYLE = {
    "padding": "0.4rem 0.6rem",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "font_size": "1rem",
}


def _labelled(
    label: str | rx.Var[str], input_id: str | rx.Var[str], control: rx.Component, hint: str
) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9rem"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        align="start",
    )


def choice_options(choices: Sequence[tuple[str, str]]) -> list[rx.Component]:
    """`<option>`s for (value, text) pairs."""
    return [rx.el.option(text, value=value) for value, text in choices]


def select_field(
    label: str | rx.Var[str],
    *options: rx.Component,
    input_id: str | rx.Var[str],
    hint: str = "",
    **props: object,
) -> rx.Component:
    """A labelled native select; `props` go to the `<select>` (name, value, on_change...)."""
    return _labelled(
        label, input_id, rx.el.select(*options, id=input_id, **_CONTROL_STYLE, **props), hint
    )


def number_field(
    label: str | rx.Var[str],
    *,
    input_id: str | rx.Var[str],
    minimum: float | rx.Var[float] | None = 0,
    maximum: float | rx.Var[float] | None = None,
    hint: str = "",
    width: str = "8rem",
    **props: object,
) -> rx.Component:
    """A labelled number input; blank is allowed unless `required=True` is passed. Decimals
    are accepted (`step="any"`): the services parse and check the value."""
    limits: dict[str, object] = {"step": "any", "inputMode": "decimal"}
    if minimum is not None:
        limits["min"] = minimum
    if maximum is not None:
        limits["max"] = maximum
    return _labelled(
        label,
        input_id,
        rx.input(id=input_id, type="number", width=width, custom_attrs=limits, **props),
        hint,
    )


def checkbox_field(
    label: str | rx.Var[str], *, input_id: str | rx.Var[str], **props: object
) -> rx.Component:
    """A checkbox with its label to the right; `props` go to the `<input>`."""
    return rx.hstack(
        rx.el.input(type="checkbox", id=input_id, **props),
        rx.el.label(label, html_for=input_id),
        align="center",
        spacing="2",
    )


def question_type_badge(question_type: rx.Var[str]) -> rx.Component:
    return rx.badge(
        rx.match(question_type, *QUESTION_TYPES, question_type),
        variant="soft",
        color_scheme="indigo",
    )


def exam_type_badge(exam_type: rx.Var[str]) -> rx.Component:
    return rx.badge(rx.match(exam_type, *EXAM_TYPES, exam_type), variant="soft")


def section_card(title: str | rx.Var[str], *children: rx.Component) -> rx.Component:
    """A titled card, one per section of an editor page."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="5", as_="h2"),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
