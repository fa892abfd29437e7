"""Empty states, errors and loading placeholders, so no page is ever a blank screen."""

from __future__ import annotations

import reflex as rx


def empty_state(icon: str, title: str, body: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=40, color="var(--gray-9)", aria_hidden="true"),
            rx.heading(title, size="4", as_="h2"),
            rx.text(body, color_scheme="gray", text_align="center", max_width="32rem"),
            align="center",
            spacing="3",
        ),
        padding_y="4rem",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-4)",
    )


def error_callout(message: rx.Var | str) -> rx.Component:
    return rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert")


def card_skeletons(count: int = 3) -> rx.Component:
    # Full width and a fixed height: inside a vstack, a grid without a width shrinks to its
    # content, and empty skeleton cards then collapse into thin bars.
    return rx.grid(
        *[
            rx.skeleton(rx.card(height="8rem", width="100%"), loading=True, width="100%")
            for _ in range(count)
        ],
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
        role="status",
        aria_busy="true",
        aria_label="Loading",
    )
