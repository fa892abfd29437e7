"""Streak freezes: bought with XP, at most `MAX_HELD` held at once, each covering one missed day
automatically (see `user_stats`, which decides which freeze covered which day).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from learning_app.models.base import utc_now
from learning_app.models.progress import UserStats
from learning_app.models.review import StreakFreeze
from learning_app.models.users import UserProfile
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.progress.user_stats import (
    Freeze,
    cover,
    current_streak,
    missed_days,
    recompute_user_stats,
    reference_day,
)
from learning_app.services.time_zones import user_zone

# A week of daily activity (2 XP a day) plus a lesson or two: a freeze is earned, not handed out.
FREEZE_XP_COST = 30
MAX_HELD = 2


@dataclass(frozen=True)
class StreakStatus:
    current: int  # today's streak, freezes counted
    held: int  # freezes not spent
    covered_days: list[str]  # ISO days a freeze covered in the last week, latest first
    xp: int
    can_buy: bool
    why_not: str  # why a freeze cannot be bought now ("" when it can)


def _why_not(held: int, xp: int) -> str:
    if held >= MAX_HELD:
        return f"You hold {MAX_HELD} streak freezes, the most you can hold."
    if xp < FREEZE_XP_COST:
        return f"A streak freeze costs {FREEZE_XP_COST} XP; you have {xp}."
    return ""


def streak_status(
    session: Session, user_id: uuid.UUID, zone: ZoneInfo, now: datetime | None = None
) -> StreakStatus:
    """The streak as the dashboard shows it. The stored figures are as of the stats job's last
    run; days missed since the last active day are covered here by the student's freezes
    exactly as that job will cover them (`user_stats.cover`)."""
    today = reference_day(zone, now or utc_now())
    stats = session.get(UserStats, user_id)
    profile = session.get(UserProfile, user_id)
    rows = session.exec(select(StreakFreeze).where(StreakFreeze.user_id == user_id)).all()
    last = stats.last_active_date if stats else None
    # A freeze spent on a day up to the last active day is settled; the others are held, or
    # bridge the days missed since.
    settled = [r for r in rows if r.used_on is not None and last is not None and r.used_on <= last]
    open_ = [r for r in rows if r not in settled]
    freezes = [Freeze(r.id, r.bought_at.astimezone(zone).date()) for r in open_]
    current = current_streak(stats, today, freezes)
    bridging = (cover(missed_days(last, today), freezes) or {}) if current and last else {}
    week_ago = today - timedelta(days=7)
    covered = {r.used_on for r in settled if r.used_on and r.used_on >= week_ago}
    covered |= set(bridging.values())
    held = len(open_) - len(bridging)
    xp = profile.xp if profile else 0
    why = _why_not(held, xp)
    return StreakStatus(
        current, held, [d.isoformat() for d in sorted(covered, reverse=True)], xp, not why, why
    )


def buy_streak_freeze(session: Session, *, token: str | None) -> StreakStatus:
    """Spend FREEZE_XP_COST XP on a freeze; refused (nothing written) beyond MAX_HELD or
    without the XP."""
    viewer = require_viewer(session, token)
    user_id = uuid.UUID(viewer.user_id)
    # The profile's row lock serialises two purchases of one student (a double click).
    profile = session.exec(
        select(UserProfile).where(UserProfile.user_id == user_id).with_for_update()
    ).one()
    zone = user_zone(profile.timezone)
    recompute_user_stats(session, [user_id])  # spend freezes on days missed since
    session.refresh(profile)
    status = streak_status(session, user_id, zone)
    if status.why_not:
        raise InvalidInput(status.why_not)
    session.add(StreakFreeze(user_id=user_id, bought_at=utc_now(), xp_cost=FREEZE_XP_COST))
    session.flush()
    recompute_user_stats(session, [user_id])
    session.refresh(profile)
    return streak_status(session, user_id, zone)
