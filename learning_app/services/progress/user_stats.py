"""Each student's counters (`user_stats`) and XP (`user_profile.xp`), derived from raw events.

`recompute_user_stats` is the one writer of both. The flush job calls it for the users of every
batch it stores, in the same transaction, so the figures move with the events and a re-run after
a crash recomputes the same values. Every figure is recomputed whole, never incremented, from
the digests of the user's events that the same flush keeps (`progress.digests`): a few rows per
lesson, attempt and day, so a re-run, a late event or a changed XP rule cannot drift the
figures, and a long history does not make the flush slower.

Days are calendar days in the user's own time zone (`user_profile.timezone`; an unknown zone
counts as UTC). A streak is the run of consecutive active days ending at the last active day;
it is still "current" if that day is today or yesterday.

A streak freeze (bought with XP, `services.progress.streak_freezes`) covers one missed day: a
gap the student's held freezes can cover entirely keeps the streak going (the frozen days do
not add to it). Which freeze covered which day is derived here like everything else, each
freeze spent on the first missed day after the day it was bought, so a late event that fills
a gap gives its freeze back. XP is what the rules earn minus what freezes cost.

Clocks disagree by a few seconds between app servers, so around midnight an event can be
stamped just after midnight while "now" is still just before it, or the reverse. Two rules keep
streaks honest: an event counts on the day its own timestamp falls on, even if that is later
than the reader's today; and a streak is only declared broken once the reader's clock is more
than `MAX_CLOCK_SKEW` past the end of the following day.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.progress import UserStats
from learning_app.models.review import StreakFreeze
from learning_app.models.users import UserProfile
from learning_app.services.progress.digests import (
    ZONES,
    rebuild_digests,
    rebuild_moved,
    zone_params,
)
from learning_app.services.progress.xp import Achievements, xp_for
from learning_app.services.time_zones import user_zone

MAX_CLOCK_SKEW = timedelta(minutes=2)
ONE_DAY = timedelta(days=1)

# From the students' digests (`progress.digests`), a few rows per lesson, attempt and day,
# however many events they caused; with the figures stored now, so that only those that
# change are written.
_FIGURES = sa.text(
    f"""
    WITH {ZONES},
    lessons AS (
        SELECT user_id, count(*) AS done FROM user_lesson_done
        WHERE user_id = ANY(CAST(:user_ids AS uuid[])) GROUP BY user_id
    ),
    exams AS (
        SELECT user_id,
               count(DISTINCT exam_id) FILTER (WHERE passed) AS passed,
               avg(percent) FILTER (WHERE passed IS NOT NULL) AS average
        FROM user_attempt_result
        WHERE user_id = ANY(CAST(:user_ids AS uuid[])) GROUP BY user_id
    ),
    days AS (
        SELECT d.user_id, array_agg(d.day) AS days
        FROM user_active_day d JOIN zones z ON z.user_id = d.user_id AND z.tz = d.tz
        WHERE d.user_id = ANY(CAST(:user_ids AS uuid[]))
        GROUP BY d.user_id
    )
    SELECT z.user_id, z.tz, coalesce(l.done, 0) AS lessons, coalesce(x.passed, 0) AS passed,
           x.average, coalesce(d.days, '{{}}') AS days,
           s.user_id IS NOT NULL AS has_stats, s.current_streak_days, s.longest_streak_days,
           s.last_active_date, s.lessons_completed, s.exams_passed, s.average_score, p.xp
    FROM zones z
    LEFT JOIN lessons l ON l.user_id = z.user_id
    LEFT JOIN exams x ON x.user_id = z.user_id
    LEFT JOIN days d ON d.user_id = z.user_id
    LEFT JOIN user_stats s ON s.user_id = z.user_id
    LEFT JOIN user_profile p ON p.user_id = z.user_id
    """  # noqa: S608 - module constants joined, nothing from input
)


class Streak(NamedTuple):
    current: int
    longest: int
    last_active: date | None


def reference_day(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The latest day we are sure has begun in `zone`, allowing for clock skew."""
    return ((now or utc_now()) - MAX_CLOCK_SKEW).astimezone(zone).date()


