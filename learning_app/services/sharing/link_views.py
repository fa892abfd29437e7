"""Share links as their teacher manages them: each with what it opens (the course or lesson's
title, and the course to manage it from), its dates in the viewer's time zone and its state.
Never the token: only its hash is stored (`links`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Course, CourseLesson, Lesson
from learning_app.models.sharing import SharedToken, ShareEntityType, ShareVisibility
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.time_zones import local_moment, viewer_zone
from learning_app.services.values import iso


@dataclass(frozen=True)
class ShareLinkView:
    """A link as its teacher manages it (never the token: it is not stored)."""

    id: str
    entity_type: str
    entity_id: str
    entity_title: str
    course_id: str  # the course to open in the editor ("" for a lesson in no course)
    visibility: str
    created_at: str
    expires_at: str
    # The two dates in the viewer's time zone, as the list shows them ("Thu 3 Dec, 14:05 CET");
    # "" for a link that never expires.
    created_label: str
    expires_label: str
    revoked: bool
    active: bool
    view_count: int
    last_viewed_at: str


# Where a lesson is managed from: a course it belongs to.
_LESSON_PLACE = (
    select(CourseLesson.course_id)
    .where(CourseLesson.lesson_id == Lesson.id)
    .correlate(Lesson)
    .limit(1)
    .scalar_subquery()
)
Target = tuple[ShareEntityType, uuid.UUID]


def _entity_titles(session: Session, links: Sequence[SharedToken]) -> dict[Target, tuple[str, str]]:
    """Each link target's (title, course id to manage it from): one statement per kind of
    target, however many links (it was one or two per link). A deleted target is missing."""
    wanted: dict[ShareEntityType, set[uuid.UUID]] = {kind: set() for kind in ShareEntityType}
    for link in links:
        wanted[ShareEntityType(link.entity_type)].add(link.entity_id)
    found: dict[Target, tuple[str, str]] = {}
    if courses := wanted[ShareEntityType.COURSE]:
        rows = session.exec(select(Course.id, Course.title).where(col(Course.id).in_(courses)))
        for course_id, title in rows:
            found[(ShareEntityType.COURSE, course_id)] = (title, str(course_id))
    if lessons := wanted[ShareEntityType.LESSON]:
        rows = session.exec(
            select(Lesson.id, Lesson.title, _LESSON_PLACE).where(col(Lesson.id).in_(lessons))
        )
        for lesson_id, title, place in rows:
            found[(ShareEntityType.LESSON, lesson_id)] = (title, str(place) if place else "")
    return found


def link_views(
    session: Session, links: Sequence[SharedToken], viewer: Viewer
) -> list[ShareLinkView]:
    """The links as `viewer` sees them in their lists, their targets read all at once."""
    titles, now, zone = _entity_titles(session, links), utc_now(), viewer_zone(session, viewer)
    return [
        _view(
            link,
            titles.get((ShareEntityType(link.entity_type), link.entity_id), ("(deleted)", "")),
            now,
            zone,
        )
        for link in links
    ]


def _view(
    link: SharedToken, target: tuple[str, str], now: datetime, zone: ZoneInfo
) -> ShareLinkView:
    """The link as its lists show it; `target` is its (title, course id), "(deleted)" and ""
    when the course or lesson is gone."""
    title, course_id = target
    expired = link.expires_at is not None and link.expires_at <= now
    return ShareLinkView(
        id=str(link.id),
        entity_type=ShareEntityType(link.entity_type).value,
        entity_id=str(link.entity_id),
        entity_title=title,
        course_id=course_id,
        visibility=ShareVisibility(link.visibility).value,
        created_at=iso(link.created_at),
        expires_at=iso(link.expires_at),
        created_label=local_moment(link.created_at, zone, now),
        expires_label=local_moment(link.expires_at, zone, now) if link.expires_at else "",
        revoked=link.revoked_at is not None,
        active=link.revoked_at is None and not expired,
        view_count=link.view_count,
        last_viewed_at=iso(link.last_viewed_at),
    )
