"""`/teach/courses/[course_id]/dashboard`: a course's figures for its teachers.

The service refuses anyone who does not teach the course (a student sees "Not allowed"); the
figures come from roll-ups and materialized views that jobs refresh every few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from learning_app.components.charts import bar_chart, chart_card, line_chart, stat_tile
from learning_app.components.courses import loaded_page
from learning_app.components.feedback import empty_state
from learning_app.components.wording import count_text
from learning_app.pages.progress.item_analysis import item_analysis_section
from learning_app.services.progress import dashboards
from learning_app.services.progress.dashboards import SCORE_BUCKETS, HardQuestion
from learning_app.services.review import stats as review_stats
from learning_app.services.review.stats import FORGOTTEN_MIN_REVIEWS, ForgottenItem
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.course_pages import LoadedPageState, route_arg


@dataclass(frozen=True)
class ExamChart:
    title: str
    attempts: int
    points: list[dict[str, Any]]


class CourseDashboardState(LoadedPageState, AuthState):
    loaded_id: str = ""
    loaded_title: str = ""
    students: int = 0
    enrolment_points: list[dict[str, Any]] = []
    funnel_points: list[dict[str, Any]] = []
    exam_charts: list[ExamChart] = []
    hardest: list[HardQuestion] = []
    hardest_points: list[dict[str, Any]] = []
    active_points: list[dict[str, Any]] = []
    reviewers: int = 0
    reviews: int = 0
    forgotten: list[ForgottenItem] = []

    def _show_dashboard(self, board: dashboards.CourseDashboard) -> None:
        self.loaded_id, self.loaded_title, self.students = (
            board.course_id,
            board.title,
            board.students,
        )
        self.enrolment_points = [{"day": p.day, "students": p.count} for p in board.enrolments]
        steps = [
            {
                "lesson": f"{s.position}. {s.lesson_title}",
                "opened": s.viewed,
                "completed": s.completed,
            }
            for s in board.funnel
        ]
        # All zeros is "nothing yet": the empty state says so better than a flat chart.
        self.funnel_points = steps if any(s.viewed or s.completed for s in board.funnel) else []
        self.exam_charts = [
            ExamChart(
                e.title,
                e.attempts,
                [
                    {"score": label, "attempts": n}
                    for label, n in zip(SCORE_BUCKETS, e.buckets, strict=True)
                ]
                if e.attempts
                else [],
            )
            for e in board.exams
        ]
        self.hardest = board.hardest
        self.hardest_points = [
            {"question": f"Q{i}", "correct": q.correct_percent}
            for i, q in enumerate(board.hardest, start=1)
        ]
        self.active_points = [{"day": p.day, "students": p.count} for p in board.daily_active]

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        with self._loading():
            course_id = route_arg(self, "course_id")
            board = await self._fetch(dashboards.course_dashboard, course_id=course_id)
            self._show_dashboard(board)
            reviewing = await self._fetch(review_stats.course_reviews, course_id=course_id)
            self.reviewers, self.reviews = reviewing.reviewers, reviewing.reviews
            self.forgotten = reviewing.forgotten


def _funnel() -> rx.Component:
    data = CourseDashboardState.funnel_points
    return chart_card(
        "Completion funnel by lesson",
        data,
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="lesson"),
            rx.recharts.y_axis(allow_decimals=False),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(
                data_key="opened", name="Opened", fill="var(--accent-7)", is_animation_active=False
            ),
            rx.recharts.bar(
                data_key="completed",
                name="Completed",
                fill="var(--accent-10)",
                is_animation_active=False,
            ),
            data=data,
            width="100%",
            height=260,
        ),
        empty_title="No lesson opened yet",
        empty_body="When students open and complete lessons, each lesson's counts show here.",
    )


def _exam_chart(exam: ExamChart) -> rx.Component:
    return rx.box(
        chart_card(
            "Scores: " + exam.title,
            exam.points,
            bar_chart(exam.points, x="score", y="attempts", name="Graded attempts"),
            empty_title="No graded attempts yet",
            empty_body="Scores appear once students submit this exam.",
        ),
        width="100%",
    )


def _hard_question(question: HardQuestion, index: int) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong("Q", (index + 1).to_string(), ": "),
            question.prompt,
            " · ",
            question.correct_percent.to_string(),
            "% correct of ",
            count_text(question.answers, "answer"),
            size="2",
        ),
    )


def _hardest() -> rx.Component:
    return chart_card(
        "Hardest questions",
        CourseDashboardState.hardest_points,
        rx.vstack(
            bar_chart(
                CourseDashboardState.hardest_points,
                x="question",
                y="correct",
                name="% correct",
                max_y=100,
            ),
            rx.el.ol(rx.foreach(CourseDashboardState.hardest, _hard_question)),
            width="100%",
        ),
        empty_title="No graded answers yet",
        empty_body="The questions students get wrong most often show here.",
    )


def _forgotten_item(item: ForgottenItem) -> rx.Component:
    return rx.el.li(
        rx.text(
            item.label,
            " · ",
            item.again_percent.to_string(),
            "% rated Again of ",
            count_text(item.reviews, "review"),
            rx.cond(item.kind == "question", " (exam question)", ""),
            size="2",
        ),
    )


def _reviews() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Reviews (last 30 days)", size="4", as_="h2"),
            rx.hstack(
                stat_tile("Students reviewing", CourseDashboardState.reviewers.to_string()),
                stat_tile("Reviews", CourseDashboardState.reviews.to_string()),
                spacing="3",
                wrap="wrap",
            ),
            rx.heading("Forgotten most", size="3", as_="h3"),
            rx.cond(
                CourseDashboardState.forgotten.length() > 0,
                rx.el.ol(rx.foreach(CourseDashboardState.forgotten, _forgotten_item)),
                rx.text(
                    "Cards and questions students rate Again most often show here once each "
                    f"has {FORGOTTEN_MIN_REVIEWS} reviews.",
                    color_scheme="gray",
                    size="2",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.link(
            "← Back to the course editor", href="/teach/courses/" + CourseDashboardState.loaded_id
        ),
        rx.heading("Dashboard: ", CourseDashboardState.loaded_title, size="7", as_="h1"),
        rx.text("Figures are refreshed every few minutes.", size="2", color_scheme="gray"),
        stat_tile("Students enrolled", CourseDashboardState.students.to_string()),
        rx.grid(
            chart_card(
                "Enrolments over time",
                CourseDashboardState.enrolment_points,
                line_chart(
                    CourseDashboardState.enrolment_points, x="day", y="students", name="Students"
                ),
                empty_title="No students yet",
                empty_body="Enrolments appear here once students join the course.",
            ),
            chart_card(
                "Daily active students",
                CourseDashboardState.active_points,
                bar_chart(
                    CourseDashboardState.active_points,
                    x="day",
                    y="students",
                    name="Active students",
                ),
                empty_title="No activity in the last 30 days",
                empty_body="Students who open lessons or take exams are counted here each day.",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _funnel(),
        rx.heading("Exams", size="5", as_="h2"),
        rx.cond(
            CourseDashboardState.exam_charts.length() > 0,
            rx.grid(
                rx.foreach(CourseDashboardState.exam_charts, _exam_chart),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "file-question", "No exams yet", "Add an exam to see its score distribution."
            ),
        ),
        _hardest(),
        item_analysis_section(),
        _reviews(),
        spacing="4",
        width="100%",
    )


def course_dashboard_page() -> rx.Component:
    return loaded_page(
        CourseDashboardState, _content(), rx.link("Back to my teaching", href="/teach")
    )
