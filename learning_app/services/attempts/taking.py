"""Taking an exam: start an attempt, save answers as they are given, submit, auto-submit.

The server's clock rules. An attempt's `deadline_at` is fixed at start (start + time limit,
capped by the exam's closing time); after it no answer is saved, and the attempt is submitted
automatically with the answers saved before it: by the first request that touches it, or by
the `exams.close_expired` job, whichever comes first.

Every write locks the attempt's row (`SELECT ... FOR UPDATE`), so a save racing a submit, or
two submits racing each other, run one after the other: an attempt is graded exactly once, and
the second submit returns the first one's result.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from learning_app.models.base import utc_now
from learning_app.models.content import PublishStatus
from learning_app.models.exams import AttemptAnswer, AttemptStatus, Exam, ExamAttempt
from learning_app.models.questions import QuestionType
from learning_app.services.access.attempts import lock_own_attempt
from learning_app.services.access.courses import is_enrolled
from learning_app.services.access.exams import (
    EXAM_NOT_FOUND,
    held_exam_and_course,
    require_exam_reader,
    require_verified_taker,
)
from learning_app.services.access.prerequisites import require_exam_unlocked
from learning_app.services.access.viewing import signed_in, viewer_in_exam
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.attempts.attempt_view import AttemptView, attempt_view, seconds_left
from learning_app.services.attempts.grading import finalize_attempt, is_expired
from learning_app.services.errors import InvalidInput, PermissionDenied
from learning_app.services.exams.accommodations import terms_for
from learning_app.services.exams.draws import build_question_order
from learning_app.services.progress import events
from learning_app.services.questions.responses import clean_response
from learning_app.services.values import count_label, iso, parse_id

log = logging.getLogger(__name__)


TIME_UP = "Time is up: this answer was not saved. Your attempt was submitted automatically."
ALREADY_SUBMITTED = "This attempt has already been submitted; answers can no longer change."


@dataclass(frozen=True)
class SavedAnswer:
    question_id: str
    saved_at: str
    seconds_left: int | None


# --- starting -------------------------------------------------------------------------------


_USERS_ATTEMPTS_LOCKED = (
    select(ExamAttempt)
    .where(ExamAttempt.exam_id == bindparam("exam_id"), ExamAttempt.user_id == bindparam("user_id"))
    .with_for_update()
)


def _my_attempts(session: Session, exam_id: uuid.UUID, user_id: uuid.UUID) -> list[ExamAttempt]:
    """The viewer's attempts at the exam, locked, read in one statement: which one is in
    progress and how many were used must come from the same snapshot, or a start racing
    another could count the other's attempt without seeing that it is in progress."""
    params = {"exam_id": exam_id, "user_id": user_id}
    return list(session.exec(_USERS_ATTEMPTS_LOCKED, params=params).all())


def _in_progress(attempts_: list[ExamAttempt]) -> ExamAttempt | None:
    return next((a for a in attempts_ if a.status == AttemptStatus.IN_PROGRESS), None)


def _exam_for_student(session: Session, viewer: Viewer, exam_id: str) -> Exam:
    """The exam, if it is published in a published course the viewer is enrolled in.

    On the exam-start spike's path no statement of its own: `viewer_in_exam` read the exam,
    its course and the enrolment with the viewer. The rare refusals go through the reader
    check for their precise message (not found, not published, sign in, enrol).
    """
    held = held_exam_and_course(session, parse_id(exam_id, EXAM_NOT_FOUND))
    if held is not None:
        exam, course = held
        published = PublishStatus.PUBLISHED
        if (
            exam.status == published
            and course.status == published
            and is_enrolled(session, viewer, course.id)
        ):
            return exam
    exam = require_exam_reader(session, viewer, exam_id)
    if exam.status != PublishStatus.PUBLISHED:
        raise PermissionDenied("This exam is not published yet.")
    raise PermissionDenied("Enrol in the course to take its exams.")


def start_attempt(session: Session, *, token: str, exam_id: str) -> AttemptView:
    """Start an attempt, or resume the one in progress (a second tab, a double click)."""
    attempt, exam, now, fresh = _started(session, token, exam_id)
    return attempt_view(session, attempt, exam, now, fresh=fresh)


def begin_attempt(session: Session, *, token: str, exam_id: str) -> str:
    """`start_attempt` for a page that opens the attempt next: only the attempt's id, without
    building the view that page is about to load anyway."""
    attempt, *_ = _started(session, token, exam_id)
    return str(attempt.id)


# A start's insert, one round trip: a row that would break a unique rule (a concurrent start
# won the race) is not inserted and returns nothing. An ORM flush in a savepoint took three
# round trips and the unit of work's CPU, on the exam-start spike's path.
_ATTEMPTS = ExamAttempt.__table__  # type: ignore[attr-defined]
_INSERT_NEW_ATTEMPT = pg_insert(_ATTEMPTS).on_conflict_do_nothing().returning(_ATTEMPTS.c.id)


def _inserted_values(attempt: ExamAttempt) -> dict[str, Any]:
    """The new attempt's column values; an unset one (None) that the database defaults is left
    to the database, as the ORM does."""
    values = {column.key: getattr(attempt, column.key) for column in _ATTEMPTS.columns}
    return {
        key: value
        for key, value in values.items()
        if value is not None or _ATTEMPTS.c[key].server_default is None
    }


