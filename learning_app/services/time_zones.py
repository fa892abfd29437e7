"""People's time zones, and times written the way they read them."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from learning_app.models.users import UserProfile
from learning_app.services.accounts.viewers import Viewer

UTC = ZoneInfo("UTC")


def user_zone(name: str | None) -> ZoneInfo:
    """The zone a profile names; UTC for none, or for a name this machine does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def viewer_zone(session: Session, viewer: Viewer | None) -> ZoneInfo:
    """The viewer's zone; UTC for a visitor."""
    if viewer is None:
        return UTC
    if viewer.timezone is not None:  # loaded with the viewer
        return user_zone(viewer.timezone)
    name = session.exec(
        select(UserProfile.timezone).where(UserProfile.user_id == uuid.UUID(viewer.user_id))
    ).first()
    return user_zone(name)


def local_moment(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """ "Thu 3 Dec, 09:00 CET": the year only when it is not this year's."""
    local = moment.astimezone(zone)
    day = f"{local:%a} {local.day} {local:%b}"
    if local.year != now.astimezone(zone).year:
        day += f" {local.year}"
    return f"{day}, {local:%H:%M %Z}"
