"""An attempt as its student sees it: its questions in the attempt's frozen order, their
options, what has been saved so far, and the time left on the server's clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from learning_app.models.exams import AttemptAnswer, AttemptStatus, Exam, ExamAttempt
from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.services.values import iso


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


def seconds_left(attempt: ExamAttempt, now: datetime) -> int | None:
    return seconds_until(attempt.deadline_at, now)


def seconds_until(deadline: datetime | None, now: datetime) -> int | None:
    """Whole seconds left before a deadline (never below 0); None without one."""
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds()))


# What the attempt page shows of its questions, options and saved answers, in one statement
# built once (the page opens after every start and on every return; three statements cost
# three round trips): a row per question (its type and prompt), per option (its body) and per
# saved answer (its response), told apart by `kind`.
_IN_QUESTIONS = bindparam("question_ids", expanding=True)
_NO_TEXT = sa.null().cast(sa.Text)
_NO_RESPONSE = sa.null().cast(JSONB)
_ATTEMPT_PAGE = sa.union_all(
    select(  # type: ignore[call-overload]
        sa.literal("question").label("kind"),
        col(Question.id).label("id"),
        sa.cast(Question.type, sa.Text).label("type"),
        col(Question.prompt_markdown).label("body"),
        _NO_RESPONSE.label("response"),
    ).where(col(Question.id).in_(_IN_QUESTIONS)),
    select(  # type: ignore[call-overload]
        sa.literal("option"), QuestionOption.id, _NO_TEXT, QuestionOption.body, _NO_RESPONSE
    ).where(col(QuestionOption.question_id).in_(_IN_QUESTIONS)),
    select(  # type: ignore[call-overload]
        sa.literal("answer"), AttemptAnswer.question_id, _NO_TEXT, _NO_TEXT, AttemptAnswer.response
    ).where(AttemptAnswer.attempt_id == bindparam("attempt_id")),
)


def attempt_view(
    session: Session, attempt: ExamAttempt, exam: Exam, now: datetime, *, fresh: bool = False
) -> AttemptView:
    """The attempt as its student sees it; `fresh` (just started) has no answers to look for."""
    params = {
        "question_ids": [uuid.UUID(e["question_id"]) for e in attempt.question_order],
        "attempt_id": None if fresh else attempt.id,  # NULL matches no answer
    }
    questions: dict[uuid.UUID, tuple[str, str]] = {}
    bodies: dict[uuid.UUID, str] = {}
    saved: dict[str, dict[str, Any]] = {}
    for kind, row_id, type_, body, response in session.execute(_ATTEMPT_PAGE, params):
        if kind == "question":
            questions[row_id] = (type_, body)
        elif kind == "option":
            bodies[row_id] = body
        else:
            saved[str(row_id)] = response
    lines = []
    for number, entry in enumerate(attempt.question_order, start=1):
        question_type, prompt = questions[uuid.UUID(entry["question_id"])]
        answer = saved.get(entry["question_id"])
        response = answer or {}
        selected = response.get("option_ids") or (
            [response["option_id"]] if response.get("option_id") else []
        )
        value = response.get("value")
        lines.append(
            AttemptQuestion(
                question_id=entry["question_id"],
                number=number,
                type=QuestionType(question_type).value,
                prompt_markdown=prompt,
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
