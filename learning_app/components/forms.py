"""Form pieces: every input has a visible label, every button a name, errors are announced."""

from __future__ import annotations

import reflex as rx


def field(
    label: str,
    name: str,
    *,
    type_: str = "text",
    autocomplete: str = "off",
    max_length: int = 320,
    required: bool = True,
    hint: str = "",
    default_value: str | rx.Var = "",
) -> rx.Component:
    input_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_weight="500", font_size="0.9rem"),
        rx.input(
            id=input_id,
            name=name,
            type=type_,
            auto_complete=autocomplete,
            max_length=max_length,
            required=required,
            default_value=default_value,
            size="3",
            width="100%",
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
        align="start",
    )


def new_password_fields(name: str) -> rx.Component:
    """ "New password" and "Repeat the new password" (submitted as `name` and `name_again`)."""
    common = {"type_": "password", "autocomplete": "new-password", "max_length": 256}
    return rx.fragment(
        field("New password", name, hint="At least 8 characters.", **common),
        field("Repeat the new password", f"{name}_again", **common),
    )


def submit_button(label: str, loading: rx.Var[bool]) -> rx.Component:
    return rx.button(label, type="submit", loading=loading, size="3", width="100%")


def form_error(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def form_notice(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="green", role="status", width="100%"),
    )


def auth_card(title: str, *children: rx.Component) -> rx.Component:
    """A narrow centred card for the sign-in family of pages."""
    return rx.center(
        rx.card(
            rx.vstack(rx.heading(title, size="6", as_="h1"), *children, spacing="4", width="100%"),
            size="4",
            width="100%",
            max_width="28rem",
        ),
        padding_top="2rem",
    )
