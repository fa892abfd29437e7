"""The teachers' grading queue: essays waiting for a mark, and marking them.

A mark updates the answer and recomputes its attempt's score in the same transaction; when the
last essay of an attempt is marked, the attempt becomes `graded` and gets its pass/fail.
A teacher may correct a mark later; the attempt is recomputed the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Course
from learning_app.models.exams import AttemptAnswer, AttemptStatus, Exam, ExamAttempt
from learning_app.models.questions import Question, QuestionType
from learning_app.models.users import UserProfile
from learning_app.services.access.attempts import load_attempt
from learning_app.services.access.courses import courses_taught, require_course_editor
from learning_app.services.access.roles import is_admin, require_viewer
from learning_app.services.attempts.grading import store_score
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.progress import events
from learning_app.services.questions.grading import (
    AWAITING_TEACHER,
    GradeResult,
    GradingKey,
    grade_essay,
)
from learning_app.services.text_input import storable
from learning_app.services.values import parse_id

ANSWER_NOT_FOUND = "We could not find that answer."
MAX_FEEDBACK = 5_000
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class PendingEssay:
    answer_id: str
    attempt_id: str
    course_title: str
    exam_title: str
    student_name: str
    prompt_markdown: str
    essay_text: str
    max_points: float
    submitted_at: str


def pending_essays(session: Session, *, token: str, course_id: str = "") -> list[PendingEssay]:
    """Essays awaiting a mark in the courses the viewer teaches (all courses for admins),
    oldest submission first."""
    viewer = require_viewer(session, token)
    query = (
        select(AttemptAnswer, ExamAttempt, Exam, Course, Question, UserProfile.display_name)
        .join(ExamAttempt, col(ExamAttempt.id) == col(AttemptAnswer.attempt_id))
        .join(Exam, col(Exam.id) == col(ExamAttempt.exam_id))
        .join(Course, col(Course.id) == col(Exam.course_id))
        .join(Question, col(Question.id) == col(AttemptAnswer.question_id))
        .join(UserProfile, col(UserProfile.user_id) == col(ExamAttempt.user_id))
        .where(
            Question.type == QuestionType.ESSAY,
            col(AttemptAnswer.points_awarded).is_(None),
            ExamAttempt.status == AttemptStatus.AWAITING_GRADING,
        )
        .order_by(col(ExamAttempt.submitted_at), col(AttemptAnswer.id))
        .limit(QUEUE_LIMIT)
    )
    if course_id:
        query = query.where(Course.id == require_course_editor(session, viewer, course_id).id)
    if not is_admin(viewer):
        query = query.where(col(Course.id).in_(courses_taught(viewer)))
    return [
        PendingEssay(
            answer_id=str(answer.id),
            attempt_id=str(attempt.id),
            course_title=course.title,
            exam_title=exam.title,
            student_name=name,
            prompt_markdown=question.prompt_markdown,
            essay_text=str(answer.response.get("text") or ""),
            max_points=_points_of(attempt, question.id),
            submitted_at=attempt.submitted_at.isoformat() if attempt.submitted_at else "",
        )
        for answer, attempt, exam, course, question, name in session.exec(query).all()
    ]


def _points_of(attempt: ExamAttempt, question_id: uuid.UUID) -> float:
    for entry in attempt.question_order:
        if entry["question_id"] == str(question_id):
            return float(entry["points"])
    raise NotFound(ANSWER_NOT_FOUND)


def grade_essay_answer(
    session: Session, *, token: str, answer_id: str, points: float | str, feedback: str = ""
) -> str:
    """Mark one essay and recompute its attempt; returns the attempt id."""
    viewer = require_viewer(session, token)
    answer = session.get(AttemptAnswer, parse_id(answer_id, ANSWER_NOT_FOUND))
    if answer is None:
        raise NotFound(ANSWER_NOT_FOUND)
    attempt = load_attempt(session, answer.attempt_id, lock=True)
    exam = session.get(Exam, attempt.exam_id)
    question = session.get(Question, answer.question_id)
    assert exam is not None and question is not None  # foreign keys guarantee both
    require_course_editor(session, viewer, exam.course_id)
    if question.type is not QuestionType.ESSAY:
        raise InvalidInput("Only essays are marked by hand.")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise InvalidInput("The student has not submitted this attempt yet.")
    note = storable((feedback or "").strip(), "feedback", "feedback")
    if len(note) > MAX_FEEDBACK:
        raise InvalidInput(f"Keep feedback under {MAX_FEEDBACK:,} characters.", field="feedback")
    try:
        value = float(points.strip() if isinstance(points, str) else points)
        key = GradingKey(type=QuestionType.ESSAY, points=_points_of(attempt, question.id))
        result = grade_essay(key, value)
    except (TypeError, ValueError) as exc:
        message = str(exc) if "between" in str(exc) else "Enter the points as a number."
        raise InvalidInput(message, field="points") from None
    now = utc_now()
    answer.points_awarded, answer.is_correct = result.points_awarded, result.is_correct
    answer.feedback, answer.graded_by, answer.graded_at = (
        note or None,
        uuid.UUID(viewer.user_id),
        now,
    )
    answer.updated_at = now
    session.add(answer)
    session.flush()
    all_answers = session.exec(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
    ).all()
    results = [
        AWAITING_TEACHER
        if a.points_awarded is None
        else GradeResult(points_awarded=a.points_awarded, is_correct=bool(a.is_correct))
        for a in all_answers
    ]
    store_score(attempt, exam, results, now)
    session.add(attempt)
    session.flush()
    events.record_attempt_completed(session, attempt, exam, by_student=False)
    return str(attempt.id)
