"""Grading rules per question type: choices, partial credit, short answers, numbers."""

from __future__ import annotations

import math
from typing import Any

import pytest

from learning_app.services.questions.grading import GradingKey, grade_answer
from tests.unit.grading_keys import (
    WRONG,
    T,
    full,
    multiple,
    numeric,
    short,
    single,
    true_false,
)

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
