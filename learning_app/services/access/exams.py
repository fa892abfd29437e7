"""Who may see and edit an exam.

A draft exam reads as "not found" to anyone who may not edit its course, exactly as an id that
does not exist, so probing ids reveals nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from learning_app.models.content import Course, PublishStatus
from learning_app.models.exams import Exam, ExamType
from learning_app.services.access.courses import read_course, require_course_editor
from learning_app.services.access.roles import unverified_message
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.rows import RowLoader, held_row
from learning_app.services.values import parse_id

EXAM_NOT_FOUND = "We could not find that exam."


load_exam = RowLoader(Exam, EXAM_NOT_FOUND)
# The exam with its course, whose check then finds the course in the session: one statement.
EXAM_AND_COURSE = (
    select(Exam, Course)
    .join(Course, col(Course.id) == col(Exam.course_id))
    .where(Exam.id == bindparam("exam_id"))
)


def require_exam_editor(
    session: Session, viewer: Viewer, exam_id: str, *, lock: bool = False
) -> Exam:
    exam = load_exam(session, exam_id, lock=lock)
    require_course_editor(session, viewer, exam.course_id)
    return exam


@dataclass(frozen=True)
class ExamReading:
    """An exam the viewer may read, its course, and whether they edit that course."""

    exam: Exam
    course: Course
    can_edit: bool


def read_exam(session: Session, viewer: Viewer | None, exam_id: str) -> ExamReading:
    """The exam, if the viewer edits its course, or it is published in a course they read."""
    exam_key = parse_id(exam_id, EXAM_NOT_FOUND)
    held = held_exam_and_course(session, exam_key)
    exam = held[0] if held else None
    if exam is None:
        found = session.exec(EXAM_AND_COURSE, params={"exam_id": exam_key}).first()
        if found is None:
            raise NotFound(EXAM_NOT_FOUND)
        exam = found[0]
    course, editor = read_course(session, viewer, exam.course_id)
    if exam.status != PublishStatus.PUBLISHED and not editor:
        raise NotFound(EXAM_NOT_FOUND)
    return ExamReading(exam=exam, course=course, can_edit=editor)


def held_exam_and_course(session: Session, exam_id: uuid.UUID) -> tuple[Exam, Course] | None:
    """The exam and its course, if the session holds both (a statement earlier in the unit
    read them: `access.viewing`; `held_row`)."""
    exam = held_row(session, Exam, exam_id)
    course = held_row(session, Course, exam.course_id) if exam is not None else None
    return (exam, course) if exam is not None and course is not None else None


def require_exam_reader(session: Session, viewer: Viewer | None, exam_id: str) -> Exam:
    return read_exam(session, viewer, exam_id).exam


def unverified_refusal(viewer: Viewer, exam: Exam) -> str:
    """Why the viewer may not start this exam until their email is verified; "" if they may.
    Quizzes and finals count towards a grade; practice exams do not, and stay open to all."""
    if viewer.email_verified or exam.type == ExamType.PRACTICE:
        return ""
    return unverified_message("take quizzes and final exams")


def require_verified_taker(viewer: Viewer, exam: Exam) -> Exam:
    """The exam, if the viewer may start it as far as email verification goes."""
    refusal = unverified_refusal(viewer, exam)
    if refusal:
        raise PermissionDenied(refusal)
    return exam
