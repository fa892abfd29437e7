"""Exams: teachers compose them from the question bank (who may see them, and the course's
exam list, are in `access.exams` and `exams.listing`).

Saving an exam writes the exam row, its fixed questions and its random-draw rules in the
caller's one transaction, after checking all of it: a failure leaves nothing behind.

Editing an exam while attempts are running is allowed and safe: an attempt freezes its
questions, their order, options and points, and its deadline when it starts
(`exam_attempt.question_order`, `deadline_at`). An edit applies to attempts started after it;
running attempts finish, and are graded, exactly as they began.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import PublishStatus
from learning_app.models.exams import (
    Exam,
    ExamAttempt,
    ExamDrawRule,
    ExamQuestion,
    ExamType,
    FeedbackPolicy,
    GradePolicy,
)
from learning_app.models.questions import Question, QuestionTag, Tag
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.exams import EXAM_NOT_FOUND, require_exam_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.questions.drafts import parse_number
from learning_app.services.text_input import is_blank, one_line, storable
from learning_app.services.time_zones import viewer_zone
from learning_app.services.values import iso, parse_id

MAX_QUESTIONS = 200
MAX_TIME_LIMIT_MINUTES = 24 * 60
MAX_ATTEMPTS_ALLOWED = 100


@dataclass(frozen=True)
class ExamQuestionDraft:
    question_id: str
    points: float | str | None = None  # None: the question's own points


@dataclass(frozen=True)
class DrawRuleDraft:
    tag: str
    question_count: int | str
    points: float | str | None = None


@dataclass(frozen=True)
class ExamDraft:
    """An exam as the editor submits it. Dates are ISO 8601; without an offset they are read
    in the author's profile time zone (a `datetime-local` input sends them that way)."""

    title: str
    description: str = ""
    type: str = ExamType.QUIZ.value
    time_limit_minutes: int | str | None = None
    max_attempts: int | str | None = None
    opens_at: str | datetime | None = None
    closes_at: str | datetime | None = None
    passing_score: float | str = 60
    shuffle_questions: bool = False
    shuffle_options: bool = False
    feedback_policy: str = FeedbackPolicy.AFTER_SUBMIT.value
    grade_policy: str = GradePolicy.BEST.value  # which attempts make the gradebook's grade
    questions: Sequence[ExamQuestionDraft] = ()
    draws: Sequence[DrawRuleDraft] = ()


@dataclass(frozen=True)
class ExamQuestionLine:
    question_id: str
    prompt_markdown: str
    type: str
    points: float


@dataclass(frozen=True)
class DrawRuleLine:
    tag: str
    question_count: int
    points: float | None


@dataclass(frozen=True)
class ExamView:
    """An exam as its teachers edit it."""

    id: str
    course_id: str
    title: str
    description: str
    type: str
    time_limit_minutes: int | None
    max_attempts: int | None
    opens_at: str
    closes_at: str
    passing_score: float
    shuffle_questions: bool
    shuffle_options: bool
    feedback_policy: str
    status: str
    attempt_count: int
    grade_policy: str = GradePolicy.BEST.value
    questions: list[ExamQuestionLine] = field(default_factory=list)
    draws: list[DrawRuleLine] = field(default_factory=list)


def _int(raw: int | str | None, label: str, field_name: str, low: int, high: int) -> int | None:
    number = parse_number(raw, label, field_name)
    if number is None:
        return None
    if number != int(number) or not low <= number <= high:
        raise InvalidInput(
            f"{label} must be a whole number from {low} to {high}.", field=field_name
        )
    return int(number)


def author_time_zone(session: Session, *, token: str) -> str:
    """The zone `save_exam` reads the viewer's times without an offset in (an IANA name), so
    the exam editor can show stored times the same way."""
    return viewer_zone(session, require_viewer(session, token)).key


def parse_moment(
    raw: str | datetime | None, zone: ZoneInfo, label: str, field_name: str
) -> datetime | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput(f"{label} is not a date and time.", field=field_name) from None
    return raw if raw.tzinfo else raw.replace(tzinfo=zone)


