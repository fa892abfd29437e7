"""Who may see an exam and when it is open, and a course's exam list as its viewer sees it.

A draft exam reads as "not found" to anyone who may not edit its course, exactly as an id that
does not exist, so probing ids reveals nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, union_all
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import PublishStatus
from learning_app.models.exams import Exam, ExamAttempt, ExamDrawRule, ExamQuestion, ExamType
from learning_app.services import held_facts
from learning_app.services.access.courses import (
    can_edit_course,
    require_course_reader,
)
from learning_app.services.access.prerequisites import exam_locks, locked_reason
from learning_app.services.access.roles import require_viewer
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.exams.accommodations import ExamTerms, terms_for_exams
from learning_app.services.time_zones import local_moment, viewer_zone
from learning_app.services.values import iso


@dataclass(frozen=True)
class ExamCard:
    """An exam in a course's list, as the viewer sees it."""

    id: str
    title: str
    description: str
    type: str
    status: str
    question_count: int
    time_limit_minutes: int | None
    max_attempts: int | None
    opens_at: str
    closes_at: str
    is_open: bool
    window: str  # "Opens Thu 3 Dec, 09:00 CET", in the viewer's zone; "" if always open
    attempts_used: int
    best_percent: float | None
    can_edit: bool
    # "Unlocks when you pass Quiz 1 with at least 70%": a prerequisite the viewer has not met
    locked_reason: str = ""


def exam_window(
    opens_at: datetime | None, closes_at: datetime | None, zone: ZoneInfo, now: datetime
) -> str:
    """When the exam opens or closes, whichever the viewer needs next."""
    if opens_at is not None and now < opens_at:
        opens = f"Opens {local_moment(opens_at, zone, now)}"
        if closes_at is None:
            return opens
        return f"{opens} · closes {local_moment(closes_at, zone, now)}"
    if closes_at is None:
        return ""
    verb = "Closes" if now < closes_at else "Closed"
    return f"{verb} {local_moment(closes_at, zone, now)}"


def _counted_by_exam(model: Any, count: Any) -> Any:
    exam_id = col(model.exam_id)
    in_exams = exam_id.in_(bindparam("exam_ids", expanding=True))
    return select(exam_id, count).where(in_exams).group_by(exam_id)


# One statement, built once: each exam's fixed questions, then each exam's draws.
_QUESTION_COUNTS = union_all(
    _counted_by_exam(ExamQuestion, func.count()),
    _counted_by_exam(ExamDrawRule, func.sum(ExamDrawRule.question_count)),
)


def question_totals(session: Session, exam_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many questions an attempt at each exam gets: its fixed questions plus its draws."""
    if not exam_ids:
        return {}
    held = {
        exam_id: total
        for exam_id in exam_ids
        if (total := held_facts.held_question_total(session, exam_id)) is not None
    }
    if len(held) == len(exam_ids):  # read with the exam's page (`held_facts`)
        return held
    totals = dict.fromkeys(exam_ids, 0)
    for exam_id, count in session.execute(_QUESTION_COUNTS, {"exam_ids": exam_ids}).all():
        totals[exam_id] += int(count or 0)
    return totals


def list_course_exams(session: Session, *, token: str | None, course_id: str) -> list[ExamCard]:
    """The course's exams: all of them for its teachers, published ones for its readers."""
    viewer = require_viewer(session, token) if token else None
    course = require_course_reader(session, viewer, course_id)
    editor = can_edit_course(session, viewer, course)
    query = select(Exam).where(Exam.course_id == course.id)
    if not editor:
        query = query.where(Exam.status == PublishStatus.PUBLISHED)
    exams = session.exec(query.order_by(col(Exam.created_at), col(Exam.id))).all()
    return exam_cards(session, viewer, list(exams), editor=editor)


@dataclass(frozen=True)
class KnownForCards:
    """What a caller of `exam_cards` has already loaded for the viewer: all their attempts
    at these exams and, optionally, these exams' terms for them as a student."""

    own_attempts: Sequence[ExamAttempt]
    student_terms: dict[uuid.UUID, ExamTerms] | None = None


def exam_cards(
    session: Session,
    viewer: Viewer | None,
    exams: list[Exam],
    *,
    editor: bool,
    known: KnownForCards | None = None,
) -> list[ExamCard]:
    """Cards for exams the caller has already been allowed to see: a few grouped queries
    however many exams there are, fewer when the caller has loaded some of it (`known`)."""
    mine: dict[uuid.UUID, tuple[int, float | None]] = {}
    if known is not None:
        for attempt in known.own_attempts:
            count, best = mine.get(attempt.exam_id, (0, None))
            if attempt.percent is not None:
                best = attempt.percent if best is None else max(best, attempt.percent)
            mine[attempt.exam_id] = (count + 1, best)
    elif viewer is not None and exams:
        rows = session.exec(
            select(ExamAttempt.exam_id, func.count(), func.max(ExamAttempt.percent))
            .where(
                ExamAttempt.user_id == uuid.UUID(viewer.user_id),
                col(ExamAttempt.exam_id).in_([e.id for e in exams]),
            )
            .group_by(col(ExamAttempt.exam_id))
        ).all()
        mine = {exam_id: (count, best) for exam_id, count, best in rows}
    totals = question_totals(session, [e.id for e in exams])
    locks = exam_locks(session, viewer, [e.id for e in exams], editor=editor)
    zone = viewer_zone(session, viewer)
    now = utc_now()
    # A student sees their own limits (their accommodations); a teacher the exam's.
    student = uuid.UUID(viewer.user_id) if viewer is not None and not editor else None
    if known is not None and known.student_terms is not None and student is not None:
        terms = known.student_terms
    else:
        terms = terms_for_exams(session, exams, student)
    return [
        ExamCard(
            id=str(e.id),
            title=e.title,
            description=e.description,
            type=ExamType(e.type).value,
            status=PublishStatus(e.status).value,
            question_count=totals[e.id],
            time_limit_minutes=terms[e.id].time_limit_minutes,
            max_attempts=terms[e.id].max_attempts,
            opens_at=iso(terms[e.id].opens_at),
            closes_at=iso(terms[e.id].closes_at),
            is_open=terms[e.id].is_open(now),
            window=exam_window(terms[e.id].opens_at, terms[e.id].closes_at, zone, now),
            attempts_used=mine.get(e.id, (0, None))[0],
            best_percent=mine.get(e.id, (0, None))[1],
            can_edit=editor,
            locked_reason=locked_reason(locks.get(e.id, [])),
        )
        for e in exams
    ]
