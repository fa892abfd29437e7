"""Grading essays, building keys from question rows, and an attempt's total score."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from learning_app.models.questions import Question, QuestionOption
from learning_app.services.questions.grading import (
    AttemptScore,
    GradeResult,
    GradingKey,
    attempt_score,
    grade_answer,
    grade_essay,
)
from tests.unit.grading_keys import (
    PENDING,
    WRONG,
    T,
    essay,
    full,
    multiple,
    short,
)

# --- essay ----------------------------------------------------------------------------------


def test_essay_awaits_a_teacher_then_gets_a_mark() -> None:
    key = essay(points=5)
    pending = grade_answer(key, {"text": "My essay about photosynthesis."})
    assert pending == PENDING
    assert pending.points_awarded is None
    assert pending.is_correct is None
    assert pending.needs_teacher is True

    assert grade_essay(key, 3.5) == GradeResult(points_awarded=3.5, is_correct=False)
    assert grade_essay(key, 5) == GradeResult(points_awarded=5.0, is_correct=True)
    assert grade_essay(key, 0) == GradeResult(points_awarded=0.0, is_correct=False)
    assert isinstance(grade_essay(key, 5).points_awarded, float)


@pytest.mark.parametrize(
    "response", [{}, {"text": ""}, {"text": "  \n "}, {"text": None}, {"text": 7}, None, "essay"]
)
def test_blank_or_malformed_essay_scores_zero_without_a_teacher(response: Any) -> None:
    assert grade_answer(essay(), response) == WRONG


@pytest.mark.parametrize("points", [-0.1, 5.01, 100, math.nan, math.inf, None, "3", True])
def test_grade_essay_rejects_out_of_range_points(points: Any) -> None:
    with pytest.raises(ValueError, match="Points must be"):
        grade_essay(essay(points=5), points)


def test_grade_essay_only_for_essays() -> None:
    with pytest.raises(ValueError, match="Only essays"):
        grade_essay(short("x"), 1)


# --- keys -----------------------------------------------------------------------------------


def test_key_from_question_rows() -> None:
    question = Question(
        id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        type=T.MULTIPLE_CHOICE,
        prompt_markdown="Pick the primes",
        points=3,
    )
    rows = [
        QuestionOption(id=uuid.uuid4(), question_id=question.id, body=b, is_correct=c, position=i)
        for i, (b, c) in enumerate([("2", True), ("3", True), ("4", False), ("5", True)])
    ]
    key = GradingKey.from_question(question, rows)
    assert key.type is T.MULTIPLE_CHOICE
    assert key.points == 3.0
    assert key.option_ids == frozenset(str(r.id) for r in rows)
    assert key.correct_option_ids == frozenset(str(r.id) for r in rows if r.is_correct)
    two, three, four, _five = (str(r.id) for r in rows)
    assert grade_answer(key, {"option_ids": [two, three, four]}).points_awarded == (
        pytest.approx(1.0)
    )
    # An exam can override the question's points.
    assert GradingKey.from_question(question, rows, points=6).points == 6.0


def test_key_from_short_answer_and_numeric_rows() -> None:
    course = uuid.uuid4()
    sa_question = Question(
        course_id=course,
        type=T.SHORT_ANSWER,
        prompt_markdown="Capital of France?",
        accepted_answers=["Paris"],
        case_sensitive=True,
    )
    key = GradingKey.from_question(sa_question)
    assert key.accepted_answers == ("Paris",)
    assert key.case_sensitive is True
    assert key.option_ids == frozenset()
    assert grade_answer(key, {"text": "paris"}) == WRONG

    num_question = Question(
        course_id=course,
        type=T.NUMERIC,
        prompt_markdown="g?",
        points=2,
        numeric_answer=9.81,
        numeric_tolerance=0.01,
    )
    key = GradingKey.from_question(num_question)
    assert grade_answer(key, {"value": "9.8"}) == full(2.0)
    essay_key = GradingKey.from_question(
        Question(course_id=course, type=T.ESSAY, prompt_markdown="Discuss.")
    )
    assert essay_key.points == 1.0


def test_key_from_question_rejects_foreign_options() -> None:
    question = Question(
        id=uuid.uuid4(), course_id=uuid.uuid4(), type=T.SINGLE_CHOICE, prompt_markdown="?"
    )
    other = QuestionOption(question_id=uuid.uuid4(), body="x", is_correct=True, position=0)
    with pytest.raises(ValueError, match="different question"):
        GradingKey.from_question(question, [other])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": T.ESSAY, "points": 0}, "above 0"),
        ({"type": T.ESSAY, "points": -1}, "above 0"),
        ({"type": T.ESSAY, "points": math.nan}, "above 0"),
        ({"type": T.ESSAY, "points": math.inf}, "above 0"),
        (
            {
                "type": T.SINGLE_CHOICE,
                "points": 1,
                "correct_option_ids": frozenset({"a", "b"}),
                "option_ids": frozenset({"a", "b"}),
            },
            "exactly one",
        ),
        (
            {"type": T.TRUE_FALSE, "points": 1, "option_ids": frozenset({"t", "f"})},
            "exactly one",
        ),
        (
            {"type": T.MULTIPLE_CHOICE, "points": 1, "option_ids": frozenset({"a"})},
            "at least one",
        ),
        (
            {
                "type": T.SINGLE_CHOICE,
                "points": 1,
                "correct_option_ids": frozenset({"x"}),
                "option_ids": frozenset({"a"}),
            },
            "among",
        ),
        ({"type": T.SHORT_ANSWER, "points": 1}, "accepted answer"),
        ({"type": T.SHORT_ANSWER, "points": 1, "accepted_answers": (" ",)}, "accepted answer"),
        ({"type": T.NUMERIC, "points": 1}, "numeric_answer"),
        ({"type": T.NUMERIC, "points": 1, "numeric_answer": math.nan}, "numeric_answer"),
        (
            {"type": T.NUMERIC, "points": 1, "numeric_answer": 1, "numeric_tolerance": -0.1},
            "numeric_tolerance",
        ),
    ],
)
def test_ungradable_keys_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GradingKey(**kwargs)


def test_grade_result_invariants() -> None:
    with pytest.raises(ValueError):
        GradeResult(points_awarded=1.0, is_correct=None, needs_teacher=True)
    with pytest.raises(ValueError):
        GradeResult(points_awarded=None, is_correct=False)
    with pytest.raises(ValueError):
        GradeResult(points_awarded=-1.0, is_correct=False)


# --- attempt score --------------------------------------------------------------------------


def test_attempt_score_all_auto_graded() -> None:
    results = [full(2.0), WRONG, GradeResult(points_awarded=1.0, is_correct=False), full(4.0)]
    assert attempt_score(results, max_points=10, passing_score=60) == AttemptScore(
        score=7.0, max_score=10.0, percent=70.0, passed=True, awaiting_grading=False
    )
    failed = attempt_score([full(2.0), WRONG], max_points=10, passing_score=60)
    assert failed.passed is False
    assert failed.percent == 20.0


def test_attempt_score_with_pending_essay() -> None:
    results = [full(2.0), PENDING]
    score = attempt_score(results, max_points=7, passing_score=50)
    assert score.awaiting_grading is True
    assert score.passed is None
    assert score.score == 2.0  # provisional: the essay counts 0 until marked
    assert score.percent == 28.57

    graded = [full(2.0), grade_essay(essay(points=5), 4)]
    final = attempt_score(graded, max_points=7, passing_score=50)
    assert final == AttemptScore(
        score=6.0, max_score=7.0, percent=85.71, passed=True, awaiting_grading=False
    )


def test_attempt_score_percent_rounding_and_pass_boundary() -> None:
    thirds = [grade_answer(multiple(points=1), {"option_ids": ["a"]})] * 2  # 1/3 each
    score = attempt_score(thirds, max_points=3, passing_score=22.22)
    assert score.percent == 22.22  # 0.6667 / 3 = 22.222...%
    assert score.passed is True  # the rounded percent the student sees decides
    assert attempt_score([full(2.0)], max_points=3, passing_score=66.67).percent == 66.67
    assert attempt_score([full(2.0)], max_points=3, passing_score=66.67).passed is True
    assert attempt_score([full(2.0)], max_points=3, passing_score=66.68).passed is False
    exact = attempt_score([full(6.0)], max_points=10, passing_score=60)
    assert exact.passed is True


def test_attempt_score_thirds_add_up_to_full_marks() -> None:
    third = GradeResult(points_awarded=1 / 3, is_correct=False)
    score = attempt_score([third, third, third], max_points=1, passing_score=100)
    assert score.percent == 100.0
    assert score.passed is True
    assert score.score <= score.max_score


def test_attempt_score_edges() -> None:
    empty = attempt_score([], max_points=5, passing_score=0)
    assert empty == AttemptScore(
        score=0.0, max_score=5.0, percent=0.0, passed=True, awaiting_grading=False
    )
    with pytest.raises(ValueError, match="max_points"):
        attempt_score([], max_points=0, passing_score=50)
    with pytest.raises(ValueError, match="passing_score"):
        attempt_score([], max_points=5, passing_score=101)
    with pytest.raises(ValueError, match="exceeds"):
        attempt_score([full(6.0)], max_points=5, passing_score=50)
