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

import functools
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Select, Uuid, bindparam, exists, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from learning_app.adapters.postgres import on_event_loop, statements_alone
from learning_app.models.base import utc_now
from learning_app.models.content import PublishStatus
from learning_app.models.exams import AttemptStatus, Exam, ExamAttempt
from learning_app.models.questions import QuestionShown, QuestionType
from learning_app.services.access.attempts import (
    ATTEMPT_NOT_FOUND,
    lock_own_attempt,
    own_question_order,
    remember_question_order,
)
from learning_app.services.access.courses import is_enrolled
from learning_app.services.access.exams import (
    EXAM_NOT_FOUND,
    held_exam_and_course,
    require_exam_reader,
    require_verified_taker,
)
from learning_app.services.access.prerequisites import require_exam_unlocked
from learning_app.services.access.roles import must_be_signed_in
from learning_app.services.access.viewing import viewer_in_exam
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.attempts.attempt_view import AttemptView, attempt_view, seconds_until
from learning_app.services.attempts.grading import finalize_attempt, is_expired
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
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


@on_event_loop()
def begin_attempt(session: Session, *, token: str, exam_id: str) -> str:
    """`start_attempt` for a page that opens the attempt next: only the attempt's id, without
    building the view that page is about to load anyway."""
    attempt, *_ = _started(session, token, exam_id)
    return str(attempt.id)


_ATTEMPTS = ExamAttempt.__table__  # type: ignore[attr-defined]
_SHOWN = QuestionShown.__table__  # type: ignore[attr-defined]


@functools.cache
def _start_statement(columns: tuple[str, ...]) -> Select[tuple[uuid.UUID]]:
    """A start's insert, one round trip (an ORM flush in a savepoint took three, and the unit
    of work's CPU, on the exam-start spike's path): the attempt, and the questions it shows
    that no attempt had shown yet (`QuestionShown`: from now on they are locked).

    A row that would break a unique rule (a concurrent start won the race) is not inserted
    and returns nothing, and then no question is marked. The questions go in id order, so
    two first starts of one exam at once wait for each other rather than deadlock. Built
    once per set of columns (the same set every time)."""
    attempt = (
        pg_insert(_ATTEMPTS)
        .values({name: bindparam(name, type_=_ATTEMPTS.c[name].type) for name in columns})
        .on_conflict_do_nothing()
        .returning(_ATTEMPTS.c.id)
        .cte("new_attempt")
    )
    shown_ids = (
        func.unnest(bindparam("shown", type_=ARRAY(Uuid())))
        .table_valued("question_id")
        .render_derived(name="shown_ids")
    )
    question_id = shown_ids.c.question_id
    not_shown_yet = (
        select(question_id)
        .select_from(shown_ids)
        .where(exists(select(attempt.c.id)))
        .where(~exists().where(_SHOWN.c.question_id == question_id))
        .order_by(question_id)
    )
    shown = (
        pg_insert(_SHOWN)
        .from_select(["question_id"], not_shown_yet, include_defaults=False)
        .on_conflict_do_nothing()
        .cte("shown")
    )
    return select(attempt.c.id).add_cte(shown)


def _inserted_values(attempt: ExamAttempt) -> dict[str, Any]:
    """The new attempt's column values; an unset one (None) that the database defaults is left
    to the database, as the ORM does."""
    values = {column.key: getattr(attempt, column.key) for column in _ATTEMPTS.columns}
    return {
        key: value
        for key, value in values.items()
        if value is not None or _ATTEMPTS.c[key].server_default is None
    }


def _insert_attempt(session: Session, attempt: ExamAttempt) -> bool:
    """Insert the attempt and mark its questions shown; False if a concurrent start won."""
    values = _inserted_values(attempt)
    shown = [uuid.UUID(str(entry["question_id"])) for entry in attempt.question_order]
    statement = _start_statement(tuple(values))
    return session.execute(statement, {**values, "shown": shown}).first() is not None


def _started(
    session: Session, token: str, exam_id: str
) -> tuple[ExamAttempt, Exam, datetime, bool]:
    """The attempt in progress, or a new one; whether it is new comes last."""
    viewer = must_be_signed_in(viewer_in_exam(session, token, exam_id))
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
    if not _insert_attempt(session, attempt):
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


