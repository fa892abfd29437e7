"""Lists that carry their meaning for screen readers (`<ul>`, `<li>`) without the browser's
bullets, indent and margins."""

from __future__ import annotations

from typing import Any

import reflex as rx


def bare_list(*items: rx.Component, gap: str | None = None, **props: Any) -> rx.Component:
    """A full-width `<ul>` with no padding or margin; with `gap`, its items sit in one column
    with that space between them."""
    spacing = {"display": "grid", "gap": gap} if gap else {}
    return rx.el.ul(*items, padding="0", margin="0", width="100%", **spacing, **props)
