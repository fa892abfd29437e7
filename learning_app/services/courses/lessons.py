"""Lessons: authoring and their place in courses (reading and progress are in `reading`).

A lesson is written once and placed into one or more courses through `course_lesson`. Whoever
may edit any course that contains a lesson may edit the lesson (and so change it in every course
it sits in), and admins may; its author may only through those courses, or once it sits in no
course and they are a teacher (`access.lessons.require_lesson_editor`).

Positions are unique per course but the constraint is DEFERRABLE INITIALLY DEFERRED, so a
reorder rewrites every position inside the caller's one transaction and is checked at COMMIT.
The course row is locked (SELECT ... FOR UPDATE) before its list changes, so two appends or
reorders of the same course queue up instead of colliding at COMMIT.

`body_markdown` is stored raw: the UI renders and sanitises it when it shows it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Course, CourseLesson, Lesson, PublishStatus
from learning_app.models.sharing import ShareEntityType
from learning_app.services.access.courses import (
    LESSON_NOT_FOUND,
    can_edit_course,
    lesson_place,
    ordered_lessons,
    require_course_editor,
)
from learning_app.services.access.lessons import courses_of_lesson, require_lesson_editor
from learning_app.services.access.roles import is_admin, require_viewer
from learning_app.services.courses.authoring import clean_title
from learning_app.services.errors import InvalidInput, PermissionDenied
from learning_app.services.material.work_queue import ingest_lesson_later
from learning_app.services.sharing.tokens import delete_links_to
from learning_app.services.text_input import storable
from learning_app.services.values import parse_id

MAX_BODY_LENGTH = 200_000
MAX_SUMMARY_LENGTH = 1_000


@dataclass(frozen=True)
class LessonSummary:
    """A lesson as the authoring views list it; `position` is its place in `course_id`
    (-1 when returned outside a course)."""

    id: str
    course_id: str
    title: str
    summary: str
    status: str  # "draft" | "published"
    position: int
    updated_at: str


def clean_body(raw: str) -> str:
    body = storable(raw or "", "lesson", "body_markdown")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_BODY_LENGTH:,} characters for the lesson.", field="body_markdown"
        )
    return body


def clean_summary(raw: str) -> str:
    summary = storable((raw or "").strip(), "summary", "summary")
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_SUMMARY_LENGTH:,} characters for the summary.", field="summary"
        )
    return summary


def _append(session: Session, course: Course, lesson: Lesson) -> int:
    """Put the lesson at the end of the (locked) course's list; returns its position."""
    last = session.exec(
        select(func.max(CourseLesson.position)).where(CourseLesson.course_id == course.id)
    ).one()
    position = 0 if last is None else int(last) + 1
    session.add(CourseLesson(course_id=course.id, lesson_id=lesson.id, position=position))
    session.flush()
    return position


def _compact(session: Session, course_id: uuid.UUID) -> None:
    """Renumber the course's lessons 0..n-1 keeping their order (after one leaves)."""
    places = session.exec(
        select(CourseLesson)
        .where(CourseLesson.course_id == course_id)
        .order_by(col(CourseLesson.position), col(CourseLesson.lesson_id))
    ).all()
    for index, place in enumerate(places):
        if place.position != index:
            place.position = index
            session.add(place)
    session.flush()


def _summary(lesson: Lesson, course_id: uuid.UUID | None, position: int) -> LessonSummary:
    return LessonSummary(
        id=str(lesson.id),
        course_id=str(course_id) if course_id else "",
        title=lesson.title,
        summary=lesson.summary or "",
        status=PublishStatus(lesson.status).value,
        position=position,
        updated_at=lesson.updated_at.isoformat() if lesson.updated_at else "",
    )


