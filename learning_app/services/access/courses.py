"""Who may read and edit a course or lesson, and the lookups those checks need.

Accessors raise instead of returning None. A draft is reported as NotFound to anyone who may not
see it, exactly as an id that does not exist, so probing ids reveals nothing.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy import bindparam, false
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from learning_app.models.content import (
    Course,
    CourseLesson,
    CourseTeacher,
    CourseTeacherRole,
    Enrollment,
    Lesson,
    PublishStatus,
)
from learning_app.services import held_facts
from learning_app.services.access.roles import has_teaching_role, is_admin
from learning_app.services.accounts.viewers import Viewer, viewer_for_session
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.rows import RowLoader, held_row
from learning_app.services.values import parse_id

COURSE_NOT_FOUND = "We could not find that course."
LESSON_NOT_FOUND = "We could not find that lesson."
NOT_A_TEACHER_NOW = (
    "Your account is not a teacher account now, so it cannot change or grade this course. "
    "Ask an admin if that is a mistake."
)


def optional_viewer(session: Session, token: str | None) -> Viewer | None:
    """The signed-in viewer, or None for a visitor (public pages)."""
    return viewer_for_session(session, token) if token else None


def _teacher_row(session: Session, viewer: Viewer, course_id: uuid.UUID) -> str | None:
    role = session.exec(
        select(CourseTeacher.role).where(
            CourseTeacher.course_id == course_id,
            CourseTeacher.user_id == uuid.UUID(viewer.user_id),
        )
    ).first()
    return CourseTeacherRole(role).value if role else None


def teacher_role(session: Session, viewer: Viewer | None, course_id: uuid.UUID) -> str | None:
    """'owner' or 'co_teacher' if the viewer teaches the course now, else None.

    A `course_teacher` row counts only while the viewer's role is teacher or admin: a teacher
    demoted to student keeps their rows (so their courses come back if the role is granted
    again) but edits, publishes, grades and reads nothing private through them meanwhile.
    """
    if not has_teaching_role(viewer):
        return None
    assert viewer is not None
    return _teacher_row(session, viewer, course_id)


def courses_taught(viewer: Viewer) -> SelectOfScalar[uuid.UUID]:
    """The ids of the courses the viewer teaches now, for `col(Course.id).in_(...)` in a
    listing: none while their role is not teacher or admin (see `teacher_role`)."""
    query = select(CourseTeacher.course_id).where(
        CourseTeacher.user_id == uuid.UUID(viewer.user_id)
    )
    return query if has_teaching_role(viewer) else query.where(false())


def can_edit_course(session: Session, viewer: Viewer | None, course: Course) -> bool:
    return is_admin(viewer) or teacher_role(session, viewer, course.id) is not None


# session.info key of the enrolments looked up in the current transaction (see `is_enrolled`).
_ENROLMENTS = "access.enrolments"


# Built once: nearly every action of a student asks it.
_ENROLMENT_ROW = select(Enrollment.id).where(
    Enrollment.course_id == bindparam("course_id"), Enrollment.user_id == bindparam("user_id")
)


def is_enrolled(session: Session, viewer: Viewer | None, course_id: uuid.UUID) -> bool:
    """Whether the viewer is enrolled in the course. A page's checks ask this more than once
    in one transaction (reading the course, then recording progress), so the answer is kept
    for the rest of the transaction; `forget_enrolments` drops it where enrolments change."""
    if viewer is None:
        return False
    known = _known_enrolments(session)
    key = (viewer.user_id, course_id)
    if key not in known:
        params = {"course_id": course_id, "user_id": uuid.UUID(viewer.user_id)}
        known[key] = session.exec(_ENROLMENT_ROW, params=params).first() is not None
    return known[key]


def note_enrolment(session: Session, viewer: Viewer, course_id: uuid.UUID, enrolled: bool) -> None:
    """What a statement of this transaction read about the viewer's enrolment in the course
    (`access.viewing`): `is_enrolled` answers from it."""
    _known_enrolments(session)[(viewer.user_id, course_id)] = enrolled


def _known_enrolments(session: Session) -> dict[tuple[str, uuid.UUID], bool]:
    """The enrolments looked up in the session's current transaction."""
    current = session.get_transaction() or session.begin()
    transaction, known = session.info.get(_ENROLMENTS, (None, {}))
    if transaction is not current:  # a new transaction: look again
        known = {}
        session.info[_ENROLMENTS] = (current, known)
    return known


