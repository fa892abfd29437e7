"""Who may edit a lesson: it can sit in several courses, so the check looks at each of them."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from learning_app.models import Course, CourseLesson, Lesson, PublishStatus
from learning_app.services.access.courses import (
    LESSON_NOT_FOUND,
    can_edit_course,
    can_read_course,
    is_admin,
    load_lesson,
)
from learning_app.services.accounts.users import Viewer
from learning_app.services.errors import NotFound, PermissionDenied


def courses_of_lesson(session: Session, lesson_id: uuid.UUID) -> list[Course]:
    return list(
        session.exec(
            select(Course)
            .join(CourseLesson, col(CourseLesson.course_id) == col(Course.id))
            .where(CourseLesson.lesson_id == lesson_id)
        ).all()
    )


def require_lesson_editor(session: Session, viewer: Viewer, lesson_id: str | uuid.UUID) -> Lesson:
    """The lesson, if the viewer edits any course containing it, wrote it, or is an admin.

    PermissionDenied if the viewer can read it somewhere; NotFound otherwise.
    """
    lesson = load_lesson(session, lesson_id)
    if is_admin(viewer) or str(lesson.owner_id) == viewer.user_id:
        return lesson
    courses = courses_of_lesson(session, lesson.id)
    if any(can_edit_course(session, viewer, course) for course in courses):
        return lesson
    if lesson.status == PublishStatus.PUBLISHED and any(
        can_read_course(session, viewer, course) for course in courses
    ):
        raise PermissionDenied("Only the course's teachers can change this lesson.")
    raise NotFound(LESSON_NOT_FOUND)
