"""Share links: a teacher lets anyone with a secret URL read one course or one lesson.

A link's token is 256 random bits (`secrets.token_urlsafe(32)`), shown to its creator once and
stored only as its SHA-256 (`shared_token.token_hash`, unique index). A visit hashes the token
from the URL and looks the hash up, so a leaked table yields no working links, and nobody can
forge a link to something that was never shared.

What a link opens, and nothing else:
- a **course** link: the course's published lessons (never drafts, never exams);
- a **lesson** link: that lesson, if published, and no other lesson.

Mastery paths: a lesson a prerequisite locks ("unlocks when you pass Quiz 1 with at least
70%") never opens through a link, since a link has no student behind it who could have passed
the exam. A link to such a lesson is refused when it is made, with the reason; a link made
before the lesson gained its requirement answers `GatedLesson` ("not available through a
link": the holder had a working link, so saying why costs nothing and spares them guessing);
a course link leaves gated lessons out of its list and refuses to open them like any lesson
it does not hold.

A link that is expired, revoked, unknown, or whose course or lesson is gone or unpublished
answers with the same `LinkUnavailable` message, so a visitor cannot tell which it was.
Lookups are rate-limited per client IP. Each successful open counts a view and records a
`share_opened` analytics event in the same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Course, CourseLesson, Lesson, PublishStatus
from learning_app.models.sharing import SharedToken, ShareEntityType, ShareVisibility
from learning_app.services import rate_limits
from learning_app.services.access.courses import (
    optional_viewer,
    ordered_lessons,
)
from learning_app.services.access.prerequisites import course_locks, lesson_requirements
from learning_app.services.access.roles import require_teacher, require_viewer
from learning_app.services.access.sharing import may_manage_link, require_sharer
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.markdown_render import render_inline
from learning_app.services.progress import events
from learning_app.services.sharing.link_views import ShareLinkView, link_views
from learning_app.services.sharing.tokens import token_hash
from learning_app.services.values import parse_id

TOKEN_BYTES = 32  # 256 bits of entropy, 43 URL-safe characters
MAX_TOKEN_LENGTH = 64
LOOKUPS_PER_MINUTE = 60  # per client IP; a reader clicks, a guesser hammers
MAX_EXPIRY_DAYS = 365
LINK_NOT_FOUND = "We could not find that share link."


class LinkUnavailable(NotFound):
    """One message for expired, revoked, unknown and emptied links alike."""

    default_message = (
        "This link is not available. It may have expired or been turned off, or the address "
        "is incomplete. Ask the person who shared it for a new one."
    )


class GatedLesson(LinkUnavailable):
    """A lesson link to a lesson that a prerequisite now locks."""

    default_message = (
        "This lesson is not available through a link: it opens to the course's students once "
        "they pass the exam it requires."
    )


@dataclass(frozen=True)
class CreatedShareLink:
    link: ShareLinkView
    path: str  # "/share/<token>": shown once, then only its hash exists


@dataclass(frozen=True)
class SharedLessonItem:
    lesson_id: str
    title: str
    summary: str
    summary_html: str = ""  # `summary` rendered inline (`render_inline`)


@dataclass(frozen=True)
class SharedContent:
    """What a share link shows: a course outline, or one lesson (`body_markdown` is raw:
    render it sanitised)."""

    entity_type: str
    course_id: str
    course_title: str
    course_description: str
    lesson_id: str = ""
    lesson_title: str = ""
    body_markdown: str = ""
    lessons: list[SharedLessonItem] = field(default_factory=list)


def _expiry(expires_in_days: int | str | None, now: datetime) -> datetime | None:
    if expires_in_days in (None, "", 0, "0", "never"):
        return None
    try:
        days = int(str(expires_in_days).strip())
    except ValueError:
        raise InvalidInput("Choose when the link expires.", field="expires_in_days") from None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(
            f"A link can last from 1 to {MAX_EXPIRY_DAYS} days, or never expire.",
            field="expires_in_days",
        )
    return now + timedelta(days=days)


def _entity_type(raw: str) -> ShareEntityType:
    try:
        return ShareEntityType(raw)
    except ValueError:
        raise InvalidInput("Share a course or a lesson.", field="entity_type") from None


def create_share_link(
    session: Session,
    *,
    token: str,
    entity_type: str,
    entity_id: str,
    visibility: str = ShareVisibility.PUBLIC.value,
    expires_in_days: int | str | None = None,
) -> CreatedShareLink:
    viewer = require_teacher(require_viewer(session, token))
    kind = _entity_type(entity_type)
    target = require_sharer(session, viewer, kind, entity_id)
    if kind is ShareEntityType.LESSON and (gates := lesson_requirements(session, target)):
        raise InvalidInput(
            f"This lesson unlocks when a student passes {gates[0].required_exam_title}, so it "
            "cannot be shared by a link: visitors cannot take the exam. Remove the "
            "requirement first, or share the course (gated lessons stay out of it).",
            field="entity_id",
        )
    try:
        audience = ShareVisibility(visibility)
    except ValueError:
        raise InvalidInput("Choose who can open the link.", field="visibility") from None
    now = utc_now()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    link = SharedToken(
        entity_type=kind,
        entity_id=target,
        token_hash=token_hash(raw),
        visibility=audience,
        created_by=uuid.UUID(viewer.user_id),
        created_at=now,
        expires_at=_expiry(expires_in_days, now),
    )
    session.add(link)
    session.flush()
    [view] = link_views(session, [link], viewer)
    return CreatedShareLink(link=view, path=f"/share/{raw}")


def list_share_links(
    session: Session, *, token: str, entity_type: str = "", entity_id: str = ""
) -> list[ShareLinkView]:
    """The viewer's links, newest first; or every link to one course or lesson they share."""
    viewer = require_viewer(session, token)
    query = select(SharedToken)
    if entity_type:
        kind = _entity_type(entity_type)
        query = query.where(
            SharedToken.entity_type == kind,
            SharedToken.entity_id == require_sharer(session, viewer, kind, entity_id),
        )
    else:
        query = query.where(SharedToken.created_by == uuid.UUID(viewer.user_id))
    links = session.exec(query.order_by(col(SharedToken.created_at).desc()).limit(500)).all()
    return link_views(session, links, viewer)


