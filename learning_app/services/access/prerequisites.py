"""Mastery paths, the student's side: which lessons and exams of a course are still locked for
a viewer, and why ("Unlocks when you pass Quiz 1 with at least 70%").

A `Prerequisite` row locks one lesson place (a lesson within one course) or one exam until the
viewer's best *graded* attempt at `required_exam_id` reaches `min_percent`. Attempts that still
wait for an essay mark do not count: their percent is provisional. An item with several rows
unlocks when every one of them is met.

Every check goes through `_unmet`: ONE statement that joins the rows in scope with the
viewer's best graded percent per required exam and keeps the rows not met yet, so a course
outline, an exam list, a search or a tutor question costs one query however many items are
locked. Nothing is cached: a student who has just passed the quiz finds the lesson open on
their next request.

The course's teachers and admins are never locked out: they preview everything. A visitor has
no attempts, so every gated item is locked for them (and a share link cannot open one).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.models.exams import Exam
from learning_app.services import held_facts
from learning_app.services.access.courses import teacher_role
from learning_app.services.access.roles import has_teaching_role, is_admin
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import PermissionDenied

LessonPlace = tuple[uuid.UUID, uuid.UUID]  # (course id, lesson id)


def percent_text(value: float) -> str:
    """70.0 -> '70%', 72.5 -> '72.5%'."""
    return f"{value:g}%"


@dataclass(frozen=True)
class Locked:
    """One requirement of a locked lesson or exam that the viewer has not met yet."""

    course_id: uuid.UUID
    lesson_id: uuid.UUID | None  # the locked lesson, or None when an exam is locked
    exam_id: uuid.UUID | None  # the locked exam, or None when a lesson is locked
    required_exam_id: uuid.UUID
    required_exam_title: str
    min_percent: float
    best_percent: float | None  # the viewer's best graded percent so far; None: none yet

    @property
    def condition(self) -> str:
        """'you pass Quiz 1 with at least 70%'."""
        return f"you pass {self.required_exam_title} with at least {percent_text(self.min_percent)}"


def unlock_condition(unmet: list[Locked]) -> str:
    """'you pass Quiz 1 with at least 70% and Quiz 2 with at least 50%'."""
    parts = [unmet[0].condition] + [
        f"{row.required_exam_title} with at least {percent_text(row.min_percent)}"
        for row in unmet[1:]
    ]
    return " and ".join(parts)


def locked_reason(unmet: list[Locked]) -> str:
    """What a locked item shows in lists: 'Unlocks when you pass Quiz 1 with at least 70%',
    with the best score so far when there is one (a student who got 55% knows how far off
    they are). "" when nothing is unmet."""
    if not unmet:
        return ""
    reason = f"Unlocks when {unlock_condition(unmet)}"
    best = [row.best_percent for row in unmet if row.best_percent is not None]
    if len(unmet) == 1 and best:
        reason += f" (your best so far: {percent_text(best[0])})"
    return reason


def refusal(kind: str, unmet: list[Locked]) -> str:
    """'This exam unlocks when you pass Quiz 1 with at least 70%.'"""
    return f"This {kind} unlocks when {unlock_condition(unmet)}."


@dataclass(frozen=True)
class CourseLocks:
    """What is locked for one viewer in one course, each item with its unmet requirements."""

    lessons: dict[uuid.UUID, list[Locked]] = field(default_factory=dict)
    exams: dict[uuid.UUID, list[Locked]] = field(default_factory=dict)

    def lesson_reason(self, lesson_id: uuid.UUID) -> str:
        return locked_reason(self.lessons.get(lesson_id, []))

    def exam_reason(self, exam_id: uuid.UUID) -> str:
        return locked_reason(self.exams.get(exam_id, []))


NOTHING_LOCKED = CourseLocks()


# The rules every statement below shares, stated once. The attempts that count towards a
# requirement `p`: the user's graded ones at its required exam (one reaching `p.min_percent`
# meets it). And the course's teachers are never locked while their role lets them teach
# (`courses_taught`): `{course}` is the course column of the statement using it.
_COUNTED_ATTEMPTS = """
    exam_attempt a WHERE a.user_id = CAST(:user AS uuid) AND a.exam_id = p.required_exam_id
      AND a.status = 'graded'
