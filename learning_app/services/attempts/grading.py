"""Grading a submitted attempt, the one way it happens: by the student, at the deadline (by a
read or by the `exams.close_expired` job), and again when a teacher marks an essay.

Callers hold the attempt's row lock, so an attempt is graded exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.exams import AttemptAnswer, AttemptStatus, Exam, ExamAttempt
from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.services.access.exams import load_exam
from learning_app.services.progress import events
from learning_app.services.questions.grading import (
    AWAITING_TEACHER,
    CHOICE_TYPES,
    GradeResult,
    GradingKey,
    attempt_score,
    grade_answer,
)
from learning_app.services.review.memory import remember_exam_answers

EXPIRED_BATCH = 200  # attempts submitted per transaction by close_expired_attempts


def is_expired(attempt: ExamAttempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at


# A submit's statements, built once with their ids bound.
_IN_QUESTIONS = bindparam("question_ids", expanding=True)
_QUESTIONS = select(Question).where(col(Question.id).in_(_IN_QUESTIONS))
_OPTIONS_IN_ORDER = (
    select(QuestionOption)
    .where(col(QuestionOption.question_id).in_(_IN_QUESTIONS))
    .order_by(col(QuestionOption.position))
)
_ANSWERS_OF_ATTEMPTS = select(AttemptAnswer).where(
    col(AttemptAnswer.attempt_id).in_(bindparam("attempt_ids", expanding=True))
)


@dataclass(frozen=True)
class GradingInputs:
    """What grading a batch of attempts reads, read once for the batch: every attempt's
    questions and their options, and each attempt's saved answers by question id."""

    questions: dict[uuid.UUID, Question]
    options: dict[uuid.UUID, list[QuestionOption]]
    answers: dict[uuid.UUID, dict[str, AttemptAnswer]]

    @classmethod
    def read(cls, session: Session, attempts: Sequence[ExamAttempt]) -> GradingInputs:
        ids = {uuid.UUID(e["question_id"]) for a in attempts for e in a.question_order}
        questions, options = _questions_and_options(session, sorted(ids))
        answers: dict[uuid.UUID, dict[str, AttemptAnswer]] = {a.id: {} for a in attempts}
        params = {"attempt_ids": [a.id for a in attempts]}
        for answer in session.exec(_ANSWERS_OF_ATTEMPTS, params=params):
            answers[answer.attempt_id][str(answer.question_id)] = answer
        return cls(questions, options, answers)


def questions_of(
    session: Session, attempt: ExamAttempt
) -> tuple[dict[uuid.UUID, Question], dict[uuid.UUID, list[QuestionOption]]]:
    """The attempt's questions, and their options in display order, by question id."""
    return _questions_and_options(
        session, [uuid.UUID(e["question_id"]) for e in attempt.question_order]
    )


def _questions_and_options(
    session: Session, question_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, Question], dict[uuid.UUID, list[QuestionOption]]]:
    ids = {"question_ids": question_ids}
    questions = {q.id: q for q in session.exec(_QUESTIONS, params=ids)}
    options: dict[uuid.UUID, list[QuestionOption]] = {}
    for option in session.exec(_OPTIONS_IN_ORDER, params=ids):
        options.setdefault(option.question_id, []).append(option)
    return questions, options


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
    session: Session,
    attempt: ExamAttempt,
    exam: Exam,
    *,
    now: datetime,
    by_student: bool = False,
    read: GradingInputs | None = None,
) -> None:
    """Grade a locked attempt in progress: every question, answered or not, gets a row.

    After the deadline the attempt counts as submitted at the deadline (automatically).
    `read`: its questions and answers, already read with a batch's (else read here).
    """
    read = read or GradingInputs.read(session, [attempt])
    questions, options, saved = read.questions, read.options, read.answers[attempt.id]
    results = []
    remembered: list[tuple[Question, bool]] = []
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
        if result.is_correct is not None and question.type != QuestionType.ESSAY:
            remembered.append((question, result.is_correct))
    attempt.max_score = sum(float(e["points"]) for e in attempt.question_order)
    expired = is_expired(attempt, now)
    attempt.auto_submitted = expired or not by_student
    attempt.submitted_at = attempt.deadline_at if expired else now
    store_score(attempt, exam, results, now)
    session.add(attempt)
    session.flush()
    # The exam's answers are the student's first reviews of its questions.
    remember_exam_answers(session, attempt.user_id, remembered, now)
    events.record_attempt_completed(session, attempt, exam)


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
    # The batch's questions and answers in three statements, not three an attempt: a timed
    # exam closing on hundreds of students is one batch of the same questions.
    read = GradingInputs.read(session, expired) if expired else None
    for attempt in expired:
        exam = load_exam(session, attempt.exam_id)
        finalize_attempt(session, attempt, exam, now=now, read=read)
    return len(expired)
