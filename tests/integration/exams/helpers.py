"""Question banks, exams and attempts made through the real services, for the exam tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import func, update
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.models.exams import ExamAttempt
from learning_app.services.attempts import taking
from learning_app.services.exams import authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft

T = TypeVar("T")


def run(func: Callable[..., T], **kwargs: Any) -> T:
    with session_scope() as session:
        return func(session, **kwargs)


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def bank(
    teacher: str, course_id: str, *, tag: str = "basics"
) -> dict[str, question_bank.QuestionView]:
    """One question of every type, all tagged `tag`."""
    drafts = {
        "single": QuestionDraft(
            type="single_choice",
            prompt="Which type does `3.5` have?",
            explanation="A decimal point makes a float.",
            options=[
                OptionDraft("int", feedback="`3` is an int; the point makes `3.5` a float."),
                OptionDraft("float", True),
                OptionDraft("str"),
            ],
        ),
        "multiple": QuestionDraft(
            type="multiple_choice",
            prompt="Which are loops?",
            points=2,
            options=[
                OptionDraft("for", True),
                OptionDraft("while", True),
                OptionDraft("if", feedback="It branches once; it does not repeat."),
            ],
        ),
        "true_false": QuestionDraft(
            type="true_false",
            prompt="Functions without return give None.",
            options=[OptionDraft("True", True), OptionDraft("False")],
        ),
        "short": QuestionDraft(
            type="short_answer", prompt="Built-in for types?", accepted_answers=["type"]
        ),
        "numeric": QuestionDraft(
            type="numeric", prompt="2.5 * 4?", numeric_answer="10", numeric_tolerance="0.01"
        ),
        "essay": QuestionDraft(type="essay", prompt="Why test?", points=3),
    }
    return {
        name: run(
            question_bank.create_question,
            token=teacher,
            course_id=course_id,
            draft=QuestionDraft(**{**draft.__dict__, "tags": [tag]}),
        )
        for name, draft in drafts.items()
    }


def true_false_question(teacher: str, course_id: str) -> str:
    """One true/false question (True is right); returns its id."""
    draft = QuestionDraft(
        type="true_false",
        prompt="The moon moves the tides.",
        options=[OptionDraft("True", True), OptionDraft("False")],
    )
    return run(question_bank.create_question, token=teacher, course_id=course_id, draft=draft).id


def exam_of(
    teacher: str,
    course_id: str,
    question_ids: list[str],
    *,
    publish_it: bool = True,
    **settings: Any,
) -> str:
    draft = ExamDraft(
        title=settings.pop("title", "Quiz"),
        questions=[ExamQuestionDraft(q) for q in question_ids],
        **settings,
    )
    exam_id = run(authoring.save_exam, token=teacher, course_id=course_id, draft=draft).id
    if publish_it:
        run(authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    return exam_id


def answers_for(view: taking.AttemptView, qs: dict[str, question_bank.QuestionView]) -> dict:
    """All-correct responses (essay text included) keyed by question id."""
    by_id = {q.id: q for q in qs.values()}
    out: dict[str, dict[str, Any]] = {}
    for line in view.questions:
        q = by_id[line.question_id]
        correct = [o.id for o in q.options if o.is_correct]
        out[line.question_id] = {
            "single_choice": {"option_id": correct[0] if correct else ""},
            "true_false": {"option_id": correct[0] if correct else ""},
            "multiple_choice": {"option_ids": correct},
            "short_answer": {"text": "  TYPE "},
            "numeric": {"value": "10.005"},
            "essay": {"text": "Tests catch regressions."},
        }[q.type]
    return out


def save(token: str, attempt_id: str, question_id: str, response: dict) -> None:
    run(
        taking.save_answer,
        token=token,
        attempt_id=attempt_id,
        question_id=question_id,
        response=response,
    )


def expire(attempt_id: str) -> None:
    """Move the attempt's deadline into the past, as if its time limit ran out."""
    with session_scope() as session:
        session.execute(
            update(ExamAttempt)
            .where(col(ExamAttempt.id) == attempt_id)
            .values(deadline_at=utc_now() - timedelta(seconds=5))
        )
