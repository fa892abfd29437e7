"""Streak freezes: a gap the held freezes cover entirely keeps the streak, each freeze covers a
day after the day it was bought, and a freeze that saves nothing is not spent."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from learning_app.models.progress import UserStats
from learning_app.services.progress.user_stats import (
    Freeze,
    cover,
    current_streak,
    streak_with_freezes,
)

D = date(2026, 3, 10)


def day(offset: int) -> date:
    return D + timedelta(days=offset)


def freeze(bought: int) -> Freeze:
    return Freeze(uuid.uuid4(), day(bought))


def test_one_missed_day_is_covered_and_the_run_goes_on() -> None:
    held = freeze(-10)
    streak, spent = streak_with_freezes([day(-4), day(-3), day(-1), day(0)], D, [held])
    assert (streak.current, streak.longest) == (4, 4)  # frozen day -2 keeps it, adds nothing
    assert spent == {held.id: day(-2)}


def test_a_gap_longer_than_the_freezes_breaks_the_streak_and_spends_none() -> None:
    streak, spent = streak_with_freezes([day(-5), day(-4), day(-1)], D, [freeze(-10)])
    assert (streak.current, streak.longest, spent) == (1, 2, {})


def test_a_freeze_bought_after_the_missed_day_cannot_cover_it() -> None:
    streak, spent = streak_with_freezes([day(-3), day(-1)], D, [freeze(-1)])
    assert (streak.current, spent) == (1, {})


def test_days_missed_up_to_yesterday_are_covered_today() -> None:
    first, second = freeze(-9), freeze(-8)
    streak, spent = streak_with_freezes([day(-4), day(-3)], D, [second, first])
    assert streak.current == 2 and spent == {first.id: day(-2), second.id: day(-1)}
    # The same figures on the read side, before the stats job has run again.
    stats = UserStats(current_streak_days=2, longest_streak_days=2, last_active_date=day(-3))
    assert current_streak(stats, D, [first, second]) == 2
    assert current_streak(stats, D, [first]) == 0


def test_cover_prefers_the_earliest_freeze() -> None:
    old, new = freeze(-20), freeze(-5)
    assert cover([day(-3)], [new, old]) == {old.id: day(-3)}
    assert cover([], [old]) == {}
    assert cover([day(-3), day(-2)], [old]) is None
