"""Mastery paths, the teacher's side: a lesson of a course, or an exam, requires another exam
of the same course passed with at least X% (Canvas MasteryPaths, Moodle's "restrict access").

Only exams can be required, so a loop of requirements (Quiz A needs Quiz B, Quiz B needs
Quiz A) runs through exams only: a new exam requirement is refused when the exam it names
already needs, directly or through others, the exam being locked. Every write of a course's
requirements locks the course's row first, so two teachers adding the two halves of a loop at
the same moment run one after the other and the second is refused.

Setting a requirement that exists already (same item, same required exam) changes its
minimum score. Refused input writes nothing. What the student sees, and every check that
enforces a requirement, is in `access.prerequisites`.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from learning_app.models.content import CourseLesson, Lesson
from learning_app.models.exams import Exam
from learning_app.models.teaching import Prerequisite
from learning_app.services.access.courses import (
    LESSON_NOT_FOUND,
    lesson_place,
    require_course_editor,
)
from learning_app.services.access.exams import EXAM_NOT_FOUND, load_exam
from learning_app.services.access.prerequisites import percent_text
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.values import parse_id

PREREQUISITE_NOT_FOUND = "We could not find that requirement."
PERCENT_RANGE = "The minimum score is a percent from 0 to 100."


@dataclass(frozen=True)
class PrerequisiteView:
    """One requirement as its course's teachers see it."""

    id: str
    course_id: str
    lesson_id: str  # "" when an exam is locked
    exam_id: str  # "" when a lesson is locked
    item_title: str  # the locked lesson's or exam's title
    required_exam_id: str
    required_exam_title: str
    min_percent: float
    label: str  # "Quiz 1, at least 70%"


@dataclass(frozen=True)
class ExamChoice:
    """An exam a requirement may name (the editor's "Requires" select)."""

    id: str
    title: str


def parse_percent(raw: float | int | str | None) -> float:
    """The minimum score as a float in [0, 100], else InvalidInput on `min_percent`."""
    try:
        value = float(str(raw).strip().rstrip("%")) if raw not in (None, "") else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise InvalidInput(PERCENT_RANGE, field="min_percent")
    return value


def _course_exam(
    session: Session, course_id: uuid.UUID, exam_id: str | uuid.UUID, *, field: str
) -> Exam:
    """An exam of this course, else InvalidInput on `field` (another course's exam is named
    by neither title nor id: the viewer may not be allowed to see it)."""
    try:
        exam = load_exam(session, exam_id)
    except NotFound:
        raise InvalidInput(EXAM_NOT_FOUND, field=field) from None
    if exam.course_id != course_id:
        raise InvalidInput("Choose an exam of this course.", field=field)
    return exam


def _exam_edges(session: Session, course_id: uuid.UUID) -> dict[uuid.UUID, list[uuid.UUID]]:
    """exam -> the exams it requires, for the course's exam requirements."""
    edges: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    rows = session.exec(
        select(Prerequisite.exam_id, Prerequisite.required_exam_id).where(
            Prerequisite.course_id == course_id, col(Prerequisite.exam_id).is_not(None)
        )
    ).all()
    for exam_id, required in rows:
        if exam_id is not None:
            edges[exam_id].append(required)
    return edges


def find_loop(
    edges: dict[uuid.UUID, list[uuid.UUID]], exam_id: uuid.UUID, required_exam_id: uuid.UUID
) -> list[uuid.UUID]:
    """The loop that `exam_id requires required_exam_id` would close, as the exams along it
    from `exam_id` back to itself; [] when there is none. A depth-first walk of what
    `required_exam_id` needs, directly or not: a course has tens of exams, not thousands."""
    if exam_id == required_exam_id:
        return [exam_id, exam_id]
    path_to: dict[uuid.UUID, list[uuid.UUID]] = {required_exam_id: [required_exam_id]}
    stack = [required_exam_id]
    while stack:
        current = stack.pop()
        for needed in edges.get(current, []):
            if needed == exam_id:
                return [exam_id, *path_to[current], exam_id]
            if needed not in path_to:
                path_to[needed] = [*path_to[current], needed]
                stack.append(needed)
    return []


def loop_message(titles: list[str]) -> str:
    """'That would make a loop: Quiz A needs Quiz B, which needs Quiz A. ...'"""
    steps = f"{titles[0]} needs {titles[1]}" + "".join(
        f", which needs {title}" for title in titles[2:]
    )
    return (
        f"That would make a loop: {steps}. No student could ever open them. "
        "Remove one of these requirements first."
    )


