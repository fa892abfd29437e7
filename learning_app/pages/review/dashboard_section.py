"""The reviews part of `/dashboard`: due today, reviews done, predicted recall, and a calendar
heatmap of review days (26 weeks, a column per week, as GitHub draws contributions)."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from learning_app.components.charts import stat_tile
from learning_app.components.wording import count_text
from learning_app.services.review import stats
from learning_app.state.auth import AuthState
from learning_app.state.calls import PageLoading

# Reviews in a day at which a cell reaches each shade (level 1-4).
HEAT_LEVELS = (1, 10, 25, 50)
HEAT_COLOURS = [
    "var(--gray-a3)",
    "var(--grass-5)",
    "var(--grass-7)",
    "var(--grass-9)",
    "var(--grass-11)",
]


def heat_level(count: int) -> int:
    return sum(1 for floor in HEAT_LEVELS if count >= floor)


def _day_label(iso: str, count: int) -> str:
    day = date.fromisoformat(iso)
    reviews = "1 review" if count == 1 else f"{count} reviews"
    return f"{reviews} on {day:%a} {day.day} {day:%b}"


class ReviewFiguresState(PageLoading, AuthState):
    due_today: int = 0
    reviews_today: int = 0
    reviews_total: int = 0
    recall: str = "none yet"
    cells: list[dict[str, Any]] = []
    days_with_reviews: int = 0

    def _show(self, figures: stats.StudentReviews) -> None:
        self.due_today, self.reviews_today = figures.due_today, figures.reviews_today
        self.reviews_total = figures.reviews_total
        self.recall = (
            "none yet" if figures.retention_percent is None else f"{figures.retention_percent:g}%"
        )
        # Monday-first rows: pad the first week so each column is one calendar week.
        first = date.fromisoformat(figures.review_days[0].day) if figures.review_days else None
        padding = first.weekday() if first else 0
        self.cells = [{"label": "", "colour": "transparent"}] * padding + [
            {"label": _day_label(d.day, d.count), "colour": HEAT_COLOURS[heat_level(d.count)]}
            for d in figures.review_days
        ]
        self.days_with_reviews = sum(1 for d in figures.review_days if d.count)

    @rx.event
    async def load(self) -> None:
        if self._start_signed_in_load():
            with self._loading():
                self._show(await self._fetch(stats.my_reviews))


def _cell(cell: dict[str, Any]) -> rx.Component:
    return rx.box(
        width="0.7rem",
        height="0.7rem",
        border_radius="2px",
        background=cell["colour"],
        title=cell["label"],
    )


def review_tiles() -> rx.Component:
    return rx.grid(
        stat_tile(
            "Due today",
            ReviewFiguresState.due_today.to_string(),
            rx.cond(ReviewFiguresState.due_today > 0, "Ready on the Review page", "All done"),
        ),
        stat_tile(
            "Reviews done",
            ReviewFiguresState.reviews_today.to_string(),
            "Today; " + ReviewFiguresState.reviews_total.to_string() + " in all",
        ),
        stat_tile("Predicted recall", ReviewFiguresState.recall, "Of the cards you review, now"),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="3",
        width="100%",
    )


def review_heatmap() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Review days", size="4", as_="h2"),
                rx.spacer(),
                rx.cond(
                    ReviewFiguresState.due_today > 0,
                    rx.link(
                        rx.button("Review " + count_text(ReviewFiguresState.due_today, "item")),
                        href="/review",
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.box(
                rx.foreach(ReviewFiguresState.cells, _cell),
                display="grid",
                grid_template_rows="repeat(7, 0.7rem)",
                grid_auto_flow="column",
                grid_auto_columns="0.7rem",
                gap="3px",
                overflow_x="auto",
                max_width="100%",
                role="img",
                aria_label="Review days: "
                + count_text(ReviewFiguresState.days_with_reviews, "day")
                + " with reviews in the last 26 weeks",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