class Freeze(NamedTuple):
    id: uuid.UUID
    bought_on: date  # in the student's zone


def cover(missed: Sequence[date], freezes: Iterable[Freeze]) -> dict[uuid.UUID, date] | None:
    """A freeze for every missed day, each bought before the day it covers (the earliest
    bought first); None when the freezes cannot cover them all."""
    pool = sorted(freezes, key=lambda freeze: (freeze.bought_on, freeze.id))
    used: dict[uuid.UUID, date] = {}
    for day in missed:
        pick = next((f for f in pool if f.id not in used and f.bought_on < day), None)
        if pick is None:
            return None
        used[pick.id] = day
    return used


def missed_days(before: date, after: date) -> list[date]:
    """The days strictly between two days."""
    return [before + timedelta(days=n) for n in range(1, (after - before).days)]


def streak_with_freezes(
    active_days: Iterable[date], today: date, freezes: Iterable[Freeze] = ()
) -> tuple[Streak, dict[uuid.UUID, date]]:
    """Current and longest runs of consecutive active days, gaps bridged by freezes; and the
    day each spent freeze covered."""
    days = sorted(set(active_days))
    if not days:
        return Streak(0, 0, None), {}
    held = list(freezes)
    spent: dict[uuid.UUID, date] = {}

    def bridged(gap: list[date]) -> bool:
        used = cover(gap, [f for f in held if f.id not in spent]) if gap else {}
        if used is None:
            return False
        spent.update(used)
        return True

    longest = run = 1
    for before, after in itertools.pairwise(days):
        run = run + 1 if bridged(missed_days(before, after)) else 1
        longest = max(longest, run)
    # Today is not over: only the days before it can be missed.
    current = run if days[-1] >= today or bridged(missed_days(days[-1], today)) else 0
    return Streak(current, longest, days[-1]), spent


def streaks(active_days: Iterable[date], today: date) -> Streak:
    """Current and longest runs of consecutive active days."""
    return streak_with_freezes(active_days, today)[0]


def current_streak(stats: UserStats | None, today: date, freezes: Iterable[Freeze] = ()) -> int:
    """The stored streak as of `today`: a streak nobody extended since yesterday is over,
    unless the student's freezes (held, or spent on those very days) cover the gap."""
    if stats is None or stats.last_active_date is None:
        return 0
    gap = missed_days(stats.last_active_date, today)
    return stats.current_streak_days if cover(gap, freezes) is not None else 0


def zones_of(session: Session, user_ids: Sequence[uuid.UUID]) -> list[dict[str, str]]:
    """Each user's `user_id` and time zone (UTC for a zone nobody knows), users without a
    profile left out."""
    rows = session.exec(
        select(UserProfile.user_id, UserProfile.timezone).where(
            col(UserProfile.user_id).in_(user_ids)
        )
    ).all()
    return [{"user_id": str(uid), "tz": user_zone(tz).key} for uid, tz in rows]


class HeldFreeze(NamedTuple):
    freeze: Freeze
    used_on: date | None
    xp_cost: int


def _freezes(
    session: Session, zones: dict[uuid.UUID, ZoneInfo]
) -> dict[uuid.UUID, list[HeldFreeze]]:
    """Every freeze these users bought, with the day it was bought in their zone."""
    found: dict[uuid.UUID, list[HeldFreeze]] = {}
    for row in session.exec(
        select(StreakFreeze).where(col(StreakFreeze.user_id).in_(list(zones)))
    ).all():
        bought_on = row.bought_at.astimezone(zones[row.user_id]).date()
        found.setdefault(row.user_id, []).append(
            HeldFreeze(Freeze(row.id, bought_on), row.used_on, row.xp_cost)
        )
    return found


