"""What reviews show on the dashboards, and streak freezes bought with XP, against the real
Postgres and Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import simulated_clock
from learning_app.models.review import StreakFreeze
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, PermissionDenied
from learning_app.services.progress import dashboards, streak_freezes
from learning_app.services.progress.events import flush_events, record_event
from learning_app.services.review import queue, reviews, stats
from tests.integration.exams.helpers import run
from tests.integration.people import new_course, publish, user_id
from tests.integration.review.test_review_queue import add_card

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def freezes() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(StreakFreeze)).one())


def active(student: str, course: str, moment: datetime, name: str = "lesson_viewed", n: int = 1):
    """`n` events at `moment`, flushed then: the stats the flush recomputes are as of that
    moment, never of the real clock (which moved past NOON's day after the test was written)."""
    with simulated_clock(moment):
        for k in range(n):
            record_event(
                name,
                user_id=user_id(student),
                course_id=course,
                context={"lesson_id": f"lesson-{moment.date()}-{k}"},
                occurred_at=moment,
            )
        flush_events()


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(reading.enroll, token=student, course_id=course_id)
    return course_id


def test_a_freeze_costs_xp_is_limited_and_covers_a_missed_day(student: str, course: str) -> None:
    with simulated_clock(NOON):
        with pytest.raises(InvalidInput, match="costs 30 XP; you have 0"):
            run(streak_freezes.buy_streak_freeze, token=student)
        assert freezes() == 0

    three_days_ago = NOON - timedelta(days=3)
    with simulated_clock(three_days_ago):
        active(student, course, three_days_ago, "lesson_completed", n=4)  # 40 XP + a day's 2
        status = run(streak_freezes.buy_streak_freeze, token=student)
        assert (status.held, status.xp) == (1, 12)
        with pytest.raises(InvalidInput, match="costs 30 XP; you have 12"):
            run(streak_freezes.buy_streak_freeze, token=student)
        assert freezes() == 1
    active(student, course, NOON - timedelta(days=2))  # and nothing the day before today

    with simulated_clock(NOON):
        board = run(dashboards.student_dashboard, token=student)
        assert board.current_streak == 2 and board.streak is not None
        assert board.streak.covered_days == ["2026-12-03"] and board.streak.held == 0
        active(student, course, NOON)  # today: the stats job spends the freeze for good
        board = run(dashboards.student_dashboard, token=student)
    assert board.current_streak == 3 and board.xp == 40 + 3 * 2 - 30
    with session_scope() as session:
        assert session.exec(select(StreakFreeze.used_on)).one().isoformat() == "2026-12-03"


def test_two_freezes_at_most(student: str, course: str) -> None:
    with simulated_clock(NOON):
        active(student, course, NOON, "lesson_completed", n=10)
        run(streak_freezes.buy_streak_freeze, token=student)
        run(streak_freezes.buy_streak_freeze, token=student)
        with pytest.raises(InvalidInput, match="most you can hold"):
            run(streak_freezes.buy_streak_freeze, token=student)
    assert freezes() == 2


def test_review_figures_for_the_student_and_the_teacher(
    teacher: str, student: str, course: str
) -> None:
    card_ids = [add_card(course, f"Term {n}") for n in range(3)]
    before = run(stats.my_reviews, token=student)
    assert (before.due_today, before.reviews_total, before.retention_percent) == (3, 0, None)
    assert len(before.review_days) == stats.HEATMAP_WEEKS * 7

    hard = card_ids[0]
    for _ in range(3):  # the first card is forgotten every time
        entries = {e.flashcard_id: e for e in run(queue.due_queue, token=student)}
        for card_id, entry in entries.items():
            run(
                reviews.rate_flashcard,
                token=student,
                entry=entry,
                rating=1 if card_id == hard else 4,
                duration_ms=3000,
            )
    mine = run(stats.my_reviews, token=student)
    assert mine.reviews_today == mine.reviews_total == 5  # 3 Again on one card, 2 Easy
    assert mine.review_days[-1].count == mine.reviews_today
    assert mine.retention_percent is not None and 50 < mine.retention_percent <= 100

    course_figures = run(stats.course_reviews, token=teacher, course_id=course)
    assert course_figures.reviewers == 1
    assert [(f.label, f.again_percent) for f in course_figures.forgotten] == [("Term 0", 100.0)]
    with pytest.raises(PermissionDenied):
        run(stats.course_reviews, token=student, course_id=course)
