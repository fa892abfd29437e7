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
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from learning_app.models import (
    AttemptAnswer,
    AttemptStatus,
    Course,
    Enrollment,
    Exam,
    ExamAttempt,
    ExamDrawRule,
    ExamQuestion,
    PublishStatus,
    Question,
    QuestionOption,
    QuestionTag,
    QuestionType,
    User,
)
from learning_app.models.base import utc_now
from learning_app.services import analytics, sessions
from learning_app.services.accounts import SIGNED_OUT_MESSAGE, Viewer
from learning_app.services.course_access import iso, parse_id
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import (
    EXAM_NOT_FOUND,
    is_open,
    load_exam,
    require_exam_reader,
    time_limit,
)
from learning_app.services.grading import (
    AWAITING_TEACHER,
    CHOICE_TYPES,
    GradeResult,
    GradingKey,
    attempt_score,
    grade_answer,
)
from learning_app.services.permissions import require_viewer
from learning_app.services.text_input import storable

log = logging.getLogger(__name__)

ATTEMPT_NOT_FOUND = "We could not find that attempt."
TIME_UP = "Time is up: this answer was not saved. Your attempt was submitted automatically."
ALREADY_SUBMITTED = "This attempt has already been submitted; answers can no longer change."
MAX_SHORT_ANSWER = 500
MAX_ESSAY = 20_000
EXPIRED_BATCH = 200  # attempts submitted per transaction by close_expired_attempts
_shuffler = random.SystemRandom()


@dataclass(frozen=True)
class AttemptOption:
    id: str
    body: str


@dataclass(frozen=True)
class AttemptQuestion:
    """A question as the student sees it, with what they have saved so far."""

    question_id: str
    number: int
    type: str
    prompt_markdown: str
    points: float
    options: list[AttemptOption] = field(default_factory=list)
    selected_option_ids: list[str] = field(default_factory=list)
    text: str = ""
    value: str = ""
    answered: bool = False