def _started(
    session: Session, token: str, exam_id: str
) -> tuple[ExamAttempt, Exam, datetime, bool]:
    """The attempt in progress, or a new one; whether it is new comes last."""
    viewer = signed_in(viewer_in_exam(session, token, exam_id))
    user_id = uuid.UUID(viewer.user_id)
    exam = require_verified_taker(viewer, _exam_for_student(session, viewer, exam_id))
    now = utc_now()
    mine = _my_attempts(session, exam.id, user_id)
    current = _in_progress(mine)
    if current is not None:
        if not is_expired(current, now):
            return current, exam, now, False
        finalize_attempt(session, current, exam, now=now)
    require_exam_unlocked(session, viewer, exam)  # a prerequisite not met yet: refused
    # The exam's own limits, adjusted by the student's accommodations (more time, more
    # attempts, their own dates); the deadline below is fixed for the attempt's whole life.
    terms = terms_for(session, exam, user_id)
    if not terms.is_open(now):
        when = "has not opened yet" if terms.opens_at and now < terms.opens_at else "has closed"
        raise PermissionDenied(f"This exam {when}.")
    used = len(mine)
    if terms.max_attempts is not None and used >= terms.max_attempts:
        raise PermissionDenied(
            f"You have used all {count_label(terms.max_attempts, 'attempt')} allowed for this exam."
        )
    order = build_question_order(session, exam)
    if not order:
        raise InvalidInput("This exam has no questions yet. Please tell your teacher.")
    deadline = terms.deadline(now)
    attempt = ExamAttempt(
        exam_id=exam.id,
        user_id=user_id,
        attempt_number=used + 1,
        started_at=now,
        deadline_at=deadline,
        question_order=order,
    )
    if session.execute(_INSERT_NEW_ATTEMPT, _inserted_values(attempt)).first() is None:
        # A concurrent start (another tab) won the race: resume the attempt it created.
        current = _in_progress(_my_attempts(session, exam.id, user_id))
        if current is None:
            raise PermissionDenied("Another attempt was just started or finished. Reload.")
        return current, exam, now, False
    events.record_event(
        "exam_started",
        user_id=user_id,
        course_id=exam.course_id,
        context={"exam_id": str(exam.id), "attempt_id": str(attempt.id)},
        session=session,
    )
    return attempt, exam, now, True


# --- reading and answering ------------------------------------------------------------------


def get_attempt(session: Session, *, token: str, attempt_id: str) -> AttemptView:
    """The viewer's attempt; one past its deadline is submitted first (status says so)."""
    attempt, exam = lock_own_attempt(session, token, attempt_id)
    now = utc_now()
    if attempt.status == AttemptStatus.IN_PROGRESS and is_expired(attempt, now):
        finalize_attempt(session, attempt, exam, now=now)
    return attempt_view(session, attempt, exam, now)


# save_answer's statement, built once (the hot path of an exam: building it per call cost
# about a third of it).
_UPSERT_ANSWER = pg_insert(AttemptAnswer.__table__)  # type: ignore[attr-defined]
# Run with the new row's values: a second answer to the question replaces the first.
_SAVE_ANSWER = _UPSERT_ANSWER.on_conflict_do_update(
    constraint="uq_attempt_answer_attempt_id_question_id",
    set_={
        "response": _UPSERT_ANSWER.excluded.response,
        "answered_at": _UPSERT_ANSWER.excluded.answered_at,
        "updated_at": _UPSERT_ANSWER.excluded.answered_at,
    },
)


def save_answer(
    session: Session,
    *,
    token: str,
    attempt_id: str,
    question_id: str,
    response: Mapping[str, Any],
) -> SavedAnswer:
    """Save (or replace) one answer of the viewer's attempt in progress.

    The hot path of an exam, so it costs one Redis call and two statements: the attempt,
    locked, with its exam's course (the answer's analytics event counts towards the course's
    roll-ups), and the answer.
    """
    attempt, course_id = lock_own_attempt(session, token, attempt_id, whole_exam=False)
    now = utc_now()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise InvalidInput(ALREADY_SUBMITTED)
    if is_expired(attempt, now):
        # Nothing of this request is written; the next read (or the job) submits the attempt.
        raise InvalidInput(TIME_UP)
    entry = next((e for e in attempt.question_order if e["question_id"] == question_id), None)
    if entry is None:
        raise InvalidInput("That question is not part of this exam.")
    stored = clean_response(
        QuestionType(entry["type"]), entry, response if isinstance(response, Mapping) else {}
    )
    session.execute(
        _SAVE_ANSWER,
        {
            "id": uuid.uuid4(),
            "attempt_id": attempt.id,
            "question_id": uuid.UUID(question_id),
            "response": stored,
            "answered_at": now,
        },
    )
    events.record_event(
        "question_answered",
        user_id=attempt.user_id,
        course_id=course_id,
        context={"attempt_id": attempt_id, "question_id": question_id},
        session=session,
    )
    return SavedAnswer(
        question_id=question_id, saved_at=iso(now), seconds_left=seconds_left(attempt, now)
    )


# --- submitting ----------------------------------------------------------------------------


def submit_attempt(session: Session, *, token: str, attempt_id: str) -> str:
    """Submit and grade the viewer's attempt once; a repeated submit changes nothing.

    Returns the attempt id, whose result `attempts.results.attempt_result` shows.
    """
    attempt, exam = lock_own_attempt(session, token, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        finalize_attempt(session, attempt, exam, now=utc_now(), by_student=True)
    return str(attempt.id)