def revoke_share_link(session: Session, *, token: str, link_id: str) -> ShareLinkView:
    """Turn a link off for good (revoking twice changes nothing)."""
    viewer = require_viewer(session, token)
    link = session.exec(
        select(SharedToken)
        .where(SharedToken.id == parse_id(link_id, LINK_NOT_FOUND))
        .with_for_update()
    ).first()
    if link is None or not may_manage_link(session, viewer, link):
        raise NotFound(LINK_NOT_FOUND)
    link.revoked_at = link.revoked_at or utc_now()
    session.add(link)
    session.flush()
    [view] = link_views(session, [link], viewer)
    return view


def find_active_link(session: Session, raw_token: str, now: datetime) -> SharedToken:
    """The live link for a raw token (one lookup through the unique index), else
    LinkUnavailable."""
    raw = (raw_token or "").strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise LinkUnavailable()
    link = session.exec(
        select(SharedToken).where(SharedToken.token_hash == token_hash(raw))
    ).first()
    if link is None or link.revoked_at is not None:
        raise LinkUnavailable()
    if link.expires_at is not None and link.expires_at <= now:
        raise LinkUnavailable()
    return link


def _published_course(session: Session, course_id: uuid.UUID) -> Course:
    course = session.get(Course, course_id)
    if course is None or course.status != PublishStatus.PUBLISHED:
        raise LinkUnavailable()
    return course


def _content(session: Session, link: SharedToken, lesson_id: str) -> SharedContent:
    if link.entity_type == ShareEntityType.LESSON:
        if lesson_id and lesson_id != str(link.entity_id):
            raise LinkUnavailable()  # a lesson link opens that lesson and nothing else
        lesson = session.get(Lesson, link.entity_id)
        if lesson is None or lesson.status != PublishStatus.PUBLISHED:
            raise LinkUnavailable()
        if lesson_requirements(session, lesson.id):
            raise GatedLesson()
        place = session.exec(
            select(Course)
            .join(CourseLesson, col(CourseLesson.course_id) == col(Course.id))
            .where(CourseLesson.lesson_id == lesson.id, Course.status == PublishStatus.PUBLISHED)
            .limit(1)
        ).first()
        return SharedContent(
            entity_type=ShareEntityType.LESSON.value,
            course_id=str(place.id) if place else "",
            course_title=place.title if place else "",
            course_description="",
            lesson_id=str(lesson.id),
            lesson_title=lesson.title,
            body_markdown=lesson.body_markdown,
        )
    course = _published_course(session, link.entity_id)
    gated = course_locks(session, None, course.id, editor=False).lessons
    published = [
        (item, position)
        for item, position in ordered_lessons(session, course.id, include_drafts=False)
        if item.id not in gated
    ]
    content = SharedContent(
        entity_type=ShareEntityType.COURSE.value,
        course_id=str(course.id),
        course_title=course.title,
        course_description=course.description or "",
        lessons=[
            SharedLessonItem(
                lesson_id=str(item.id),
                title=item.title,
                summary=item.summary or "",
                summary_html=render_inline(item.summary or ""),
            )
            for item, _ in published
        ],
    )
    if not lesson_id:
        return content
    chosen = next((item for item, _ in published if str(item.id) == lesson_id), None)
    if chosen is None:
        raise LinkUnavailable()  # a draft, a gated lesson, or a lesson of another course
    return replace(
        content,
        lesson_id=str(chosen.id),
        lesson_title=chosen.title,
        body_markdown=chosen.body_markdown,
    )


def open_share_link(
    session: Session,
    *,
    raw_token: str,
    client_ip: str,
    viewer_token: str | None = None,
    lesson_id: str = "",
) -> SharedContent:
    """What the link shows (a lesson of a course link when `lesson_id` is given), counting
    the view. Rate-limited per IP before anything is looked up."""
    rate_limits.hit(
        "share_lookup", client_ip or "unknown", limit=LOOKUPS_PER_MINUTE, window_seconds=60
    )
    now = utc_now()
    link = find_active_link(session, raw_token, now)
    viewer = optional_viewer(session, viewer_token)
    if link.visibility == ShareVisibility.SIGNED_IN and viewer is None:
        raise LinkUnavailable("Please sign in to open this link.")
    content = _content(session, link, lesson_id.strip())
    session.execute(
        update(SharedToken)
        .where(col(SharedToken.id) == link.id)
        .values(view_count=SharedToken.view_count + 1, last_viewed_at=now)
    )
    events.record_event(
        "share_opened",
        user_id=viewer.user_id if viewer else None,
        course_id=content.course_id or None,
        context={
            "link_id": str(link.id),
            "entity_type": content.entity_type,
            "lesson_id": content.lesson_id,
        },
        occurred_at=now,
        session=session,
    )
    return content