def recompute_user_stats(
    session: Session,
    user_ids: Iterable[uuid.UUID],
    *,
    now: datetime | None = None,
    rebuild: bool = False,
    zones: Sequence[dict[str, str]] | None = None,
) -> int:
    """Recompute `user_stats` and `user_profile.xp` of these users from their digests (with
    `rebuild`, first derived again from all their events); `zones`: their `zones_of`, when the
    caller has read them already. Returns how many users were recomputed.

    Only the figures that changed are written: most of a flush's events (an answer, a search,
    a second lesson opened the same day) change none, and writing every user's two rows on
    every flush was most of its Postgres work (a row version each, on rows every page reads).
    """
    if zones is None:
        zones = zones_of(session, sorted(set(user_ids)))
    else:
        wanted = {str(user_id) for user_id in user_ids}
        zones = [z for z in zones if z["user_id"] in wanted]
    if not zones:
        return 0
    if rebuild:
        rebuild_digests(session, zones)
    else:
        rebuild_moved(session, zones)
    moment = now or utc_now()
    rows = session.execute(_FIGURES, zone_params(zones)).all()
    freezes = _freezes(session, {uuid.UUID(z["user_id"]): ZoneInfo(z["tz"]) for z in zones})
    stats, xp, spent = [], [], []
    for row in rows:
        held = freezes.get(row.user_id, [])
        streak, used = streak_with_freezes(
            row.days, reference_day(ZoneInfo(row.tz), moment), [f.freeze for f in held]
        )
        spent += [
            {"freeze_id": f.freeze.id, "used_on": used.get(f.freeze.id)}
            for f in held
            if used.get(f.freeze.id) != f.used_on
        ]
        figures = _Figures(
            streak.current,
            streak.longest,
            streak.last_active,
            row.lessons,
            row.passed,
            None if row.average is None else round(row.average, 2),
        )
        if not row.has_stats or figures != _stored_figures(row):
            stats.append({"user_id": row.user_id, **figures._asdict(), "updated_at": moment})
        done = Achievements(row.lessons, row.passed, len(row.days))
        earned = max(0, xp_for(done) - sum(f.xp_cost for f in held))
        if row.xp is not None and earned != row.xp:
            xp.append({"profile_user_id": row.user_id, "profile_xp": earned})
    _write(session, stats, xp, spent, moment)
    return len(rows)


class _Figures(NamedTuple):
    """A user's `user_stats` figures, as the columns are named."""

    current_streak_days: int
    longest_streak_days: int
    last_active_date: date | None
    lessons_completed: int
    exams_passed: int
    average_score: float | None


def _stored_figures(row: sa.Row[Any]) -> _Figures:
    """The figures `_FIGURES` read from the user's `user_stats` row, under their own names."""
    return _Figures._make(getattr(row, name) for name in _Figures._fields)


def _write(
    session: Session,
    stats: list[dict[str, object]],
    xp: list[dict[str, object]],
    spent: list[dict[str, object]],
    moment: datetime,
) -> None:
    """One statement each (executemany) for the rows that changed: the analytics flush runs
    this every few seconds, inside the app's backend processes."""
    if stats:
        upsert = pg_insert(UserStats.__table__)  # type: ignore[arg-type]
        figures = [name for name in stats[0] if name != "user_id"]
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=["user_id"], set_={name: upsert.excluded[name] for name in figures}
            ),
            stats,
        )
    if xp:
        profiles = UserProfile.__table__
        session.execute(
            sa.update(profiles)
            .where(profiles.c.user_id == sa.bindparam("profile_user_id"))
            .values(xp=sa.bindparam("profile_xp"), updated_at=moment),
            xp,
        )
    if spent:
        table = StreakFreeze.__table__
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("freeze_id"))
            .values(used_on=sa.bindparam("used_on")),
            spent,
        )


def recompute_all_user_stats(session: Session, *, batch: int = 1000) -> int:
    """Every user with a profile, from all their events (after an XP rule change, or to
    repair); returns how many."""
    ids = list(session.exec(select(UserProfile.user_id).order_by(col(UserProfile.user_id))).all())
    return sum(
        recompute_user_stats(session, ids[i : i + batch], rebuild=True)
        for i in range(0, len(ids), batch)
    )
