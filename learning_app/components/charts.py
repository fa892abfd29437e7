"""Charts for the dashboards (`rx.recharts`), each with a title, a text alternative and an
empty state, so a course with no students shows why a chart is blank."""

from __future__ import annotations

from typing import Any

import reflex as rx

from learning_app.components.feedback import empty_state

CHART_HEIGHT = 240


def chart_card(
    title: str | rx.Var[str],
    data: rx.Var[list[dict[str, Any]]],
    chart: rx.Component,
    *,
    empty_title: str,
    empty_body: str,
) -> rx.Component:
    """A titled chart, or an empty state when `data` has no points."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            rx.cond(
                data.length() > 0,
                rx.box(chart, role="img", aria_label=title + " chart", width="100%"),
                empty_state("chart-no-axes-column", empty_title, empty_body),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def bar_chart(
    data: rx.Var[list[dict[str, Any]]], *, x: str, y: str, name: str, max_y: int | None = None
) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key=x),
        rx.recharts.y_axis(
            allow_decimals=False, **({"domain": [0, max_y]} if max_y is not None else {})
        ),
        rx.recharts.graphing_tooltip(),
        rx.recharts.bar(data_key=y, name=name, fill="var(--accent-9)", is_animation_active=False),
        data=data,
        width="100%",
        height=CHART_HEIGHT,
    )


def line_chart(data: rx.Var[list[dict[str, Any]]], *, x: str, y: str, name: str) -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key=x),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.line(
            data_key=y, name=name, stroke="var(--accent-9)", is_animation_active=False
        ),
        data=data,
        width="100%",
        height=CHART_HEIGHT,
    )


def stat_tile(label: str, value: rx.Var | str, hint: rx.Var | str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="7", weight="bold"),
            rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
            spacing="1",
        ),
        role="group",
        aria_label=label,
    )