def _titles(session: Session, exam_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.exec(select(Exam.id, Exam.title).where(col(Exam.id).in_(exam_ids))).all()
    return dict(rows)


def _views(session: Session, rows: list[Prerequisite]) -> list[PrerequisiteView]:
    exam_ids = {row.required_exam_id for row in rows} | {r.exam_id for r in rows if r.exam_id}
    exams = _titles(session, list(exam_ids))
    lesson_ids = [row.lesson_id for row in rows if row.lesson_id]
    lessons = dict(
        session.exec(select(Lesson.id, Lesson.title).where(col(Lesson.id).in_(lesson_ids))).all()
    )
    return [
        PrerequisiteView(
            id=str(row.id),
            course_id=str(row.course_id),
            lesson_id=str(row.lesson_id or ""),
            exam_id=str(row.exam_id or ""),
            item_title=lessons.get(row.lesson_id, "")  # type: ignore[arg-type]
            if row.lesson_id
            else exams.get(row.exam_id, ""),  # type: ignore[arg-type]
            required_exam_id=str(row.required_exam_id),
            required_exam_title=exams.get(row.required_exam_id, ""),
            min_percent=row.min_percent,
            label=f"{exams.get(row.required_exam_id, '')}, "
            f"at least {percent_text(row.min_percent)}",
        )
        for row in rows
    ]


def set_prerequisite(
    session: Session,
    *,
    token: str,
    course_id: str,
    lesson_id: str | None = None,
    exam_id: str | None = None,
    required_exam_id: str,
    min_percent: float | int | str,
) -> PrerequisiteView:
    """Lock a lesson of the course (or an exam of it) until `required_exam_id`, an exam of
    the same course, is passed with at least `min_percent`; setting it again changes the
    minimum. InvalidInput, with nothing written, for a loop, an exam requiring itself, an exam
    of another course or a percent outside 0-100."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id, lock=True)
    lesson_id, exam_id = (lesson_id or "").strip() or None, (exam_id or "").strip() or None
    if (lesson_id is None) == (exam_id is None):
        raise InvalidInput("Choose one lesson or one exam to lock.", field="item")
    if not (required_exam_id or "").strip():
        raise InvalidInput("Choose the exam it requires.", field="required_exam_id")
    lesson_uuid = exam_uuid = None
    if lesson_id is not None:
        lesson_uuid = parse_id(lesson_id, LESSON_NOT_FOUND)
        lesson_place(session, course.id, lesson_uuid)  # NotFound unless it sits in the course
    else:
        exam_uuid = _course_exam(session, course.id, exam_id or "", field="exam_id").id
    required = _course_exam(session, course.id, required_exam_id, field="required_exam_id")
    if exam_uuid == required.id:
        raise InvalidInput("An exam cannot require itself.", field="required_exam_id")
    percent = parse_percent(min_percent)
    if exam_uuid is not None:
        loop = find_loop(_exam_edges(session, course.id), exam_uuid, required.id)
        if loop:
            titles = _titles(session, loop)
            raise InvalidInput(
                loop_message([titles[exam] for exam in loop]), field="required_exam_id"
            )
    row = session.exec(
        select(Prerequisite).where(
            Prerequisite.course_id == course.id,
            Prerequisite.lesson_id == lesson_uuid,
            Prerequisite.exam_id == exam_uuid,
            Prerequisite.required_exam_id == required.id,
        )
    ).first()
    if row is None:
        row = Prerequisite(
            course_id=course.id,
            lesson_id=lesson_uuid,
            exam_id=exam_uuid,
            required_exam_id=required.id,
            min_percent=percent,
        )
    row.min_percent = percent
    session.add(row)
    session.flush()
    return _views(session, [row])[0]


def remove_prerequisite(session: Session, *, token: str, prerequisite_id: str) -> None:
    """Delete one requirement of a course the viewer edits (what it locked opens at once)."""
    viewer = require_viewer(session, token)
    row = session.get(Prerequisite, parse_id(prerequisite_id, PREREQUISITE_NOT_FOUND))
    if row is None:
        raise NotFound(PREREQUISITE_NOT_FOUND)
    require_course_editor(session, viewer, row.course_id, lock=True)
    session.delete(row)
    session.flush()


def prerequisites_of_course(
    session: Session,
    *,
    token: str,
    course_id: str,
    lesson_id: str | None = None,
    exam_id: str | None = None,
) -> list[PrerequisiteView]:
    """The course's requirements (only one lesson's or one exam's when given), for its
    teachers, grouped by locked item in course order, then by required exam title."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    query = select(Prerequisite).where(Prerequisite.course_id == course.id)
    if lesson_id:
        query = query.where(Prerequisite.lesson_id == parse_id(lesson_id, LESSON_NOT_FOUND))
    if exam_id:
        query = query.where(Prerequisite.exam_id == parse_id(exam_id, EXAM_NOT_FOUND))
    rows = list(session.exec(query).all())
    positions = dict(
        session.exec(
            select(CourseLesson.lesson_id, CourseLesson.position).where(
                CourseLesson.course_id == course.id
            )
        ).all()
    )
    views = _views(session, rows)
    return sorted(
        views,
        key=lambda v: (
            v.lesson_id == "",
            positions.get(uuid.UUID(v.lesson_id), 0) if v.lesson_id else 0,
            v.item_title.casefold(),
            v.required_exam_title.casefold(),
        ),
    )


def requirable_exams(
    session: Session, *, token: str, course_id: str, exam_id: str | None = None
) -> list[ExamChoice]:
    """The course's exams a requirement may name (drafts included: the teacher may publish
    them later), without `exam_id` itself, by title."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    query = select(Exam.id, Exam.title).where(Exam.course_id == course.id)
    if exam_id:
        query = query.where(Exam.id != parse_id(exam_id, EXAM_NOT_FOUND))
    rows = session.exec(query.order_by(Exam.title, col(Exam.id))).all()
    return [ExamChoice(id=str(exam), title=title) for exam, title in rows]
