"""What students (and their teachers) see after an attempt, and an exam's start page.

The student always sees their own answers and the attempt's total (score, percent, passed).
Everything that tells which answers were right follows the exam's feedback policy (never,
after submitting, after the exam closes): each question's verdict and points awarded, the
correct answers, explanations, the feedback written for the chosen options and the teacher's
essay feedback. When the policy hides them, `attempt_result` leaves them out of what it
returns, so no page can pass them on. The course's teachers always see everything. An attempt
is private to its student and the course's teachers; anyone else gets "not found".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import on_event_loop, reads_only
from learning_app.models.base import utc_now
from learning_app.models.exams import (
    AttemptAnswer,
    AttemptStatus,
    Exam,
    ExamAttempt,
    FeedbackPolicy,
)
from learning_app.models.questions import QuestionOption, QuestionType
from learning_app.models.users import UserProfile
from learning_app.services.access.attempts import require_attempt_reader
from learning_app.services.access.courses import is_enrolled
from learning_app.services.access.exams import load_exam, read_exam, unverified_refusal
from learning_app.services.access.roles import must_be_signed_in, require_viewer
from learning_app.services.access.viewing import viewer_in_exam
from learning_app.services.attempts.grading import finalize_attempt, is_expired, questions_of
from learning_app.services.exams.accommodations import terms_for
from learning_app.services.exams.listing import ExamCard, KnownForCards, exam_cards
from learning_app.services.questions.grading import CHOICE_TYPES
from learning_app.services.questions.responses import correct_answer_text
from learning_app.services.time_zones import local_moment, viewer_zone
from learning_app.services.values import count_label, iso


@dataclass(frozen=True)
class AnswerReview:
    number: int
    question_id: str
    type: str
    prompt_markdown: str
    points: float
    points_awarded: float | None  # None until graded, and while feedback is hidden
    is_correct: bool | None  # None until graded, and while feedback is hidden
    awaiting_grading: bool
    your_answer: str
    correct_answer: str  # "" unless feedback is visible
    explanation_markdown: str  # "" unless feedback is visible
    option_feedback: str  # what the teacher wrote for the chosen options; "" unless visible
    teacher_feedback: str  # "" unless feedback is visible


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: str
    exam_id: str
    exam_title: str
    course_id: str
    student_name: str
    is_own: bool  # False when a teacher of the course is looking
    attempt_number: int
    status: str
    submitted_at: str
    auto_submitted: bool
    score: float
    max_score: float
    percent: float
    passed: bool | None  # None while essays await a teacher
    passing_score: float
    feedback_visible: bool  # the per-question verdicts, points and answers are included
    feedback_note: str  # why they are hidden, when they are
    answers: list[AnswerReview] = field(default_factory=list)


@dataclass(frozen=True)
class AttemptSummary:
    attempt_id: str
    attempt_number: int
    status: str
    started_at: str
    submitted_at: str
    percent: float | None
    passed: bool | None


@dataclass(frozen=True)
class ExamIntro:
    """An exam's start page: what it is, my attempts, and whether I can start now."""

    exam: ExamCard
    course_id: str
    course_title: str
    passing_score: float
    feedback_policy: str
    attempts: list[AttemptSummary]
    in_progress_attempt_id: str
    can_start: bool
    blocked_reason: str


def feedback_visible(
    exam: Exam, status: AttemptStatus, now: datetime, zone: ZoneInfo
) -> tuple[bool, str]:
    """Whether the student may see, per question, whether they were right, the points awarded,
    the correct answers and all feedback; if not, why (with times in `zone`). The total score
    is not covered: the student always sees it."""
    if status == AttemptStatus.IN_PROGRESS:
        return False, "Answers are shown once the attempt is submitted."
    policy = FeedbackPolicy(exam.feedback_policy)
    if policy is FeedbackPolicy.AFTER_SUBMIT:
        return True, ""
    if policy is FeedbackPolicy.AFTER_CLOSE:
        if exam.closes_at is not None and now >= exam.closes_at:
            return True, ""
        when = f" ({local_moment(exam.closes_at, zone, now)})" if exam.closes_at else ""
        return False, (
            "Which answers were right, the correct answers and explanations are shown after "
            f"the exam closes{when}. Until then you see your total score."
        )
    return False, (
        "This exam shows your total score only: not which answers were right, nor the "
        "correct answers."
    )


def _chosen(qtype: QuestionType, response: dict[str, object]) -> list[str]:
    """The ids of the options a choice answer picked, in the order given."""
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE):
        return [str(response.get("option_id"))]
    chosen = response.get("option_ids")
    return [str(o) for o in chosen] if isinstance(chosen, list) else []


def _describe(qtype: QuestionType, response: dict[str, object], bodies: dict[str, str]) -> str:
    if qtype in CHOICE_TYPES:
        return ", ".join(bodies.get(o, "") for o in _chosen(qtype, response))
    if qtype is QuestionType.NUMERIC:
        value = response.get("value")
        return f"{value:g}" if isinstance(value, float | int) else ""
    text = response.get("text")
    return text if isinstance(text, str) else ""


def _option_feedback(
    qtype: QuestionType, response: dict[str, object], options: list[QuestionOption]
) -> str:
    """The feedback written for each chosen option: alone for one choice, "option: feedback"
    per line for several."""
    by_id = {str(o.id): o for o in options}
    picked = [by_id[o] for o in _chosen(qtype, response) if o in by_id and by_id[o].feedback]
    if qtype is not QuestionType.MULTIPLE_CHOICE:
        return (picked[0].feedback or "") if picked else ""
    return "\n".join(f"{o.body}: {o.feedback}" for o in picked)


