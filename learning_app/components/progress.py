"""Progress for an action that is taking a while: "Still saving…" once it has run for two
seconds, gone when it ends.

The delay is CSS (`.after-a-moment` in assets/app.css: hidden, then visible after 2 s), so it
needs no timer on the server and no extra event: the element appears with the state's busy
flag and shows itself if the flag is still set two seconds later. A quick save never flashes
it. That an action ends at all is `state/calls.py`'s job (database timeouts); this only makes
the wait visible, and the page's error callout says why it failed.
"""

from __future__ import annotations

import reflex as rx

STILL_WORKING_AFTER_S = 2  # keep in step with `.after-a-moment` in assets/app.css


def still_working(busy: rx.Var[bool], message: str | rx.Var[str] = "Still saving…") -> rx.Component:
    """A status beside a button; `message` shows while `busy` has been true for
    `STILL_WORKING_AFTER_S` seconds. The status exists only while `busy` (and is hidden for
    its first seconds), so a page at rest has no empty status region."""
    return rx.cond(
        busy,
        rx.hstack(
            rx.spinner(size="1"),
            rx.text(message, size="2", color_scheme="gray"),
            spacing="2",
            align="center",
            role="status",
            class_name="after-a-moment",
        ),
    )


def button_with_progress(
    button: rx.Component, busy: rx.Var[bool], message: str | rx.Var[str] = "Still saving…"
) -> rx.Component:
    """`button` with `still_working` beside it."""
    return rx.hstack(button, still_working(busy, message), spacing="3", align="center")
