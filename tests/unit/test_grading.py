"""Grading rules: every question type, partial credit, normalisation, bad input, totals."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.services.grading import (
    AttemptScore,
    GradeResult,
    GradingKey,
    attempt_score,
    grade_answer,
    grade_essay,
)

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


# --- single choice / true-false -------------------------------------------------------------


def test_single_choice_right_and_wrong() -> None:
    assert grade_answer(single(), {"option_id": "a"}) == full(2.0)
    assert grade_answer(single(), {"option_id": "b"}) == WRONG
    assert grade_answer(single(), {"option_id": "nope"}) == WRONG


def test_true_false_right_and_wrong() -> None:
    assert grade_answer(true_false(), {"option_id": "t"}) == full(1.0)
    assert grade_answer(true_false(), {"option_id": "f"}) == WRONG


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"option_id": None},
        {"option_id": ""},
        {"option_id": 1},
        {"option_id": True},
        {"option_id": ["a"]},
        {"option_ids": ["a"]},
        {"text": "a"},
        None,
        "a",
        ["a"],
    ],
)
@pytest.mark.parametrize("key", [single(), true_false()])
def test_single_choice_malformed_is_wrong(key: GradingKey, response: Any) -> None:
    assert grade_answer(key, response) == WRONG


# --- multiple choice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "points", "correct"),
    [
        (["a", "b", "c"], 3.0, True),  # exactly the correct set
        (["c", "a", "b"], 3.0, True),  # order does not matter
        (["a", "b"], 2.0, False),  # (2 - 0) / 3
        (["a"], 1.0, False),  # (1 - 0) / 3
        (["a", "b", "d"], 1.0, False),  # (2 - 1) / 3
        (["a", "b", "c", "d"], 2.0, False),  # (3 - 1) / 3: a superset is not correct
        (["a", "d"], 0.0, False),  # (1 - 1) / 3
        (["a", "d", "e"], 0.0, False),  # (1 - 2) / 3 clamps to 0
        (["d", "e"], 0.0, False),  # only wrong options
        (["a", "b", "c", "d", "e"], 1.0, False),  # everything: (3 - 2) / 3
        (["a", "a", "a"], 1.0, False),  # duplicates count once
        (["a", "b", "c", "c"], 3.0, True),
        (["a", "b", "zzz"], 1.0, False),  # unknown ids count as wrong selections
        (["a", "b", "c", "zzz"], 2.0, False),
    ],
)
def test_multiple_choice_partial_credit(selected: list[str], points: float, correct: bool) -> None:
    result = grade_answer(multiple(), {"option_ids": selected})
    assert result.points_awarded == pytest.approx(points)
    assert result.is_correct is correct
    assert result.needs_teacher is False


def test_multiple_choice_partial_credit_scales_with_points() -> None:
    result = grade_answer(multiple(points=1.5), {"option_ids": ["a", "b"]})
    assert result.points_awarded == pytest.approx(1.0)
    two_of_two = GradingKey(
        type=T.MULTIPLE_CHOICE,
        points=2,
        correct_option_ids=frozenset({"a", "b"}),
        option_ids=frozenset({"a", "b", "c"}),
    )
    assert grade_answer(two_of_two, {"option_ids": ["a"]}).points_awarded == 1.0
    assert grade_answer(two_of_two, {"option_ids": ["a", "c"]}).points_awarded == 0.0
    assert grade_answer(two_of_two, {"option_ids": ["b", "a"]}) == full(2.0)


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"option_ids": []},
        {"option_ids": None},
        {"option_ids": "a"},  # a string is not a list of ids
        {"option_ids": "abc"},
        {"option_ids": {"a": True}},
        {"option_ids": ["a", 2]},
        {"option_ids": ["a", None]},
        {"option_ids": [["a"]]},
        {"option_id": "a"},
        None,
        [],
    ],
)
def test_multiple_choice_malformed_is_wrong(response: Any) -> None:
    assert grade_answer(multiple(), response) == WRONG


# --- short answer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Paris",
        "paris",
        "PARIS",
        "  Paris \n",
        "\tparis\u00a0",  # no-break space is whitespace too
        "\uff30\uff41\uff52\uff49\uff53",  # fullwidth letters, NFKC -> "Paris"
    ],
)
def test_short_answer_ignores_case_whitespace_and_width(text: str) -> None:
    assert grade_answer(short("Paris"), {"text": text}) == full(1.0)


def test_short_answer_collapses_internal_whitespace_on_both_sides() -> None:
    key = short("New  York ")
    assert grade_answer(key, {"text": "new york"}) == full(1.0)
    assert grade_answer(key, {"text": "New \t\n York"}) == full(1.0)
    assert grade_answer(key, {"text": "NewYork"}) == WRONG


def test_short_answer_nfkc_on_accepted_answers_and_composed_forms() -> None:
    # The accepted answer uses a ligature and a decomposed e-acute; the student neither.
    key = short("\ufb01ance\u0301")  # "ﬁancé" with U+FB01 and a combining accent
    assert grade_answer(key, {"text": "fiancé"}) == full(1.0)
    assert grade_answer(key, {"text": "FIANCÉ"}) == full(1.0)
    assert grade_answer(key, {"text": "fiance"}) == WRONG


def test_short_answer_casefolds_beyond_lower() -> None:
    assert grade_answer(short("Straße"), {"text": "STRASSE"}) == full(1.0)


def test_short_answer_case_sensitive() -> None:
    key = short("pH", case_sensitive=True)
    assert grade_answer(key, {"text": " pH "}) == full(1.0)
    assert grade_answer(key, {"text": "PH"}) == WRONG
    assert grade_answer(key, {"text": "ph"}) == WRONG
    # Still NFKC-normalised and whitespace-collapsed.
    assert grade_answer(key, {"text": "\uff50H"}) == full(1.0)


def test_short_answer_any_accepted_answer() -> None:
    key = short("colour", "color")
    assert grade_answer(key, {"text": "Color"}) == full(1.0)
    assert grade_answer(key, {"text": "colour"}) == full(1.0)
    assert grade_answer(key, {"text": "colr"}) == WRONG


def test_short_answer_blank_accepted_answers_never_match() -> None:
    key = short("", "   ", "yes")
    assert grade_answer(key, {"text": ""}) == WRONG
    assert grade_answer(key, {"text": "  "}) == WRONG
    assert grade_answer(key, {"text": "yes"}) == full(1.0)


@pytest.mark.parametrize(
    "response",
    [{}, {"text": None}, {"text": ""}, {"text": " \n\t"}, {"text": 42}, {"text": ["Paris"]}, None],
)
def test_short_answer_malformed_is_wrong(response: Any) -> None:
    assert grade_answer(short("Paris"), response) == WRONG


# --- numeric --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10, True),
        (10.0, True),
        (10.5, True),  # exactly on the upper edge
        (9.5, True),  # exactly on the lower edge
        (10.500001, False),
        (9.499999, False),
        (11, False),
        ("10.25", True),
        ("  9.75\n", True),
        ("1e1", True),
        ("+10", True),
        ("10_0", False),  # float() accepts underscores: 100 is simply wrong
        ("3,5", False),
    ],
)
def test_numeric_tolerance_edges(value: Any, expected: bool) -> None:
    result = grade_answer(numeric(), {"value": value})
    assert result == (full(4.0) if expected else WRONG)


def test_numeric_without_tolerance_is_exact_up_to_float_noise() -> None:
    key = numeric(answer=0.3, tolerance=None)
    assert grade_answer(key, {"value": 0.1 + 0.2}) == full(4.0)  # 0.30000000000000004
    assert grade_answer(key, {"value": "0.3"}) == full(4.0)
    assert grade_answer(key, {"value": 0.3001}) == WRONG
    assert grade_answer(numeric(answer=0.3, tolerance=0.0), {"value": 0.31}) == WRONG


def test_numeric_float_noise_scales_with_large_answers() -> None:
    key = numeric(answer=1e12, tolerance=None)
    assert grade_answer(key, {"value": 1e12 + 0.0001}) == full(4.0)
    assert grade_answer(key, {"value": "1000000000000.001"}) == full(4.0)
    assert grade_answer(key, {"value": 1e12 + 0.5}) == WRONG
    assert grade_answer(key, {"value": 1e12 + 10}) == WRONG


def test_numeric_tolerance_edge_with_inexact_floats() -> None:
    # 0.1 and 0.2 are not exact binary floats; the edge must still count.
    key = numeric(answer=0.2, tolerance=0.1)
    assert grade_answer(key, {"value": 0.3}) == full(4.0)
    assert grade_answer(key, {"value": 0.1}) == full(4.0)
    assert grade_answer(key, {"value": 0.30001}) == WRONG


def test_numeric_negative_answers() -> None:
    key = numeric(answer=-2.5, tolerance=0.1)
    assert grade_answer(key, {"value": "-2.45"}) == full(4.0)
    assert grade_answer(key, {"value": 2.5}) == WRONG


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "",
        "   ",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        math.nan,
        math.inf,
        -math.inf,
        None,
        [10],
        {"v": 10},
        True,  # a bool is not a number
        False,
        10**400,  # too large for a float
        "1e400",  # parses to inf
        "10 10",
    ],
)
def test_numeric_bad_values_are_wrong(value: Any) -> None:
    assert grade_answer(numeric(answer=1.0, tolerance=1e308), {"value": value}) == WRONG
    assert grade_answer(numeric(), {"value": value}) == WRONG


@pytest.mark.parametrize("response", [{}, {"text": "10"}, None, "10", 10])
def test_numeric_malformed_is_wrong(response: Any) -> None:
    assert grade_answer(numeric(), response) == WRONG


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
