"""Streaks: consecutive active days, in the user's zone, with clocks that disagree at midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from learning_app.models.progress import UserStats
from learning_app.services.progress.user_stats import (
    MAX_CLOCK_SKEW,
    current_streak,
    reference_day,
    streaks,
)
from learning_app.services.progress.xp import XP_RULES, Achievements, xp_for
from learning_app.services.time_zones import user_zone

D = date(2026, 3, 10)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


def test_runs_and_gaps() -> None:
    assert streaks([], D) == (0, 0, None)
    assert streaks(days(0), D) == (1, 1, D)
    assert streaks(days(-3, -2, -1, 0), D) == (4, 4, D)
    # a gap breaks the run; the longest one stays
    assert streaks(days(-9, -8, -7, -2, -1), D) == (2, 3, D - timedelta(days=1))
    # yesterday still counts as current (today is not over); two days ago does not
    assert streaks(days(-2), D).current == 0
    assert streaks(days(-1, -1, -1), D) == (1, 1, D - timedelta(days=1))  # duplicates


def test_days_are_counted_in_the_users_zone() -> None:
    auckland, la = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")
    # 11:30 UTC is 00:30 the next day in Auckland (UTC+13 in March) and 04:30 in LA.
    moment = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    assert moment.astimezone(auckland).date() == date(2026, 3, 11)
    assert moment.astimezone(la).date() == date(2026, 3, 10)
    # One UTC day, two local days in Auckland: 10:00 and 12:00 UTC straddle its midnight.
    a, b = datetime(2026, 3, 10, 10, 0, tzinfo=UTC), datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    local = [m.astimezone(auckland).date() for m in (a, b)]
    assert streaks(local, date(2026, 3, 11)) == (2, 2, date(2026, 3, 11))
    assert user_zone("Not/AZone").key == "UTC"


def test_clock_skew_around_midnight_does_not_break_a_streak() -> None:
    zone = ZoneInfo("Europe/Paris")
    midnight = datetime(2026, 3, 11, 0, 0, tzinfo=zone)
    # Active on the 9th and 10th. A reader whose clock runs a minute ahead reads the 12th's
    # first minute while it is truly still the 11th: the streak is not over yet.
    stats = UserStats(current_streak_days=2, longest_streak_days=2, last_active_date=D)
    ahead = midnight + timedelta(days=1, minutes=1)
    assert current_streak(stats, reference_day(zone, ahead)) == 2
    # Well past the allowance it is over.
    late = midnight + timedelta(days=1) + MAX_CLOCK_SKEW + timedelta(seconds=1)
    assert current_streak(stats, reference_day(zone, late)) == 0
    # An event stamped 5 s after midnight by a server ahead of the reader still counts for
    # its own day, so the streak reads 3 even while the reader is at 23:59:58.
    stamped = (midnight + timedelta(seconds=5)).date()
    reader = reference_day(zone, midnight - timedelta(seconds=2))
    assert stamped == date(2026, 3, 11) and reader == date(2026, 3, 10)
    assert streaks([*days(-1, 0), stamped], reader).current == 3


def test_xp_rules_live_in_one_table() -> None:
    done = Achievements(lessons_completed=3, exams_passed=1, active_days=2)
    assert xp_for(done) == 3 * XP_RULES["lesson_completed"] + XP_RULES["exam_passed"] + 4