def attempt_result(session: Session, *, token: str, attempt_id: str) -> AttemptResult:
    viewer = require_viewer(session, token)
    attempt = require_attempt_reader(session, viewer, attempt_id)
    exam = load_exam(session, attempt.exam_id)
    now = utc_now()
    if attempt.status == AttemptStatus.IN_PROGRESS and is_expired(attempt, now):
        finalize_attempt(session, attempt, exam, now=now)
    teacher = str(attempt.user_id) != viewer.user_id
    zone = viewer_zone(session, viewer)
    visible, note = feedback_visible(exam, AttemptStatus(attempt.status), now, zone)
    visible = visible or teacher
    questions, options = questions_of(session, attempt)
    bodies = {str(o.id): o.body for group in options.values() for o in group}
    answers = {
        a.question_id: a
        for a in session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    }
    reviews = []
    for number, entry in enumerate(attempt.question_order, start=1):
        qid = uuid.UUID(entry["question_id"])
        question, answer = questions[qid], answers.get(qid)
        qtype = QuestionType(question.type)
        graded = answer is not None and answer.points_awarded is not None
        reviews.append(
            AnswerReview(
                number=number,
                question_id=str(qid),
                type=qtype.value,
                prompt_markdown=question.prompt_markdown,
                points=float(entry["points"]),
                points_awarded=answer.points_awarded if visible and answer else None,
                is_correct=answer.is_correct if visible and answer else None,
                awaiting_grading=answer is not None
                and not graded
                and attempt.status != AttemptStatus.IN_PROGRESS,
                your_answer=_describe(qtype, answer.response, bodies) if answer else "",
                correct_answer=(
                    correct_answer_text(question, options.get(qid, [])) if visible else ""
                ),
                explanation_markdown=question.explanation_markdown if visible else "",
                option_feedback=_option_feedback(qtype, answer.response, options.get(qid, []))
                if visible and answer and qtype in CHOICE_TYPES
                else "",
                teacher_feedback=(answer.feedback or "") if visible and answer else "",
            )
        )
    return AttemptResult(
        attempt_id=str(attempt.id),
        exam_id=str(exam.id),
        exam_title=exam.title,
        course_id=str(exam.course_id),
        student_name=_student_name(session, attempt.user_id),
        is_own=not teacher,
        attempt_number=attempt.attempt_number,
        status=AttemptStatus(attempt.status).value,
        submitted_at=iso(attempt.submitted_at),
        auto_submitted=attempt.auto_submitted,
        score=attempt.score or 0.0,
        max_score=attempt.max_score or 0.0,
        percent=attempt.percent or 0.0,
        passed=attempt.passed,
        passing_score=exam.passing_score,
        feedback_visible=visible,
        feedback_note="" if visible else note,
        answers=reviews,
    )


def _student_name(session: Session, user_id: uuid.UUID) -> str:
    name = session.exec(
        select(UserProfile.display_name).where(UserProfile.user_id == user_id)
    ).first()
    return name or ""


# Built once: the exam page of the exam-start spike.
_USERS_ATTEMPTS_IN_ORDER = (
    select(ExamAttempt)
    .where(ExamAttempt.exam_id == bindparam("exam_id"), ExamAttempt.user_id == bindparam("user_id"))
    .order_by(col(ExamAttempt.attempt_number))
)


@on_event_loop()
@reads_only
def exam_intro(session: Session, *, token: str, exam_id: str) -> ExamIntro:
    viewer = must_be_signed_in(viewer_in_exam(session, token, exam_id))
    reading = read_exam(session, viewer, exam_id)
    exam, course = reading.exam, reading.course
    params = {"exam_id": exam.id, "user_id": uuid.UUID(viewer.user_id)}
    rows = session.exec(_USERS_ATTEMPTS_IN_ORDER, params=params).all()
    terms = terms_for(session, exam, uuid.UUID(viewer.user_id))
    # The card reuses the attempts and the viewer's terms loaded here: two statements fewer.
    known = KnownForCards(own_attempts=rows, student_terms={exam.id: terms})
    [card] = exam_cards(session, viewer, [exam], editor=reading.can_edit, known=known)
    now = utc_now()
    live = next(
        (a for a in rows if a.status == AttemptStatus.IN_PROGRESS and not is_expired(a, now)), None
    )
    reason = ""
    if live is None:
        if not is_enrolled(session, viewer, course.id):
            reason = "Enrol in the course to take its exams."
        elif card.locked_reason:  # a prerequisite not met yet
            reason = f"{card.locked_reason}."
        elif not terms.is_open(now):
            reason = (
                "This exam has not opened yet."
                if terms.opens_at and now < terms.opens_at
                else "This exam has closed."
            )
        elif refusal := unverified_refusal(viewer, exam):
            reason = refusal
        elif terms.max_attempts is not None and len(rows) >= terms.max_attempts:
            used = count_label(terms.max_attempts, "attempt")
            reason = f"You have used all {used} allowed for this exam."
        elif card.question_count == 0:
            reason = "This exam has no questions yet."
    return ExamIntro(
        exam=card,
        course_id=str(course.id),
        course_title=course.title,
        passing_score=exam.passing_score,
        feedback_policy=FeedbackPolicy(exam.feedback_policy).value,
        attempts=[
            AttemptSummary(
                attempt_id=str(a.id),
                attempt_number=a.attempt_number,
                status=AttemptStatus(a.status).value,
                started_at=iso(a.started_at),
                submitted_at=iso(a.submitted_at),
                percent=a.percent,
                passed=a.passed,
            )
            for a in rows
        ],
        in_progress_attempt_id=str(live.id) if live else "",
        can_start=live is not None or reason == "",
        blocked_reason=reason,
    )