"""
_NOT_TEACHING = """
    NOT (CAST(:teaches AS boolean) AND EXISTS (
        SELECT 1 FROM course_teacher ct
        WHERE ct.course_id = {course} AND ct.user_id = CAST(:user AS uuid)))
"""
# `_unmet`'s statement: the prerequisite rows of one scope (`_SCOPES`) with the viewer's best
# graded percent at each required exam, kept while not met. A visitor's `:user` is NULL: no
# attempts, so every row in scope. Each scope's statement is built once: building it with the
# ORM on every call cost more than running it.
_UNMET_SQL = """
    SELECT p.course_id, p.lesson_id, p.exam_id, p.required_exam_id, e.title, p.min_percent,
           best.percent
    FROM prerequisite p
    JOIN exam e ON e.id = p.required_exam_id
    LEFT JOIN LATERAL (SELECT max(a.percent) AS percent FROM {counted}) best ON true
    WHERE ({scope}) AND (best.percent IS NULL OR best.percent < p.min_percent)
    ORDER BY e.title, p.required_exam_id
"""
_SCOPES = {
    "course": "p.course_id = :course",
    "lesson_in_course": "p.course_id = :course AND p.lesson_id = :lesson",
    "lesson": "p.lesson_id = :lesson",
    "exam": "p.exam_id = :exam",
    "exams": "p.exam_id = ANY(CAST(:exams AS uuid[]))",
    # The lesson places of the courses whose lessons the viewer could otherwise read:
    # published, and public or enrolled in; not the ones they teach while they may teach.
    "readable_lessons": """
        p.lesson_id IS NOT NULL AND p.course_id IN (
            SELECT c.id FROM course c
            WHERE c.status = 'published'
              AND (c.is_public OR c.id IN (
                  SELECT en.course_id FROM enrollment en WHERE en.user_id = CAST(:user AS uuid)))
              AND {not_teaching})
    """,
}
_UNMET = {
    name: sa.text(
        _UNMET_SQL.format(
            scope=where.format(not_teaching=_NOT_TEACHING.format(course="c.id")),
            counted=_COUNTED_ATTEMPTS,
        )
    )
    for name, where in _SCOPES.items()
}


def _unmet(session: Session, viewer: Viewer | None, scope: str, **params: object) -> list[Locked]:
    """The prerequisite rows of `scope` (a key of `_SCOPES`, with its parameters) that the
    viewer has not met: one statement."""
    user = uuid.UUID(viewer.user_id) if viewer is not None else None
    rows = session.execute(_UNMET[scope], {"user": user, **params}).all()
    return [
        Locked(
            course_id=row[0],
            lesson_id=row[1],
            exam_id=row[2],
            required_exam_id=row[3],
            required_exam_title=row[4],
            min_percent=float(row[5]),
            best_percent=None if row[6] is None else float(row[6]),
        )
        for row in rows
    ]


def _group(rows: list[Locked]) -> CourseLocks:
    lessons: dict[uuid.UUID, list[Locked]] = defaultdict(list)
    exams: dict[uuid.UUID, list[Locked]] = defaultdict(list)
    for row in rows:
        if row.lesson_id is not None:
            lessons[row.lesson_id].append(row)
        elif row.exam_id is not None:
            exams[row.exam_id].append(row)
    return CourseLocks(lessons=dict(lessons), exams=dict(exams))


def _edits(session: Session, viewer: Viewer | None, course_id: uuid.UUID) -> bool:
    return is_admin(viewer) or teacher_role(session, viewer, course_id) is not None


def course_locks(
    session: Session, viewer: Viewer | None, course_id: uuid.UUID, *, editor: bool
) -> CourseLocks:
    """Every lesson and exam of the course locked for the viewer, and why (nothing for the
    course's editors, whom the caller has already identified)."""
    if editor or held_facts.course_is_ungated(session, course_id):
        return NOTHING_LOCKED
    return _group(_unmet(session, viewer, "course", course=course_id))


def exam_locks(
    session: Session, viewer: Viewer | None, exam_ids: list[uuid.UUID], *, editor: bool
) -> dict[uuid.UUID, list[Locked]]:
    """The exams among `exam_ids` locked for the viewer, with their unmet requirements."""
    if editor or all(held_facts.exam_is_ungated(session, e) for e in exam_ids):
        return {}
    return _group(_unmet(session, viewer, "exams", exams=list(exam_ids))).exams


def require_lesson_unlocked(
    session: Session,
    viewer: Viewer | None,
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    *,
    editor: bool | None,
) -> None:
    """PermissionDenied ("This lesson unlocks when ...") if the lesson is locked in this
    course for the viewer. Callers have checked that the viewer may read the lesson, and say
    whether they edit the course (None: look it up only when something is unmet, as the hot
    paths do)."""
    if editor or held_facts.course_is_ungated(session, course_id):
        return
    unmet = _unmet(session, viewer, "lesson_in_course", course=course_id, lesson=lesson_id)
    if unmet and not (editor is None and _edits(session, viewer, course_id)):
        raise PermissionDenied(refusal("lesson", unmet))


def require_exam_unlocked(session: Session, viewer: Viewer, exam: Exam) -> Exam:
    """The exam, unless it is locked for the viewer: PermissionDenied ("This exam unlocks
    when you pass Quiz 1 with at least 70%.").

    On the exam-start path, so the lock query runs first and the course's teachers are
    looked up only when something is unmet: an ungated exam costs one indexed statement, or
    none when the exam's read-ahead found it ungated (`held_facts`).
    """
    if held_facts.exam_is_ungated(session, exam.id):
        return exam
    unmet = _unmet(session, viewer, "exam", exam=exam.id)
    if unmet and not _edits(session, viewer, exam.course_id):
        raise PermissionDenied(refusal("exam", unmet))
    return exam


def locked_lesson_places(session: Session, viewer: Viewer | None) -> list[LessonPlace]:
    """Every (course, lesson) place locked for the viewer among the courses whose lessons
    they could otherwise read (published, and public or enrolled in; not the courses they
    teach), for search, whose index is shared by everyone. Admins read everything."""
    if is_admin(viewer):
        return []
    if viewer is not None and held_facts.no_gated_lessons(session, uuid.UUID(viewer.user_id)):
        return []
    teaches = viewer is not None and has_teaching_role(viewer)
    rows = _unmet(session, viewer, "readable_lessons", teaches=teaches)
    places = {(row.course_id, row.lesson_id) for row in rows}
    return sorted((course_id, lesson_id) for course_id, lesson_id in places if lesson_id)


# `locked_lesson_places` as SQL, for statements that must filter by it in their own round trip
# (the review queue, and rating a card): the lesson places a prerequisite still locks for
# `:user`, by the rule of `_unmet` (no graded attempt at the required exam reaching its
# minimum). The course's teachers are never locked while their role lets them teach
# (`courses_taught`), nor admins. Callers limit it to their courses and bind its parameters
# with `locked_sql_params`.
_LOCKED_PLACES = """
    SELECT p.course_id, p.lesson_id FROM prerequisite p
    WHERE p.lesson_id IS NOT NULL AND NOT CAST(:admin AS boolean)
      AND {not_teaching}
      AND NOT EXISTS (SELECT 1 FROM {counted} AND a.percent >= p.min_percent)
"""
LOCKED_LESSON_PLACES_SQL = _LOCKED_PLACES.format(
    not_teaching=_NOT_TEACHING.format(course="p.course_id"), counted=_COUNTED_ATTEMPTS
)


def locked_sql_params(viewer: Viewer) -> dict[str, object]:
    """The parameters `LOCKED_LESSON_PLACES_SQL` needs for this viewer."""
    return {
        "user": uuid.UUID(viewer.user_id),
        "admin": is_admin(viewer),
        "teaches": has_teaching_role(viewer),
    }


def lesson_requirements(session: Session, lesson_id: uuid.UUID) -> list[Locked]:
    """Every requirement of the lesson in any course it sits in, as a visitor (who has passed
    nothing) meets them: none of them. Share links use it: a link has no student behind it
    to have passed the exam, so a gated lesson never opens through one."""
    return _unmet(session, None, "lesson", lesson=lesson_id)
