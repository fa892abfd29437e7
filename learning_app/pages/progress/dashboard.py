"""`/dashboard`: a student's own progress: XP, streak, courses, recent scores, what is next."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from learning_app.components.charts import bar_chart, chart_card, stat_tile
from learning_app.components.feedback import card_skeletons, empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.layout import page_shell
from learning_app.components.wording import count_text
from learning_app.pages.review.dashboard_section import review_heatmap, review_tiles
from learning_app.services.progress import dashboards, streak_freezes
from learning_app.services.progress.dashboards import CourseProgress
from learning_app.services.progress.streak_freezes import FREEZE_XP_COST, MAX_HELD, StreakStatus
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import PageLoading

NO_SCORE = "none yet"


class DashboardState(PageLoading, AuthState):
    xp: int = 0
    current_streak: int = 0
    longest_streak: int = 0
    lessons_completed: int = 0
    exams_passed: int = 0
    average_score: str = NO_SCORE
    course_progress: list[CourseProgress] = []
    score_points: list[dict[str, Any]] = []
    next_lesson_title: str = ""
    next_course_title: str = ""
    next_lesson_href: str = ""
    freezes_held: int = 0
    freeze_covered: str = ""
    can_buy_freeze: bool = False
    freeze_why_not: str = ""
    buying_freeze: bool = False

    def _show_dashboard(self, board: dashboards.StudentDashboard) -> None:
        self.xp, self.current_streak = board.xp, board.current_streak
        self.longest_streak, self.lessons_completed = board.longest_streak, board.lessons_completed
        self.exams_passed = board.exams_passed
        self.average_score = (
            NO_SCORE if board.average_score is None else f"{round(board.average_score, 1):g}%"
        )
        self.course_progress = board.courses
        self.score_points = [
            {"attempt": s.label, "percent": s.percent} for s in board.recent_scores
        ]
        self._show_streak(board.streak)
        upcoming = board.next_lesson
        self.next_lesson_title = upcoming.lesson_title if upcoming else ""
        self.next_course_title = upcoming.course_title if upcoming else ""
        self.next_lesson_href = (
            f"/courses/{upcoming.course_id}/lessons/{upcoming.lesson_id}" if upcoming else ""
        )

    def _show_streak(self, streak: StreakStatus | None) -> None:
        if streak is None:
            return
        self.current_streak, self.xp = streak.current, streak.xp
        self.freezes_held, self.can_buy_freeze = streak.held, streak.can_buy
        self.freeze_why_not = streak.why_not
        self.freeze_covered = (
            "A streak freeze kept your streak going on " + _days(streak.covered_days) + "."
            if streak.covered_days
            else ""
        )

    @rx.event
    async def buy_freeze(self) -> None:
        if self.buying_freeze:
            return
        self.buying_freeze = True
        status = await self._call(streak_freezes.buy_streak_freeze)
        if status is not None:
            self._show_streak(status)
            self.notice = f"Streak freeze bought for {FREEZE_XP_COST} XP."
        self.buying_freeze = False

    @rx.event
    @opens_page(signed_in=True, viewer_from_load=True)
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        with self._loading():
            self._show_dashboard(await self._fetch(dashboards.student_dashboard))


def _days(iso_days: list[str]) -> str:
    return " and ".join(f"{d:%a} {d.day} {d:%b}" for d in map(date.fromisoformat, iso_days))


def _streak_freezes() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Streak freezes", size="4", as_="h2"),
            rx.text(
                "You hold "
                + DashboardState.freezes_held.to_string()
                + f" of {MAX_HELD}. A freeze covers one missed day automatically, so your "
                "streak survives a day off.",
            ),
            rx.cond(
                DashboardState.freeze_covered != "",
                rx.callout(DashboardState.freeze_covered, icon="snowflake", role="status"),
            ),
            form_notice(DashboardState.notice),
            rx.hstack(
                rx.button(
                    f"Buy a streak freeze ({FREEZE_XP_COST} XP)",
                    on_click=DashboardState.buy_freeze,
                    disabled=~DashboardState.can_buy_freeze,
                    loading=DashboardState.buying_freeze,
                    variant="soft",
                ),
                rx.cond(
                    DashboardState.freeze_why_not != "",
                    rx.text(DashboardState.freeze_why_not, size="2", color_scheme="gray"),
                ),
                align="center",
                wrap="wrap",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _tiles() -> rx.Component:
    return rx.grid(
        stat_tile("XP", DashboardState.xp.to_string()),
        stat_tile(
            "Streak",
            count_text(DashboardState.current_streak, "day"),
            "Longest: " + DashboardState.longest_streak.to_string(),
        ),
        stat_tile("Lessons completed", DashboardState.lessons_completed.to_string()),
        stat_tile("Exams passed", DashboardState.exams_passed.to_string()),
        stat_tile("Average score", DashboardState.average_score),
        columns=rx.breakpoints(initial="2", md="5"),
        spacing="3",
        width="100%",
    )


def _next_lesson() -> rx.Component:
    return rx.cond(
        DashboardState.next_lesson_href != "",
        # `rx.callout` puts its children in a `<p>`: a span, not another paragraph.
        rx.callout(
            rx.text.span(
                "Next up in ",
                rx.text.strong(DashboardState.next_course_title),
                ": ",
                rx.link(DashboardState.next_lesson_title, href=DashboardState.next_lesson_href),
            ),
            icon="book-open",
        ),
    )


def _course_row(course: CourseProgress) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.link(course.title, href="/courses/" + course.course_id, weight="medium"),
                rx.spacer(),
                rx.text(
                    course.completed.to_string() + " / " + count_text(course.total, "lesson"),
                    size="2",
                    color_scheme="gray",
                ),
                width="100%",
            ),
            rx.progress(value=course.percent, aria_label=course.title + " progress"),
            spacing="1",
            width="100%",
        ),
        list_style="none",
        padding_y="0.4rem",
    )


def _courses() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("My courses", size="4", as_="h2"),
            rx.cond(
                DashboardState.course_progress.length() > 0,
                rx.el.ul(rx.foreach(DashboardState.course_progress, _course_row), width="100%"),
                empty_state(
                    "library", "No courses yet", "Enrol in a course and your progress shows here."
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("My progress", size="7", as_="h1"),
            rx.cond(
                DashboardState.loading,
                card_skeletons(),
                rx.cond(
                    DashboardState.error != "",
                    form_error(DashboardState.error),
                    rx.vstack(
                        _tiles(),
                        _next_lesson(),
                        review_tiles(),
                        review_heatmap(),
                        _streak_freezes(),
                        chart_card(
                            "Recent scores",
                            DashboardState.score_points,
                            bar_chart(
                                DashboardState.score_points,
                                x="attempt",
                                y="percent",
                                name="Score (%)",
                                max_y=100,
                            ),
                            empty_title="No exam results yet",
                            empty_body="Take an exam and your scores appear here.",
                        ),
                        _courses(),
                        spacing="4",
                        width="100%",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