@dataclass(frozen=True)
class AttemptView:
    attempt_id: str
    exam_id: str
    exam_title: str
    course_id: str
    attempt_number: int
    status: str
    started_at: str
    deadline_at: str  # "" when untimed
    seconds_left: int | None  # None when untimed; counted on the server clock
    questions: list[AttemptQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class SavedAnswer:
    question_id: str
    saved_at: str
    seconds_left: int | None


def load_attempt(session: Session, attempt_id: str | uuid.UUID, *, lock: bool) -> ExamAttempt:
    query = select(ExamAttempt).where(ExamAttempt.id == parse_id(attempt_id, ATTEMPT_NOT_FOUND))
    if lock:
        query = query.with_for_update()
    attempt = session.exec(query).first()
    if attempt is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
    return attempt


def require_own_attempt(
    session: Session, viewer: Viewer, attempt_id: str, *, lock: bool
) -> ExamAttempt:
    """The viewer's own attempt; anyone else's reads as not found."""
    attempt = load_attempt(session, attempt_id, lock=lock)
    if str(attempt.user_id) != viewer.user_id:
        raise NotFound(ATTEMPT_NOT_FOUND)
    return attempt


def is_expired(attempt: ExamAttempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at


def seconds_left(attempt: ExamAttempt, now: datetime) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


# --- starting -------------------------------------------------------------------------------


def _option_ids(session: Session, question_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = session.exec(
        select(QuestionOption.question_id, QuestionOption.id)
        .where(col(QuestionOption.question_id).in_(question_ids))
        .order_by(col(QuestionOption.question_id), col(QuestionOption.position))
    ).all()
    options: dict[uuid.UUID, list[str]] = {}
    for question_id, option_id in rows:
        options.setdefault(question_id, []).append(str(option_id))
    return options


def _draw(session: Session, exam: Exam, chosen: set[uuid.UUID]) -> list[tuple[uuid.UUID, float]]:
    """Random questions for each draw rule, never repeating a question already chosen."""
    picked: list[tuple[uuid.UUID, float]] = []
    rules = session.exec(
        select(ExamDrawRule).where(ExamDrawRule.exam_id == exam.id).order_by(col(ExamDrawRule.id))
    ).all()
    for rule in rules:
        pool = [
            (qid, points)
            for qid, points in session.exec(
                select(Question.id, Question.points)
                .join(QuestionTag, col(QuestionTag.question_id) == col(Question.id))
                .where(QuestionTag.tag_id == rule.tag_id, col(Question.archived_at).is_(None))
            ).all()
            if qid not in chosen
        ]
        if len(pool) < rule.question_count:
            log.warning("exam %s: draw rule %s is short of questions", exam.id, rule.id)
        for qid, points in _shuffler.sample(pool, min(rule.question_count, len(pool))):
            chosen.add(qid)
            picked.append((qid, points if rule.points is None else rule.points))
    return picked


def build_question_order(session: Session, exam: Exam) -> list[dict[str, Any]]:
    """Fixed questions in order, then random draws; shuffled as the exam says."""
    fixed = session.exec(
        select(Question.id, Question.points, ExamQuestion.points)
        .join(ExamQuestion, col(ExamQuestion.question_id) == col(Question.id))
        .where(ExamQuestion.exam_id == exam.id, col(Question.archived_at).is_(None))
        .order_by(col(ExamQuestion.position))
    ).all()
    lines = [(qid, own if points is None else points) for qid, own, points in fixed]
    lines += _draw(session, exam, {qid for qid, _ in lines})
    if exam.shuffle_questions:
        _shuffler.shuffle(lines)
    ids = [qid for qid, _ in lines]
    types = dict(
        session.exec(select(Question.id, Question.type).where(col(Question.id).in_(ids))).all()
    )
    options = _option_ids(session, ids)
    order = []
    for qid, points in lines:
        option_ids = list(options.get(qid, []))
        if exam.shuffle_options and types[qid] is not QuestionType.TRUE_FALSE:
            _shuffler.shuffle(option_ids)
        order.append(
            {
                "question_id": str(qid),
                "type": QuestionType(types[qid]).value,
                "option_ids": option_ids,
                "points": points,
            }
        )
    return order


def _my_attempts(session: Session, exam_id: uuid.UUID, user_id: uuid.UUID) -> list[ExamAttempt]:
    """The viewer's attempts at the exam, locked, read in one statement: which one is in
    progress and how many were used must come from the same snapshot, or a start racing
    another could count the other's attempt without seeing that it is in progress."""
    return list(
        session.exec(
            select(ExamAttempt)
            .where(ExamAttempt.exam_id == exam_id, ExamAttempt.user_id == user_id)
            .with_for_update()
        ).all()
    )


def _in_progress(attempts_: list[ExamAttempt]) -> ExamAttempt | None:
    return next((a for a in attempts_ if a.status == AttemptStatus.IN_PROGRESS), None)


def _exam_for_student(session: Session, viewer: Viewer, exam_id: str) -> Exam:
    """The exam, if it is published in a published course the viewer is enrolled in.

    One query on the exam-start spike's path; the rare refusals go through the reader check
    for their precise message (not found, not published, sign in, enrol).
    """
    row = session.exec(
        select(Exam, Course.status, Enrollment.id)
        .join(Course, col(Course.id) == col(Exam.course_id))
        .join(
            Enrollment,
            (col(Enrollment.course_id) == col(Exam.course_id))
            & (col(Enrollment.user_id) == uuid.UUID(viewer.user_id)),
            isouter=True,
        )
        .where(Exam.id == parse_id(exam_id, EXAM_NOT_FOUND))
    ).first()
    if row is not None:
        exam, course_status, enrolment = row
        published = PublishStatus.PUBLISHED
        if exam.status == published and course_status == published and enrolment is not None:
            return exam
    exam = require_exam_reader(session, viewer, exam_id)
    if exam.status != PublishStatus.PUBLISHED:
        raise PermissionDenied("This exam is not published yet.")
    raise PermissionDenied("Enrol in the course to take its exams.")


def start_attempt(session: Session, *, token: str, exam_id: str) -> AttemptView:
    """Start an attempt, or resume the one in progress (a second tab, a double click)."""
    viewer = require_viewer(session, token)
    user_id = uuid.UUID(viewer.user_id)
    exam = _exam_for_student(session, viewer, exam_id)
    now = utc_now()
    mine = _my_attempts(session, exam.id, user_id)
    current = _in_progress(mine)
    if current is not None:
        if not is_expired(current, now):
            return attempt_view(session, current, exam, now)
        finalize_attempt(session, current, exam, now=now)
    if not is_open(exam, now):
        when = "has not opened yet" if exam.opens_at and now < exam.opens_at else "has closed"
        raise PermissionDenied(f"This exam {when}.")
    used = len(mine)
    if exam.max_attempts is not None and used >= exam.max_attempts:
        raise PermissionDenied(
            f"You have used all {exam.max_attempts} attempt(s) allowed for this exam."
        )
    order = build_question_order(session, exam)
    if not order:
        raise InvalidInput("This exam has no questions yet. Please tell your teacher.")
    limit = time_limit(exam)
    deadline = now + limit if limit else None
    if exam.closes_at is not None and (deadline is None or exam.closes_at < deadline):
        deadline = exam.closes_at
    attempt = ExamAttempt(
        exam_id=exam.id,
        user_id=user_id,
        attempt_number=used + 1,
        started_at=now,
        deadline_at=deadline,
        question_order=order,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # A concurrent start (another tab) won the race: resume the attempt it created.
        current = _in_progress(_my_attempts(session, exam.id, user_id))
        if current is None:
            raise PermissionDenied(
                "Another attempt was just started or finished. Reload."
            ) from None
        return attempt_view(session, current, exam, now)
    analytics.record_event(
        "exam_started",
        user_id=user_id,
        course_id=exam.course_id,
        context={"exam_id": str(exam.id), "attempt_id": str(attempt.id)},
        session=session,
    )
    return attempt_view(session, attempt, exam, now, fresh=True)


# --- reading and answering ------------------------------------------------------------------


def _answers(session: Session, attempt_id: uuid.UUID) -> dict[str, AttemptAnswer]:
    rows = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
    return {str(a.question_id): a for a in rows}


def attempt_view(
    session: Session, attempt: ExamAttempt, exam: Exam, now: datetime, *, fresh: bool = False
) -> AttemptView:
    """The attempt as its student sees it; `fresh` (just started) skips looking for answers."""
    ids = [uuid.UUID(e["question_id"]) for e in attempt.question_order]
    questions = {q.id: q for q in session.exec(select(Question).where(col(Question.id).in_(ids)))}
    bodies = dict(
        session.exec(
            select(QuestionOption.id, QuestionOption.body).where(
                col(QuestionOption.question_id).in_(ids)
            )
        ).all()
    )
    saved = {} if fresh else _answers(session, attempt.id)
    lines = []
    for number, entry in enumerate(attempt.question_order, start=1):
        question = questions[uuid.UUID(entry["question_id"])]
        answer = saved.get(entry["question_id"])
        response = answer.response if answer else {}
        selected = response.get("option_ids") or (
            [response["option_id"]] if response.get("option_id") else []
        )
        value = response.get("value")
        lines.append(
            AttemptQuestion(
                question_id=entry["question_id"],
                number=number,
                type=QuestionType(question.type).value,
                prompt_markdown=question.prompt_markdown,
                points=float(entry["points"]),
                options=[
                    AttemptOption(id=oid, body=bodies[uuid.UUID(oid)])
                    for oid in entry["option_ids"]
                    if uuid.UUID(oid) in bodies
                ],
                selected_option_ids=[str(s) for s in selected],
                text=str(response.get("text") or ""),
                value="" if value is None else f"{value:g}",
                answered=answer is not None,
            )
        )
    return AttemptView(
        attempt_id=str(attempt.id),
        exam_id=str(exam.id),
        exam_title=exam.title,
        course_id=str(exam.course_id),
        attempt_number=attempt.attempt_number,
        status=AttemptStatus(attempt.status).value,
        started_at=iso(attempt.started_at),
        deadline_at=iso(attempt.deadline_at),
        seconds_left=seconds_left(attempt, now),
        questions=lines,
    )


def get_attempt(session: Session, *, token: str, attempt_id: str) -> AttemptView:
    """The viewer's attempt; one past its deadline is submitted first (status says so)."""
    viewer = require_viewer(session, token)
    attempt = require_own_attempt(session, viewer, attempt_id, lock=True)
    exam = load_exam(session, attempt.exam_id)
    now = utc_now()
    if attempt.status == AttemptStatus.IN_PROGRESS and is_expired(attempt, now):
        finalize_attempt(session, attempt, exam, now=now)
    return attempt_view(session, attempt, exam, now)


def clean_response(
    qtype: QuestionType, entry: Mapping[str, Any], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """The response to store, or InvalidInput naming what is wrong with it."""
    field_name = str(entry["question_id"])
    shown = set(entry["option_ids"])
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE):
        option_id = raw.get("option_id")
        if not isinstance(option_id, str) or option_id not in shown:
            raise InvalidInput("Choose one of the options.", field=field_name)
        return {"option_id": option_id}
    if qtype is QuestionType.MULTIPLE_CHOICE:
        chosen = raw.get("option_ids")
        if not isinstance(chosen, list) or not all(
            isinstance(o, str) and o in shown for o in chosen
        ):
            raise InvalidInput("Choose among the options shown.", field=field_name)
        return {"option_ids": list(dict.fromkeys(chosen))}
    if qtype is QuestionType.NUMERIC:
        value = raw.get("value")
        text = value.strip() if isinstance(value, str) else value
        try:
            number = float(text)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidInput(
                "Enter a number, like 42 or 3.14 (use a dot for decimals).", field=field_name
            )
        return {"value": number}
    limit = MAX_ESSAY if qtype is QuestionType.ESSAY else MAX_SHORT_ANSWER
    text = raw.get("text")
    if not isinstance(text, str):
        raise InvalidInput("Type your answer.", field=field_name)
    storable(text, "answer", field_name)
    if len(text) > limit:
        raise InvalidInput(f"Keep the answer under {limit:,} characters.", field=field_name)
    return {"text": text}


def save_answer(
    session: Session,
    *,
    token: str,
    attempt_id: str,
    question_id: str,
    response: Mapping[str, Any],
) -> SavedAnswer:
    """Save (or replace) one answer of the viewer's attempt in progress.

    The hot path of an exam, so it costs one Redis call and two statements: the session
    resolves to a user id, and the attempt is locked only if it is that active user's.
    """
    user_id = sessions.resolve_session(token)
    if user_id is None:
        raise PermissionDenied(SIGNED_OUT_MESSAGE)
    attempt = session.exec(
        select(ExamAttempt)
        .join(User, col(User.id) == col(ExamAttempt.user_id))
        .where(
            ExamAttempt.id == parse_id(attempt_id, ATTEMPT_NOT_FOUND),
            ExamAttempt.user_id == user_id,
            col(User.is_active),
        )
        .with_for_update(of=ExamAttempt)  # type: ignore[arg-type]
    ).first()
    if attempt is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
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
        pg_insert(AttemptAnswer)
        .values(
            id=uuid.uuid4(),
            attempt_id=attempt.id,
            question_id=uuid.UUID(question_id),
            response=stored,
            answered_at=now,
        )
        .on_conflict_do_update(
            constraint="uq_attempt_answer_attempt_id_question_id",
            set_={"response": stored, "answered_at": now, "updated_at": now},
        )
    )
    analytics.record_event(
        "question_answered",
        user_id=user_id,
        # One indexed lookup, so the course's roll-ups count its answers.
        course_id=session.exec(select(Exam.course_id).where(Exam.id == attempt.exam_id)).one(),
        context={"attempt_id": attempt_id, "question_id": question_id},
        session=session,
    )
    return SavedAnswer(
        question_id=question_id, saved_at=iso(now), seconds_left=seconds_left(attempt, now)
    )


# --- submitting and grading -----------------------------------------------------------------


def store_score(
    attempt: ExamAttempt, exam: Exam, results: list[GradeResult], now: datetime
) -> None:
    """Write the attempt's total and status from its answers' grades (`max_score` is set)."""
    total = attempt_score(results, attempt.max_score or 0.0, exam.passing_score)
    attempt.score, attempt.percent, attempt.passed = total.score, total.percent, total.passed
    attempt.status = (
        AttemptStatus.AWAITING_GRADING if total.awaiting_grading else AttemptStatus.GRADED
    )
    attempt.graded_at = None if total.awaiting_grading else now
    attempt.updated_at = now


def finalize_attempt(
    session: Session, attempt: ExamAttempt, exam: Exam, *, now: datetime, by_student: bool = False
) -> None:
    """Grade a locked attempt in progress: every question, answered or not, gets a row.

    After the deadline the attempt counts as submitted at the deadline (automatically).
    """
    ids = [uuid.UUID(e["question_id"]) for e in attempt.question_order]
    questions = {q.id: q for q in session.exec(select(Question).where(col(Question.id).in_(ids)))}
    options: dict[uuid.UUID, list[QuestionOption]] = {}
    for option in session.exec(
        select(QuestionOption).where(col(QuestionOption.question_id).in_(ids))
    ):
        options.setdefault(option.question_id, []).append(option)
    saved = _answers(session, attempt.id)
    results = []
    for entry in attempt.question_order:
        qid = uuid.UUID(entry["question_id"])
        question = questions[qid]
        key = GradingKey.from_question(
            question,
            options.get(qid, []) if question.type in CHOICE_TYPES else [],
            points=float(entry["points"]),
        )
        answer = saved.get(entry["question_id"]) or AttemptAnswer(
            attempt_id=attempt.id, question_id=qid, response={}, answered_at=now
        )
        result = grade_answer(key, answer.response)
        answer.points_awarded, answer.is_correct = result.points_awarded, result.is_correct
        answer.graded_at = None if result is AWAITING_TEACHER else now
        session.add(answer)
        results.append(result)
    attempt.max_score = sum(float(e["points"]) for e in attempt.question_order)
    expired = is_expired(attempt, now)
    attempt.auto_submitted = expired or not by_student
    attempt.submitted_at = attempt.deadline_at if expired else now
    store_score(attempt, exam, results, now)
    session.add(attempt)
    session.flush()
    analytics.record_attempt_completed(session, attempt, exam)


def submit_attempt(session: Session, *, token: str, attempt_id: str) -> str:
    """Submit and grade the viewer's attempt once; a repeated submit changes nothing.

    Returns the attempt id, whose result `attempt_results.attempt_result` shows.
    """
    viewer = require_viewer(session, token)
    attempt = require_own_attempt(session, viewer, attempt_id, lock=True)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        exam = load_exam(session, attempt.exam_id)
        finalize_attempt(session, attempt, exam, now=utc_now(), by_student=True)
    return str(attempt.id)


def close_expired_attempts(session: Session, *, limit: int = EXPIRED_BATCH) -> int:
    """Submit attempts whose deadline has passed (the scheduled job); returns how many."""
    now = utc_now()
    expired = session.exec(
        select(ExamAttempt)
        .where(
            ExamAttempt.status == AttemptStatus.IN_PROGRESS,
            col(ExamAttempt.deadline_at) <= now,
        )
        .order_by(col(ExamAttempt.deadline_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for attempt in expired:
        finalize_attempt(session, attempt, load_exam(session, attempt.exam_id), now=now)
    return len(expired)