def forget_enrolments(session: Session) -> None:
    """After writing enrolments: the next `is_enrolled` in this transaction looks again."""
    session.info.pop(_ENROLMENTS, None)


def _readable(session: Session, viewer: Viewer | None, course: Course, *, editor: bool) -> bool:
    if editor:
        return True
    if course.status != PublishStatus.PUBLISHED:
        return False
    return course.is_public or is_enrolled(session, viewer, course.id)


def can_read_course(session: Session, viewer: Viewer | None, course: Course) -> bool:
    return _readable(session, viewer, course, editor=can_edit_course(session, viewer, course))


# `lock` serialises appends and reorders of the course's lesson list.
load_course = RowLoader(Course, COURSE_NOT_FOUND)


def _refuse(session: Session, viewer: Viewer | None, course: Course) -> NotFound | PermissionDenied:
    """PermissionDenied to someone who can see the course; NotFound to anyone who cannot.
    A teacher whose role was taken away is told why, since the course was theirs."""
    if viewer is not None and _teacher_row(session, viewer, course.id) is not None:
        return PermissionDenied(NOT_A_TEACHER_NOW)
    if can_read_course(session, viewer, course) or (
        viewer is not None and course.status == PublishStatus.PUBLISHED
    ):
        return PermissionDenied("Only the course's teachers can change it.")
    return NotFound(COURSE_NOT_FOUND)


def require_course_editor(
    session: Session, viewer: Viewer, course_id: str | uuid.UUID, *, lock: bool = False
) -> Course:
    """The course, if the viewer owns it, co-teaches it or is an admin."""
    course = load_course(session, course_id, lock=lock)
    if not can_edit_course(session, viewer, course):
        raise _refuse(session, viewer, course)
    return course


def require_course_owner(session: Session, viewer: Viewer, course_id: str | uuid.UUID) -> Course:
    """The course, if the viewer owns it or is an admin (deleting, managing co-teachers)."""
    course = require_course_editor(session, viewer, course_id)
    if not is_admin(viewer) and teacher_role(session, viewer, course.id) != "owner":
        raise PermissionDenied("Only the course's owner can do that.")
    return course


def require_course_reader(
    session: Session, viewer: Viewer | None, course_id: str | uuid.UUID
) -> Course:
    """The course, if the viewer edits it, or it is published and public or they are enrolled."""
    return read_course(session, viewer, course_id)[0]


def read_course(
    session: Session, viewer: Viewer | None, course_id: str | uuid.UUID
) -> tuple[Course, bool]:
    """`require_course_reader`'s course, and whether the viewer edits it (one check, not two)."""
    course = load_course(session, course_id)
    editor = can_edit_course(session, viewer, course)
    if _readable(session, viewer, course, editor=editor):
        return course, editor
    if viewer is not None and course.status == PublishStatus.PUBLISHED:
        raise PermissionDenied("Enrol in this course to read it.")
    if viewer is None and course.status == PublishStatus.PUBLISHED:
        raise PermissionDenied("Please sign in and enrol to read this course.")
    raise NotFound(COURSE_NOT_FOUND)


def load_lesson(session: Session, lesson_id: str | uuid.UUID) -> Lesson:
    lesson = session.get(Lesson, parse_id(lesson_id, LESSON_NOT_FOUND))
    if lesson is None:
        raise NotFound(LESSON_NOT_FOUND)
    return lesson