def _apply_settings(exam: Exam, draft: ExamDraft, zone: ZoneInfo) -> None:
    title = one_line((draft.title or "").strip(), "title", "title")
    if is_blank(title):
        raise InvalidInput("Enter a title.", field="title")
    if len(title) > 200:
        raise InvalidInput("Use at most 200 characters for the title.", field="title")
    description = storable((draft.description or "").strip(), "description", "description")
    if len(description) > 5_000:
        raise InvalidInput("Use at most 5,000 characters for the description.", field="description")
    try:
        exam_type, policy = ExamType(draft.type), FeedbackPolicy(draft.feedback_policy)
    except ValueError:
        raise InvalidInput(
            "Choose the exam type and when feedback is shown.", field="type"
        ) from None
    try:
        grade_policy = GradePolicy(draft.grade_policy or GradePolicy.BEST.value)
    except ValueError:
        raise InvalidInput(
            "Choose which attempts make the grade: best, last or their average.",
            field="grade_policy",
        ) from None
    passing = parse_number(draft.passing_score, "The passing score", "passing_score")
    if passing is None or not 0 <= passing <= 100:
        raise InvalidInput("The passing score is a percent from 0 to 100.", field="passing_score")
    opens = parse_moment(draft.opens_at, zone, "The opening time", "opens_at")
    closes = parse_moment(draft.closes_at, zone, "The closing time", "closes_at")
    if opens and closes and closes <= opens:
        raise InvalidInput("The exam must close after it opens.", field="closes_at")
    if policy is FeedbackPolicy.AFTER_CLOSE and closes is None:
        # Otherwise the answers would silently never be shown.
        raise InvalidInput(
            "Set a closing time, or choose another moment to show the answers.",
            field="closes_at",
        )
    exam.title, exam.description, exam.type = title, description, exam_type
    exam.feedback_policy, exam.passing_score = policy, passing
    exam.grade_policy = grade_policy
    exam.opens_at, exam.closes_at = opens, closes
    exam.time_limit_minutes = _int(
        draft.time_limit_minutes, "The time limit", "time_limit_minutes", 1, MAX_TIME_LIMIT_MINUTES
    )
    exam.max_attempts = _int(
        draft.max_attempts, "Attempts allowed", "max_attempts", 1, MAX_ATTEMPTS_ALLOWED
    )
    exam.shuffle_questions = bool(draft.shuffle_questions)
    exam.shuffle_options = bool(draft.shuffle_options)


def _points(raw: float | str | None) -> float | None:
    points = parse_number(raw, "Points", "questions")
    if points is not None and not 0 < points <= 1_000:
        raise InvalidInput("Points must be above 0 and at most 1000.", field="questions")
    return points


def _write_questions(
    session: Session, exam: Exam, drafts: Sequence[ExamQuestionDraft]
) -> list[uuid.UUID]:
    ids = [parse_id(d.question_id, "One of the questions does not exist.") for d in drafts]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A question is in the exam twice.", field="questions")
    usable = set(
        session.exec(
            select(Question.id).where(
                col(Question.id).in_(ids),
                Question.course_id == exam.course_id,
                col(Question.archived_at).is_(None),
            )
        ).all()
    )
    if len(usable) != len(ids):
        raise InvalidInput(
            "One of the questions is not in this course's bank (or is archived).",
            field="questions",
        )
    session.execute(delete(ExamQuestion).where(col(ExamQuestion.exam_id) == exam.id))
    session.add_all(
        ExamQuestion(exam_id=exam.id, question_id=qid, position=i, points=_points(d.points))
        for i, (qid, d) in enumerate(zip(ids, drafts, strict=True))
    )
    return ids


def tagged_question_count(
    session: Session, tag_id: uuid.UUID, *, excluding: Sequence[uuid.UUID] = ()
) -> int:
    """Live (not archived) questions with the tag, leaving out `excluding`."""
    query = (
        select(func.count())
        .select_from(QuestionTag)
        .join(Question, col(Question.id) == col(QuestionTag.question_id))
        .where(QuestionTag.tag_id == tag_id, col(Question.archived_at).is_(None))
    )
    if excluding:
        query = query.where(col(Question.id).not_in(excluding))
    return session.exec(query).one()


def _write_draws(
    session: Session, exam: Exam, drafts: Sequence[DrawRuleDraft], fixed_ids: list[uuid.UUID]
) -> int:
    session.execute(delete(ExamDrawRule).where(col(ExamDrawRule.exam_id) == exam.id))
    names = [" ".join((d.tag or "").split()) for d in drafts]
    if any(not n for n in names):
        raise InvalidInput("Name the tag to draw questions from.", field="draws")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidInput("Draw from each tag once; add up the counts instead.", field="draws")
    existing = {
        name.casefold(): tag_id
        for tag_id, name in session.exec(
            select(Tag.id, Tag.name).where(Tag.course_id == exam.course_id)
        ).all()
    }
    total = 0
    for name, draft in zip(names, drafts, strict=True):
        count = _int(draft.question_count, "The number of questions", "draws", 1, MAX_QUESTIONS)
        if count is None:
            raise InvalidInput(f"Say how many questions to draw from “{name}”.", field="draws")
        tag_id = existing.get(name.casefold())
        available = tagged_question_count(session, tag_id, excluding=fixed_ids) if tag_id else 0
        if tag_id is None or available < count:
            raise InvalidInput(
                f"The bank has {available} question(s) tagged “{name}” besides the exam's fixed "
                f"questions, fewer than {count}.",
                field="draws",
            )
        session.add(
            ExamDrawRule(
                exam_id=exam.id, tag_id=tag_id, question_count=count, points=_points(draft.points)
            )
        )
        total += count
    if len(fixed_ids) + total > MAX_QUESTIONS:
        raise InvalidInput(f"An exam has at most {MAX_QUESTIONS} questions.", field="questions")
    return total


