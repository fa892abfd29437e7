"""Words that depend on a number, for a Reflex var as well as a plain Python value."""

from __future__ import annotations

import reflex as rx

from learning_app.services.values import count_label


def count_text(count: rx.Var[int] | int, singular: str, plural: str | None = None) -> rx.Var[str]:
    """ "1 lesson" / "3 lessons" for a count known now or a state var's count in the browser
    (the same wording as `services.values.count_label`)."""
    plural = plural or singular + "s"
    if not isinstance(count, rx.Var):
        return rx.Var.create(count_label(count, singular, plural))
    return count.to_string() + rx.cond(count == 1, " " + singular, " " + plural)
