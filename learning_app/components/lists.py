"""Lists that carry their meaning for screen readers (`<ul>`, `<li>`) without the browser's
bullets, indent and margins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx


def bare_list(*items: rx.Component, gap: str | None = None, **props: Any) -> rx.Component:
    """A full-width `<ul>` with no padding or margin; with `gap`, its items sit in one column
    with that space between them."""
    spacing = {"display": "grid", "gap": gap} if gap else {}
    return rx.el.ul(*items, padding="0", margin="0", width="100%", **spacing, **props)


def card_list(
    items: rx.Var[list[Any]],
    render: Callable[[rx.Var[Any]], rx.Component],
    *,
    label: str | rx.Var[str],
    min_card_width: str = "16rem",
) -> rx.Component:
    """Cards in a responsive grid that is a real list (`<ul>` of `<li>`): as many columns of at
    least `min_card_width` as fit, one on a phone, so nothing scrolls sideways."""
    return rx.el.ul(
        rx.foreach(items, lambda item: rx.el.li(render(item), display="grid", list_style="none")),
        # An explicit role: some screen readers drop a list's semantics with its bullets.
        role="list",
        aria_label=label,
        display="grid",
        grid_template_columns=f"repeat(auto-fill, minmax(min({min_card_width}, 100%), 1fr))",
        gap="var(--space-4)",
        padding="0",
        margin="0",
        width="100%",
    )