def save_exam(
    session: Session,
    *,
    token: str,
    course_id: str,
    draft: ExamDraft,
    exam_id: str | None = None,
) -> ExamView:
    """Create (no `exam_id`) or replace an exam's settings, questions and draws, all at once."""
    viewer = require_viewer(session, token)
    if exam_id:
        exam = require_exam_editor(session, viewer, exam_id, lock=True)
        if str(exam.course_id) != str(parse_id(course_id)):
            raise NotFound(EXAM_NOT_FOUND)
    else:
        course = require_course_editor(session, viewer, course_id)
        exam = Exam(course_id=course.id, author_id=uuid.UUID(viewer.user_id), title="-")
    _apply_settings(exam, draft, viewer_zone(session, viewer))
    exam.updated_at = utc_now()
    session.add(exam)
    session.flush()
    fixed = _write_questions(session, exam, draft.questions)
    drawn = _write_draws(session, exam, draft.draws, fixed)
    if len(fixed) + drawn == 0:
        raise InvalidInput("Add at least one question or random draw.", field="questions")
    session.flush()
    return exam_view(session, exam)


def _attempt_count(session: Session, exam_id: uuid.UUID) -> int:
    return session.exec(
        select(func.count()).select_from(ExamAttempt).where(ExamAttempt.exam_id == exam_id)
    ).one()


def exam_view(session: Session, exam: Exam) -> ExamView:
    fixed = session.exec(
        select(Question, ExamQuestion.points)
        .join(ExamQuestion, col(ExamQuestion.question_id) == col(Question.id))
        .where(ExamQuestion.exam_id == exam.id)
        .order_by(col(ExamQuestion.position))
    ).all()
    draws = session.exec(
        select(Tag.name, ExamDrawRule.question_count, ExamDrawRule.points)
        .join(ExamDrawRule, col(ExamDrawRule.tag_id) == col(Tag.id))
        .where(ExamDrawRule.exam_id == exam.id)
        .order_by(func.lower(Tag.name))
    ).all()
    return ExamView(
        id=str(exam.id),
        course_id=str(exam.course_id),
        title=exam.title,
        description=exam.description,
        type=ExamType(exam.type).value,
        time_limit_minutes=exam.time_limit_minutes,
        max_attempts=exam.max_attempts,
        opens_at=iso(exam.opens_at),
        closes_at=iso(exam.closes_at),
        passing_score=exam.passing_score,
        shuffle_questions=exam.shuffle_questions,
        shuffle_options=exam.shuffle_options,
        feedback_policy=FeedbackPolicy(exam.feedback_policy).value,
        grade_policy=GradePolicy(exam.grade_policy).value,
        status=PublishStatus(exam.status).value,
        attempt_count=_attempt_count(session, exam.id),
        questions=[
            ExamQuestionLine(
                question_id=str(q.id),
                prompt_markdown=q.prompt_markdown,
                type=q.type.value,
                points=q.points if points is None else points,
            )
            for q, points in fixed
        ],
        draws=[DrawRuleLine(tag=n, question_count=c, points=p) for n, c, p in draws],
    )


def get_exam_for_editing(session: Session, *, token: str, exam_id: str) -> ExamView:
    viewer = require_viewer(session, token)
    return exam_view(session, require_exam_editor(session, viewer, exam_id))


def set_exam_published(session: Session, *, token: str, exam_id: str, published: bool) -> ExamView:
    viewer = require_viewer(session, token)
    exam = require_exam_editor(session, viewer, exam_id, lock=True)
    exam.status = PublishStatus.PUBLISHED if published else PublishStatus.DRAFT
    if published:
        exam.published_at = exam.published_at or utc_now()
    exam.updated_at = utc_now()
    session.add(exam)
    session.flush()
    return exam_view(session, exam)


def delete_exam(session: Session, *, token: str, exam_id: str) -> None:
    """Delete an exam nobody has taken; one with attempts keeps its grades (unpublish it)."""
    viewer = require_viewer(session, token)
    exam = require_exam_editor(session, viewer, exam_id, lock=True)
    if _attempt_count(session, exam.id):
        raise InvalidInput(
            "Students have taken this exam, and their results are kept. Unpublish it instead."
        )
    session.execute(delete(Exam).where(col(Exam.id) == exam.id))
    session.expunge(exam)
