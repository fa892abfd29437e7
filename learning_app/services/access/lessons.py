"""Who may edit a lesson (it can sit in several courses, so the check looks at each of them), and
who may read one within a course."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from learning_app.models.content import Course, CourseLesson, Lesson, PublishStatus
from learning_app.services.access.courses import (
    LESSON_NOT_FOUND,
    can_edit_course,
    can_read_course,
    course_and_lesson,
    load_lesson,
    read_course,
)
from learning_app.services.access.prerequisites import (
    CourseLocks,
    course_locks,
    refusal,
    require_lesson_unlocked,
)
from learning_app.services.access.roles import has_teaching_role, is_admin
from learning_app.services.accounts.viewers import Viewer
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
    """The lesson, if the viewer edits any course containing it or is an admin; or, once it
    sits in no course, if they wrote it and are a teacher now.

    Writing a lesson gives no right of its own while it sits in a course: the course's
    teachers decide, so a co-teacher removed from the course (or a teacher demoted to
    student) can no longer change or publish the lessons they wrote there. A lesson taken out
    of every course has no teachers left to ask, so its author keeps it, to place it again.

    PermissionDenied if the viewer can read it somewhere; NotFound otherwise.
    """
    lesson = load_lesson(session, lesson_id)
    if is_admin(viewer):
        return lesson
    courses = courses_of_lesson(session, lesson.id)
    if any(can_edit_course(session, viewer, course) for course in courses):
        return lesson
    if not courses and str(lesson.owner_id) == viewer.user_id and has_teaching_role(viewer):
        return lesson
    if lesson.status == PublishStatus.PUBLISHED and any(
        can_read_course(session, viewer, course) for course in courses
    ):
        raise PermissionDenied("Only the course's teachers can change this lesson.")
    raise NotFound(LESSON_NOT_FOUND)


def read_lesson_in_course(
    session: Session, viewer: Viewer | None, course_id: str, lesson_id: str
) -> tuple[Course, Lesson, bool]:
    """The course, the lesson (which must sit in it and be published unless the viewer edits
    the course) and whether the viewer edits the course. A lesson locked for the viewer by a
    prerequisite is refused with what unlocks it (`access.prerequisites`)."""
    course, lesson, editor = _lesson_in_course(session, viewer, course_id, lesson_id)
    require_lesson_unlocked(session, viewer, course.id, lesson.id, editor=editor)
    return course, lesson, editor


def open_lesson_in_course(
    session: Session, viewer: Viewer | None, course_id: str, lesson_id: str
) -> tuple[Course, Lesson, bool, CourseLocks]:
    """`read_lesson_in_course` for the reader, which also shows which neighbours are locked:
    the course's locks come in one statement and the lesson's own check reads them."""
    course, lesson, editor = _lesson_in_course(session, viewer, course_id, lesson_id)
    locks = course_locks(session, viewer, course.id, editor=editor)
    if unmet := locks.lessons.get(lesson.id):
        raise PermissionDenied(refusal("lesson", unmet))
    return course, lesson, editor, locks


def _lesson_in_course(
    session: Session, viewer: Viewer | None, course_id: str, lesson_id: str
) -> tuple[Course, Lesson, bool]:
    found = course_and_lesson(session, course_id, lesson_id)
    # The course's check comes first either way: it says why a course is closed. When the
    # lesson was found, it finds the course in the session, with no statement of its own.
    course, editor = read_course(session, viewer, course_id)
    if found is None:
        raise NotFound(LESSON_NOT_FOUND)
    lesson = found[1]
    if lesson.status != PublishStatus.PUBLISHED and not editor:
        raise NotFound(LESSON_NOT_FOUND)
    return course, lesson, editor