# A lesson read through its place in a course, with the course: one statement, built once, for
# the reader (the course's check then finds the course in the session).
COURSE_AND_LESSON = (
    select(Course, Lesson)
    .join(CourseLesson, col(CourseLesson.course_id) == col(Course.id))
    .join(Lesson, col(Lesson.id) == col(CourseLesson.lesson_id))
    .where(
        CourseLesson.course_id == bindparam("course_id"),
        CourseLesson.lesson_id == bindparam("lesson_id"),
    )
)


def course_and_lesson(
    session: Session, course_id: str | uuid.UUID, lesson_id: str | uuid.UUID
) -> tuple[Course, Lesson] | None:
    """The course and the lesson, if the lesson has a place in it (and both ids are
    well-formed); None otherwise. No access check: the caller makes it."""
    try:
        params = {
            "course_id": parse_id(course_id, COURSE_NOT_FOUND),
            "lesson_id": parse_id(lesson_id, LESSON_NOT_FOUND),
        }
    except NotFound:
        return None
    held = _held_course_and_lesson(session, params["course_id"], params["lesson_id"])
    if held is not None:
        return held
    found = session.exec(COURSE_AND_LESSON, params=params).first()
    return (found[0], found[1]) if found else None


def _held_course_and_lesson(
    session: Session, course_id: uuid.UUID, lesson_id: uuid.UUID
) -> tuple[Course, Lesson] | None:
    """The course and the lesson, if the session holds both and the lesson's place in the
    course (a statement earlier in the unit read them: `access.viewing`; `held_row`)."""
    place = held_row(session, CourseLesson, (course_id, lesson_id))
    course = held_row(session, Course, course_id)
    lesson = held_row(session, Lesson, lesson_id)
    if place is None or course is None or lesson is None:
        return None
    return course, lesson


def lesson_place(session: Session, course_id: uuid.UUID, lesson_id: uuid.UUID) -> CourseLesson:
    place = session.get(CourseLesson, (course_id, lesson_id))
    if place is None:
        raise NotFound(LESSON_NOT_FOUND)
    return place


# A course's order: by place, then by lesson id.
_COURSE_ORDER = (col(CourseLesson.position), col(CourseLesson.lesson_id))


def ordered_lessons(
    session: Session, course_id: uuid.UUID, *, include_drafts: bool
) -> list[tuple[Lesson, int]]:
    """The course's lessons with their positions, in course order."""
    query = (
        select(Lesson, CourseLesson.position)
        .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
        .where(CourseLesson.course_id == course_id)
        .order_by(*_COURSE_ORDER)
    )
    if not include_drafts:
        query = query.where(Lesson.status == PublishStatus.PUBLISHED)
    return [(lesson, position) for lesson, position in session.exec(query).all()]


# Built once, in the same order and with the same draft rule as `ordered_lessons`: the
# lesson reader asks it on every page open for its previous and next links, and loading every
# lesson of the course, bodies included, only to learn their order was most of that cost.
_LESSON_ORDER = (
    select(CourseLesson.lesson_id)
    .join(Lesson, col(Lesson.id) == col(CourseLesson.lesson_id))
    .where(
        CourseLesson.course_id == sa.bindparam("course_id"),
        sa.or_(
            sa.bindparam("include_drafts", type_=sa.Boolean),
            Lesson.status == PublishStatus.PUBLISHED,
        ),
    )
    .order_by(*_COURSE_ORDER)
)


def ordered_lesson_ids(
    session: Session, course_id: uuid.UUID, *, include_drafts: bool
) -> list[uuid.UUID]:
    """The ids of `ordered_lessons`, in the same order (read with the lesson's page when it
    read them: `held_facts`)."""
    held = held_facts.held_lesson_order(session, course_id, include_drafts=include_drafts)
    if held is not None:
        return held
    rows = session.execute(
        _LESSON_ORDER, {"course_id": course_id, "include_drafts": include_drafts}
    )
    return [lesson_id for (lesson_id,) in rows]