def create_lesson(
    session: Session,
    *,
    token: str,
    course_id: str,
    title: str,
    body_markdown: str,
    summary: str = "",
) -> LessonSummary:
    """A draft lesson written by the viewer, appended at the end of the course."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id, lock=True)
    lesson = Lesson(
        owner_id=uuid.UUID(viewer.user_id),
        title=clean_title(title),
        summary=clean_summary(summary),
        body_markdown=clean_body(body_markdown),
    )
    session.add(lesson)
    session.flush()
    ingest_lesson_later(session, lesson.id)
    return _summary(lesson, course.id, _append(session, course, lesson))


def update_lesson(
    session: Session, *, token: str, lesson_id: str, title: str, body_markdown: str, summary: str
) -> LessonSummary:
    """Change the lesson; the change shows in every course that contains it."""
    viewer = require_viewer(session, token)
    lesson = require_lesson_editor(session, viewer, lesson_id)
    lesson.title = clean_title(title)
    lesson.summary = clean_summary(summary)
    lesson.body_markdown = clean_body(body_markdown)
    session.add(lesson)
    session.flush()
    ingest_lesson_later(session, lesson.id)  # the tutor reads the new text
    return _summary(lesson, None, -1)


def _set_lesson_status(
    session: Session, token: str, lesson_id: str, status: PublishStatus
) -> LessonSummary:
    viewer = require_viewer(session, token)
    lesson = require_lesson_editor(session, viewer, lesson_id)
    if lesson.status != status:
        lesson.status = status
        lesson.published_at = utc_now() if status == PublishStatus.PUBLISHED else None
        session.add(lesson)
        session.flush()
    return _summary(lesson, None, -1)


def publish_lesson(session: Session, *, token: str, lesson_id: str) -> LessonSummary:
    return _set_lesson_status(session, token, lesson_id, PublishStatus.PUBLISHED)


def unpublish_lesson(session: Session, *, token: str, lesson_id: str) -> LessonSummary:
    return _set_lesson_status(session, token, lesson_id, PublishStatus.DRAFT)


def attach_lesson(session: Session, *, token: str, course_id: str, lesson_id: str) -> LessonSummary:
    """Place an existing lesson at the end of another course (the viewer must edit both).

    Attaching a lesson the course already has changes nothing.
    """
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id, lock=True)
    lesson = require_lesson_editor(session, viewer, lesson_id)
    existing = session.get(CourseLesson, (course.id, lesson.id))
    if existing is not None:
        return _summary(lesson, course.id, existing.position)
    return _summary(lesson, course.id, _append(session, course, lesson))


def detach_lesson(session: Session, *, token: str, course_id: str, lesson_id: str) -> None:
    """Take the lesson out of the course; the lesson itself (and its other places) remain."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id, lock=True)
    place = lesson_place(session, course.id, parse_id(lesson_id, LESSON_NOT_FOUND))
    session.delete(place)
    session.flush()
    _compact(session, course.id)


def reorder_lessons(
    session: Session, *, token: str, course_id: str, lesson_ids: list[str]
) -> list[LessonSummary]:
    """Put the course's lessons in the order of `lesson_ids`, which must be exactly its lessons.

    Every position is rewritten in this transaction; the deferred unique constraint on
    (course_id, position) is checked at COMMIT, when the new order is consistent.
    """
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id, lock=True)
    places = {
        place.lesson_id: place
        for place in session.exec(
            select(CourseLesson).where(CourseLesson.course_id == course.id)
        ).all()
    }
    wrong_set = InvalidInput(
        "The new order must list each of the course's lessons exactly once. "
        "Reload the page and try again.",
        field="lesson_ids",
    )
    try:
        wanted = [uuid.UUID(str(raw)) for raw in lesson_ids]
    except ValueError as exc:
        raise wrong_set from exc
    if len(wanted) != len(set(wanted)) or set(wanted) != set(places):
        raise wrong_set
    for position, lesson_id in enumerate(wanted):
        place = places[lesson_id]
        if place.position != position:
            place.position = position
            session.add(place)
    session.flush()
    return [
        _summary(lesson, course.id, position)
        for lesson, position in ordered_lessons(session, course.id, include_drafts=True)
    ]


def delete_lesson(session: Session, *, token: str, lesson_id: str) -> None:
    """Delete the lesson everywhere. The viewer must be able to edit every course containing
    it (or be an admin), since it disappears from all of them."""
    viewer = require_viewer(session, token)
    lesson = require_lesson_editor(session, viewer, lesson_id)
    courses = courses_of_lesson(session, lesson.id)
    if not is_admin(viewer) and not all(
        can_edit_course(session, viewer, course) for course in courses
    ):
        raise PermissionDenied(
            "This lesson is also used by courses you do not teach. Remove it from your "
            "course instead."
        )
    for course in courses:
        require_course_editor(session, viewer, course.id, lock=True)
    delete_links_to(session, ShareEntityType.LESSON, lesson.id)
    session.delete(lesson)
    session.flush()
    for course in courses:
        _compact(session, course.id)