@on_event_loop()
def get_attempt(session: Session, *, token: str, attempt_id: str) -> AttemptView:
    """The viewer's attempt; one past its deadline is submitted first (status says so)."""
    attempt, exam = lock_own_attempt(session, token, attempt_id)
    remember_question_order(attempt)  # its answers come next, from this worker
    now = utc_now()
    if attempt.status == AttemptStatus.IN_PROGRESS and is_expired(attempt, now):
        finalize_attempt(session, attempt, exam, now=now)
    return attempt_view(session, attempt, exam, now)


# The answer, saved in one statement with every check that decides whether it may be: the
# attempt is the user's and the user is active (as `own_question_order` found a moment
# before), the attempt is in progress and before its deadline. The attempt's row is locked
# for the statement, so a save racing a submit runs before or after it, never beside it. Its
# row says why nothing was saved (`saved` false), and no row that the attempt is not the
# user's (or the user is not active).
_SAVE_IF_OPEN = text(
    """
    WITH attempt AS (
        SELECT a.id, a.status, a.deadline_at, e.course_id
        FROM exam_attempt a
        JOIN "user" u ON u.id = a.user_id
        JOIN exam e ON e.id = a.exam_id
        WHERE a.id = :attempt_id AND a.user_id = :user_id AND u.is_active
        FOR UPDATE OF a
    ), saved AS (
        INSERT INTO attempt_answer (id, attempt_id, question_id, response, answered_at,
                                    updated_at)
        SELECT :id, attempt.id, :question_id, :response, :now, :now FROM attempt
        WHERE attempt.status = 'in_progress'
          AND (attempt.deadline_at IS NULL OR attempt.deadline_at > :now)
        ON CONFLICT ON CONSTRAINT uq_attempt_answer_attempt_id_question_id DO UPDATE
        SET response = EXCLUDED.response, answered_at = EXCLUDED.answered_at,
            updated_at = EXCLUDED.answered_at
        RETURNING 1
    )
    SELECT attempt.status, attempt.deadline_at, attempt.course_id,
           EXISTS (SELECT 1 FROM saved) AS saved
    FROM attempt
    """
).bindparams(bindparam("response", type_=JSONB))


@on_event_loop()
@statements_alone
def save_answer(
    session: Session,
    *,
    token: str,
    attempt_id: str,
    question_id: str,
    response: Mapping[str, Any],
) -> SavedAnswer:
    """Save (or replace) one answer of the viewer's attempt in progress.

    The hot path of an exam, so it costs one Redis call and one statement (`_SAVE_IF_OPEN`,
    in autocommit: no BEGIN, no COMMIT), and one more the first time a worker sees the
    attempt, to read its questions. A save past the deadline writes nothing; the next read
    (or the job) submits the attempt.
    """
    user_id, attempt_key, order = own_question_order(session, token, attempt_id)
    entry = next((e for e in order if e["question_id"] == question_id), None)
    if entry is None:
        raise InvalidInput("That question is not part of this exam.")
    stored = clean_response(
        QuestionType(entry["type"]), entry, response if isinstance(response, Mapping) else {}
    )
    now = utc_now()
    params = {
        "id": uuid.uuid4(),
        "attempt_id": attempt_key,
        "user_id": user_id,
        "question_id": uuid.UUID(question_id),
        "response": stored,
        "now": now,
    }
    found = session.execute(_SAVE_IF_OPEN, params).first()
    if found is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
    status, deadline_at, course_id, saved = found
    if not saved:
        raise InvalidInput(ALREADY_SUBMITTED if status != AttemptStatus.IN_PROGRESS else TIME_UP)
    events.record_event(
        "question_answered",
        user_id=user_id,
        course_id=course_id,
        context={"attempt_id": attempt_id, "question_id": question_id},
    )
    return SavedAnswer(
        question_id=question_id, saved_at=iso(now), seconds_left=seconds_until(deadline_at, now)
    )


# --- submitting ----------------------------------------------------------------------------


@on_event_loop()
def submit_attempt(session: Session, *, token: str, attempt_id: str) -> str:
    """Submit and grade the viewer's attempt once; a repeated submit changes nothing.

    Returns the attempt id, whose result `attempts.results.attempt_result` shows.
    """
    attempt, exam = lock_own_attempt(session, token, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        finalize_attempt(session, attempt, exam, now=utc_now(), by_student=True)
    return str(attempt.id)
