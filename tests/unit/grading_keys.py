"""Grading keys of every question type, and the results tests compare against."""

from __future__ import annotations

from learning_app.models.questions import QuestionType
from learning_app.services.questions.grading import GradeResult, GradingKey

T = QuestionType
WRONG = GradeResult(points_awarded=0.0, is_correct=False)
PENDING = GradeResult(points_awarded=None, is_correct=None, needs_teacher=True)


def single(points: float = 2.0) -> GradingKey:
    return GradingKey(
        type=T.SINGLE_CHOICE,
        points=points,
        correct_option_ids=frozenset({"a"}),
        option_ids=frozenset({"a", "b", "c"}),
    )


def true_false() -> GradingKey:
    return GradingKey(
        type=T.TRUE_FALSE,
        points=1,
        correct_option_ids=frozenset({"t"}),
        option_ids=frozenset({"t", "f"}),
    )


def multiple(points: float = 3.0) -> GradingKey:
    return GradingKey(
        type=T.MULTIPLE_CHOICE,
        points=points,
        correct_option_ids=frozenset({"a", "b", "c"}),
        option_ids=frozenset({"a", "b", "c", "d", "e"}),
    )


def short(*answers: str, case_sensitive: bool = False) -> GradingKey:
    return GradingKey(
        type=T.SHORT_ANSWER, points=1, accepted_answers=answers, case_sensitive=case_sensitive
    )


def numeric(answer: float = 10.0, tolerance: float | None = 0.5) -> GradingKey:
    return GradingKey(type=T.NUMERIC, points=4, numeric_answer=answer, numeric_tolerance=tolerance)


def essay(points: float = 5.0) -> GradingKey:
    return GradingKey(type=T.ESSAY, points=points)


def full(points: float) -> GradeResult:
    return GradeResult(points_awarded=points, is_correct=True)
