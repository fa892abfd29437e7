"""The "Item analysis" section of a course's teacher dashboard: pick an exam, see which of its
questions work (facility, discrimination, flags with their reasons), how often each option was
picked, and the test's reliability (Cronbach's alpha) in plain words.

It has its own small state and loads when it is mounted, so the dashboard only places it. The
service refuses anyone who does not teach the course.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from learning_app.components.authoring import select_field
from learning_app.components.charts import CHART_HEIGHT, chart_card, stat_tile
from learning_app.components.feedback import empty_state, error_callout
from learning_app.pages.progress.item_analysis_rows import (
    NO_FIGURE,
    ItemRow,
    OptionRow,
    ReviewRow,
    alpha_words,
    figure,
    item_row,
    review_row,
)
from learning_app.services.exams import item_analysis
from learning_app.services.exams.item_analysis import ItemAnalysis
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls
from learning_app.state.course_pages import route_arg

EXAM_SELECT_ID = "item-analysis-exam"


class ItemAnalysisState(ServiceCalls, AuthState):
    exams: list[tuple[str, str]] = []  # (exam id, title)
    exam_id: str = ""
    listed: bool = False  # the exams are loaded (until then, no "No exams yet")
    busy: bool = False
    shown: bool = False  # an exam's analysis is on screen
    attempts: int = 0
    graded: int = 0
    mean_percent: str = ""
    sd_percent: str = ""
    alpha: str = ""
    alpha_explained: str = ""
    alpha_note: str = ""
    computed: str = ""
    rows: list[ItemRow] = []
    to_review: list[ReviewRow] = []
    chart_points: list[dict[str, Any]] = []

    def _show(self, analysis: ItemAnalysis) -> None:
        self.shown = True
        self.attempts, self.graded = analysis.attempts, analysis.graded
        self.mean_percent = figure(analysis.mean_percent, "%")
        self.sd_percent = figure(analysis.sd_percent, " points")
        self.alpha = NO_FIGURE if analysis.alpha is None else f"{analysis.alpha:.3f}"
        self.alpha_explained = alpha_words(analysis.alpha, analysis.graded)
        self.alpha_note = analysis.alpha_note
        at = datetime.fromtimestamp(analysis.computed_at, tz=UTC)
        self.computed = at.strftime("%Y-%m-%d %H:%M UTC")
        self.rows = [item_row(item) for item in analysis.items]
        self.to_review = [review_row(item) for item in item_analysis.to_review(analysis.items)]
        self.chart_points = [
            {"question": f"Q{i.number}", "facility": i.facility, "discrimination": i.discrimination}
            for i in analysis.items
        ]

    async def _analyse(self, *, recompute: bool = False) -> None:
        if not self.exam_id:
            self.shown, self.attempts, self.rows, self.chart_points = False, 0, [], []
            self.to_review = []
            return
        self.busy = True
        try:
            analysis = await self._call(
                item_analysis.exam_item_analysis, exam_id=self.exam_id, recompute=recompute
            )
        finally:
            self.busy = False
        if analysis is not None:
            self._show(analysis)

    @rx.event
    async def load(self) -> None:
        """On mount: the course's exams. An analysis waits until the teacher picks an exam:
        it is the one costly figure of the page (see `services/exams/item_statistics.py`)."""
        choices = await self._call(
            item_analysis.exams_for_analysis, course_id=route_arg(self, "course_id")
        )
        self.exams = [(c.exam_id, c.title) for c in choices or []]
        self.listed = choices is not None
        if self.exam_id not in {exam_id for exam_id, _ in self.exams}:
            self.exam_id = ""
        await self._analyse()

    @rx.event
    async def pick_exam(self, exam_id: str) -> None:
        self.exam_id = exam_id
        await self._analyse()

    @rx.event
    async def recalculate(self) -> None:
        await self._analyse(recompute=True)


def _exam_option(choice: rx.Var[tuple[str, str]]) -> rx.Component:
    return rx.el.option(choice[1], value=choice[0])


def _chart() -> rx.Component:
    data = ItemAnalysisState.chart_points
    return chart_card(
        "Facility and discrimination per question",
        data,
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="question"),
            rx.recharts.y_axis(domain=[-100, 100]),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(
                data_key="facility",
                name="Facility (%)",
                fill="var(--accent-9)",
                is_animation_active=False,
            ),
            rx.recharts.bar(
                data_key="discrimination",
                name="Discrimination index",
                fill="var(--gray-9)",
                is_animation_active=False,
            ),
            data=data,
            width="100%",
            height=CHART_HEIGHT,
        ),
        empty_title="No answers yet",
        empty_body="Each question's facility and discrimination show here.",
    )


def _flag(reason: rx.Var[str]) -> rx.Component:
    return rx.el.li(rx.text(reason, size="2", color_scheme="red"))


def _table_row(row: ItemRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.label),
        rx.table.cell(
            rx.text(row.prompt, size="2"),
            rx.hstack(
                rx.text(row.type_name, size="1"),
                rx.cond(
                    row.origin_note != "",
                    rx.badge(row.origin_note, color_scheme="amber", size="1"),
                ),
                spacing="2",
                align="center",
            ),
        ),
        rx.table.cell(row.facility),
        rx.table.cell(row.discrimination),
        rx.table.cell(row.answers),
        rx.table.cell(
            rx.cond(
                row.flags.length() > 0,
                rx.el.ul(rx.foreach(row.flags, _flag)),
                rx.text("No problem found", size="2", color_scheme="gray"),
            )
        ),
    )


def _review_item(row: ReviewRow) -> rx.Component:
    return rx.el.li(rx.text(rx.text.strong(row.label), ": ", row.reasons, size="2"))


def _review_first() -> rx.Component:
    """The flagged questions, those no teacher wrote first (`item_analysis.to_review`)."""
    return rx.cond(
        ItemAnalysisState.to_review.length() > 0,
        rx.vstack(
            rx.heading("Worth a look first", size="3", as_="h3"),
            rx.text(
                "Flagged questions, those drafted by the language model or imported first.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.ol(rx.foreach(ItemAnalysisState.to_review, _review_item)),
            spacing="2",
            width="100%",
        ),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(name)
                        for name in (
                            "#",
                            "Question",
                            "Facility",
                            "Discrimination",
                            "Answers",
                            "Flags",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(ItemAnalysisState.rows, _table_row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _option(option: OptionRow) -> rx.Component:
    return rx.el.li(rx.text(option.text, ": ", option.picks, size="2"))


def _options_of(row: ItemRow) -> rx.Component:
    return rx.cond(
        row.options.length() > 0,
        rx.box(
            rx.heading(row.label, ": ", row.prompt, size="2", as_="h4"),
            rx.el.ul(rx.foreach(row.options, _option)),
        ),
    )


def _figures() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            stat_tile("Attempts counted", ItemAnalysisState.attempts.to_string()),
            stat_tile("Mean score", ItemAnalysisState.mean_percent),
            stat_tile("Standard deviation", ItemAnalysisState.sd_percent),
            stat_tile("Cronbach's alpha", ItemAnalysisState.alpha),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            ItemAnalysisState.alpha_note != "",
            rx.text(ItemAnalysisState.alpha_note, size="2"),
            rx.text(ItemAnalysisState.alpha_explained, size="2"),
        ),
        rx.text(
            "Facility: the average score on a question, as a percent of its points. "
            "Discrimination index: how well a question separates students who did well on "
            "the rest of the exam from those who did not (100 x the correlation; 30 or more is "
            "good, below 20 weak, below 0 suspicious). Graded and awaiting-grading attempts "
            "count; essays count once marked.",
            size="2",
            color_scheme="gray",
        ),
        _chart(),
        _review_first(),
        rx.heading("Questions", size="3", as_="h3"),
        _table(),
        rx.heading("Answers per option", size="3", as_="h3"),
        rx.foreach(ItemAnalysisState.rows, _options_of),
        rx.hstack(
            rx.text("Figures computed ", ItemAnalysisState.computed, size="1", color_scheme="gray"),
            rx.button(
                "Recalculate now",
                on_click=ItemAnalysisState.recalculate,
                loading=ItemAnalysisState.busy,
                variant="soft",
                size="1",
            ),
            align="center",
            spacing="3",
        ),
        spacing="3",
        width="100%",
    )


def item_analysis_section() -> rx.Component:
    """The section, for the course dashboard; it loads itself when mounted."""
    return rx.card(
        rx.vstack(
            rx.heading("Item analysis", size="5", as_="h2"),
            rx.cond(ItemAnalysisState.error != "", error_callout(ItemAnalysisState.error)),
            rx.cond(
                ItemAnalysisState.exams.length() > 0,
                rx.vstack(
                    select_field(
                        "Exam",
                        rx.el.option("Choose an exam…", value=""),
                        rx.foreach(ItemAnalysisState.exams, _exam_option),
                        input_id=EXAM_SELECT_ID,
                        value=ItemAnalysisState.exam_id,
                        on_change=ItemAnalysisState.pick_exam,
                    ),
                    rx.cond(
                        ItemAnalysisState.attempts > 0,
                        _figures(),
                        rx.cond(
                            ItemAnalysisState.shown,
                            empty_state(
                                "chart-no-axes-column",
                                "No submitted attempts yet",
                                "Item analysis appears once students submit this exam.",
                            ),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    ItemAnalysisState.listed,
                    empty_state(
                        "file-question", "No exams yet", "Add an exam to analyse its questions."
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_mount=ItemAnalysisState.load,
        width="100%",
    )
