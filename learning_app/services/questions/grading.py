"""Grading exam answers: pure functions, no database and no Reflex.

A `GradingKey` holds what grading needs from one question (built from the `question` and
`question_option` rows with `GradingKey.from_question`). `grade_answer` grades a student's
`attempt_answer.response` against it, `grade_essay` records a teacher's mark, and
`attempt_score` sums an attempt's results into its score, percent and pass/fail.

Student input never raises: a malformed, missing or empty response is simply wrong (0 points,
`is_correct=False`). Configuration errors (an inconsistent key, a teacher's out-of-range mark)
raise `ValueError`.

Response shapes by question type:

- single_choice, true_false: `{"option_id": "<id>"}`
- multiple_choice: `{"option_ids": ["<id>", ...]}`
- short_answer, essay: `{"text": "..."}`
- numeric: `{"value": 3.14}` or `{"value": "3.14"}`

Keys other than the one a type reads are ignored.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from learning_app.models.questions import QuestionType

if TYPE_CHECKING:
    from learning_app.models.questions import Question, QuestionOption

CHOICE_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE}
)
# Slack for float noise when comparing numeric answers: absolute, plus a relative part far
# above float64 rounding (~1e-16) yet far below any difference a teacher would mean.
NUMERIC_EPSILON = 1e-9
NUMERIC_RELATIVE_EPSILON = 1e-14


def _is_number(value: object) -> bool:
    """A real int or float (bool is an int in Python, but not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class GradingKey:
    """What grading needs to know about one question.

    Option ids are compared as exact strings (`str(option.id)` for UUID rows). The constructor
    checks the key is gradable and raises `ValueError` otherwise:

    - `points` is a finite number > 0;
    - choice questions: the correct options are among `option_ids`; single choice and
      true/false have exactly one correct option, multiple choice at least one;
    - short answer: at least one accepted answer that is not blank;
    - numeric: `numeric_answer` is finite; `numeric_tolerance`, if set, is finite and >= 0.
    """

    type: QuestionType
    points: float
    correct_option_ids: frozenset[str] = frozenset()
    option_ids: frozenset[str] = frozenset()
    accepted_answers: tuple[str, ...] = ()
    case_sensitive: bool = False
    numeric_answer: float | None = None
    numeric_tolerance: float | None = None

    def __post_init__(self) -> None:
        qtype = QuestionType(self.type)
        object.__setattr__(self, "type", qtype)
        if not _is_number(self.points) or not math.isfinite(self.points) or self.points <= 0:
            raise ValueError(f"A question's points must be a number above 0, not {self.points!r}.")
        object.__setattr__(self, "points", float(self.points))

        if qtype in CHOICE_TYPES:
            if not self.correct_option_ids <= self.option_ids:
                raise ValueError("The correct options must be among the question's options.")
            correct = len(self.correct_option_ids)
            if qtype is QuestionType.MULTIPLE_CHOICE:
                if correct < 1:
                    raise ValueError(
                        "A multiple-choice question needs at least one correct option."
                    )
            elif correct != 1:
                raise ValueError(
                    f"A {qtype.value} question needs exactly one correct option, not {correct}."
                )
        elif qtype is QuestionType.SHORT_ANSWER:
            if not any(_normalise_text(a, self.case_sensitive) for a in self.accepted_answers):
                raise ValueError("A short-answer question needs at least one accepted answer.")
        elif qtype is QuestionType.NUMERIC:
            answer = self.numeric_answer
            if answer is None or not _is_number(answer) or not math.isfinite(answer):
                raise ValueError("A numeric question needs a finite numeric_answer.")
            tolerance = self.numeric_tolerance
            if tolerance is not None and (
                not _is_number(tolerance) or not math.isfinite(tolerance) or tolerance < 0
            ):
                raise ValueError("numeric_tolerance must be a finite number >= 0 when set.")

    @classmethod
    def from_question(
        cls,
        question: Question,
        options: Iterable[QuestionOption] = (),
        *,
        points: float | None = None,
    ) -> GradingKey:
        """Build the key from a question row and its option rows.

        `points` overrides the question's own points (an exam question's or draw rule's
        points). Options of another question raise `ValueError`; options are ignored for
        question types that have none.
        """
        rows = list(options)
        foreign = [o for o in rows if o.question_id != question.id]
        if foreign:
            raise ValueError("Options given for grading belong to a different question.")
        qtype = QuestionType(question.type)
        is_choice = qtype in CHOICE_TYPES
        return cls(
            type=qtype,
            points=question.points if points is None else points,
            correct_option_ids=frozenset(str(o.id) for o in rows if o.is_correct and is_choice),
            option_ids=frozenset(str(o.id) for o in rows if is_choice),
            accepted_answers=tuple(question.accepted_answers or ()),
            case_sensitive=question.case_sensitive,
            numeric_answer=question.numeric_answer,
            numeric_tolerance=question.numeric_tolerance,
        )


@dataclass(frozen=True)
class GradeResult:
    """The grade of one answer.

    `needs_teacher` is True only for an essay awaiting a teacher's mark; then `points_awarded`
    and `is_correct` are None. Otherwise both are set.
    """

    points_awarded: float | None
    is_correct: bool | None
    needs_teacher: bool = False

    def __post_init__(self) -> None:
        if self.needs_teacher:
            if self.points_awarded is not None or self.is_correct is not None:
                raise ValueError("A result awaiting a teacher has no points or correctness yet.")
        elif self.points_awarded is None or self.is_correct is None:
            raise ValueError("A graded result needs points_awarded and is_correct.")
        elif not math.isfinite(self.points_awarded) or self.points_awarded < 0:
            raise ValueError(f"points_awarded must be >= 0, not {self.points_awarded!r}.")


WRONG = GradeResult(points_awarded=0.0, is_correct=False)
AWAITING_TEACHER = GradeResult(points_awarded=None, is_correct=None, needs_teacher=True)


def _full(key: GradingKey) -> GradeResult:
    return GradeResult(points_awarded=key.points, is_correct=True)


def _normalise_text(text: str, case_sensitive: bool) -> str:
    """NFKC-normalise, trim, collapse runs of whitespace to one space, and casefold unless
    case-sensitive (NFKC again after casefolding, which can denormalise)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if not case_sensitive:
        text = unicodedata.normalize("NFKC", text.casefold())
    return text


def _parse_number(value: object) -> float | None:
    """A finite float from an int, float or string that `float()` accepts after trimming;
    None for anything else (bool, None, lists, "abc", NaN, infinities, overflow)."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _grade_single(key: GradingKey, response: Mapping[str, Any]) -> GradeResult:
    chosen = response.get("option_id")
    if isinstance(chosen, str) and chosen in key.correct_option_ids:
        return _full(key)
    return WRONG


def _grade_multiple(key: GradingKey, response: Mapping[str, Any]) -> GradeResult:
    chosen = response.get("option_ids")
    if not isinstance(chosen, list | tuple) or not chosen:
        return WRONG
    if not all(isinstance(option_id, str) for option_id in chosen):
        return WRONG
    selected = frozenset(chosen)
    right = len(selected & key.correct_option_ids)
    wrong = len(selected - key.correct_option_ids)
    if selected == key.correct_option_ids:
        return _full(key)
    fraction = max(0.0, (right - wrong) / len(key.correct_option_ids))
    return GradeResult(points_awarded=fraction * key.points, is_correct=False)


def _grade_short_answer(key: GradingKey, response: Mapping[str, Any]) -> GradeResult:
    text = response.get("text")
    if not isinstance(text, str):
        return WRONG
    given = _normalise_text(text, key.case_sensitive)
    if not given:
        return WRONG
    for accepted in key.accepted_answers:
        if given == _normalise_text(accepted, key.case_sensitive):
            return _full(key)
    return WRONG


def _grade_numeric(key: GradingKey, response: Mapping[str, Any]) -> GradeResult:
    value = _parse_number(response.get("value"))
    answer = key.numeric_answer
    if value is None or answer is None:
        return WRONG
    tolerance = key.numeric_tolerance or 0.0
    slack = NUMERIC_EPSILON + NUMERIC_RELATIVE_EPSILON * abs(answer)
    if abs(value - answer) <= tolerance + slack:
        return _full(key)
    return WRONG


def _grade_essay(response: Mapping[str, Any]) -> GradeResult:
    text = response.get("text")
    if isinstance(text, str) and text.strip():
        return AWAITING_TEACHER
    return WRONG


def grade_answer(key: GradingKey, response: Mapping[str, Any] | None) -> GradeResult:
    """Grade one response; never raises for what a student sent.

    Rules by type (a response of the wrong shape, a missing key, a value of the wrong JSON
    type, or an empty answer scores 0 points with `is_correct=False`):

    - single_choice / true_false: full points iff `option_id` is the correct option.
    - multiple_choice, partial credit: with C = correct options selected, W = other options
      selected (unknown ids count as wrong; duplicate ids count once) and N = number of correct
      options, points = max(0, (C - W) / N) * points. `is_correct` only when exactly the correct
      set is selected. E.g. correct {a, b, c} at 3 points: {a, b} -> 2, {a, b, d} -> 1,
      {a, d, e} -> 0, {a, b, c, d} -> 2 (not correct), {a, b, c} -> 3 (correct).
    - short_answer: both the response and each accepted answer are NFKC-normalised, trimmed,
      and have internal runs of whitespace collapsed to one space; case is ignored (casefold)
      unless `case_sensitive`. Full points iff it then equals an accepted answer.
    - numeric: `value` is a number or a string that `float()` accepts after trimming (so
      "3.5", " 1e3 " but not "3,5"); NaN and infinities are wrong. Full points iff
      |value - answer| <= tolerance (None means 0) + 1e-9 + 1e-14 * |answer| (float noise).
    - essay: a non-blank `text` awaits a teacher (`needs_teacher=True`, points None). A blank
      or missing essay is not sent to the teacher: it scores 0, `is_correct=False`.
    """
    if not isinstance(response, Mapping):
        return WRONG
    match key.type:
        case QuestionType.SINGLE_CHOICE | QuestionType.TRUE_FALSE:
            return _grade_single(key, response)
        case QuestionType.MULTIPLE_CHOICE:
            return _grade_multiple(key, response)
        case QuestionType.SHORT_ANSWER:
            return _grade_short_answer(key, response)
        case QuestionType.NUMERIC:
            return _grade_numeric(key, response)
        case QuestionType.ESSAY:
            return _grade_essay(response)
    raise ValueError(f"Unknown question type {key.type!r}.")  # pragma: no cover


def grade_essay(key: GradingKey, points_awarded: float) -> GradeResult:
    """A teacher's mark for an essay: 0 <= points_awarded <= key.points, else `ValueError`.

    `is_correct` is True only for full marks (like multiple choice, partial credit is not
    "correct").
    """
    if key.type is not QuestionType.ESSAY:
        raise ValueError(f"Only essays are graded by hand, not {key.type.value} questions.")
    if not _is_number(points_awarded) or not math.isfinite(points_awarded):
        raise ValueError(f"Points must be a number, not {points_awarded!r}.")
    if not 0 <= points_awarded <= key.points:
        raise ValueError(
            f"Points must be between 0 and {key.points:g} for this question, "
            f"not {points_awarded:g}."
        )
    points = float(points_awarded)
    return GradeResult(points_awarded=points, is_correct=points == key.points)


@dataclass(frozen=True)
class AttemptScore:
    """An attempt's total.

    `percent` is score / max_score * 100 rounded to 2 decimals. While any answer awaits a
    teacher, `awaiting_grading` is True, `passed` is None and score/percent are provisional
    (pending answers count 0 so far).
    """

    score: float
    max_score: float
    percent: float
    passed: bool | None
    awaiting_grading: bool


def attempt_score(
    results: Iterable[GradeResult], max_points: float, passing_score: float
) -> AttemptScore:
    """Sum results into an `AttemptScore`.

    `max_points` (> 0) is the sum of the attempt's question points; `passing_score` is a
    percent in [0, 100]. Passed means the rounded percent >= passing_score, so what the
    student sees agrees with the verdict. A score above `max_points` (beyond float noise)
    raises `ValueError`: the inputs do not belong together.
    """
    if not _is_number(max_points) or not math.isfinite(max_points) or max_points <= 0:
        raise ValueError(f"max_points must be a number above 0, not {max_points!r}.")
    if not _is_number(passing_score) or not 0 <= passing_score <= 100:
        raise ValueError(f"passing_score must be a percent from 0 to 100, not {passing_score!r}.")
    results = list(results)
    awaiting = any(r.needs_teacher for r in results)
    score = math.fsum(r.points_awarded for r in results if r.points_awarded is not None)
    if score > max_points * (1 + NUMERIC_EPSILON):
        raise ValueError(f"The score {score:g} exceeds the maximum {max_points:g}.")
    score = min(score, float(max_points))
    percent = round(score / max_points * 100, 2)
    return AttemptScore(
        score=score,
        max_score=float(max_points),
        percent=percent,
        passed=None if awaiting else percent >= passing_score,
        awaiting_grading=awaiting,
    )
