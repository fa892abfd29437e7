"""A question as a teacher's form submits it, checked before it is stored: text limits, types,
numbers that arrive as text, tags, and gradability (the same `GradingKey` rules that grade it
later), so a broken question never reaches a student."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from learning_app.models.questions import QuestionType
from learning_app.services.errors import InvalidInput
from learning_app.services.questions.grading import CHOICE_TYPES, GradingKey
from learning_app.services.text_input import is_blank, one_line, storable

MAX_PROMPT_LENGTH = 10_000
MAX_OPTION_LENGTH = 1_000
MAX_OPTIONS = 10
MAX_ACCEPTED_ANSWERS = 20
MAX_ANSWER_LENGTH = 200
MAX_TAGS = 10
MAX_TAG_LENGTH = 64
MAX_POINTS = 1_000.0


@dataclass(frozen=True)
class OptionDraft:
    body: str
    is_correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class QuestionDraft:
    """A question as a form submits it; numbers may arrive as text and are parsed here."""

    type: str
    prompt: str
    explanation: str = ""
    points: float | str = 1.0
    options: Sequence[OptionDraft] = ()
    accepted_answers: Sequence[str] = ()
    numeric_answer: float | str | None = None
    numeric_tolerance: float | str | None = None
    case_sensitive: bool = False
    tags: Sequence[str] = ()


def parse_number(raw: float | int | str | None, label: str, field_name: str) -> float | None:
    """A finite float from a form value; None when blank; InvalidInput otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{label} must be a number, like 2 or 0.5.", field=field_name) from None
    if not math.isfinite(number):
        raise InvalidInput(f"{label} must be a finite number.", field=field_name)
    return number


def numeric_answer_text(answer: float, tolerance: float | None) -> str:
    """ "10 (± 0.01)": a numeric question's answer as teachers and results show it."""
    return f"{answer:g} (± {tolerance:g})" if tolerance else f"{answer:g}"


def _text(raw: str, label: str, field_name: str, limit: int, *, required: bool) -> str:
    value = storable((raw or "").strip(), label, field_name)
    if required and is_blank(value):
        raise InvalidInput(f"Enter the {label}.", field=field_name)
    if len(value) > limit:
        raise InvalidInput(f"Use at most {limit:,} characters for the {label}.", field=field_name)
    return value


@dataclass(frozen=True)
class CleanQuestion:
    type: QuestionType
    prompt: str
    explanation: str
    points: float
    options: list[OptionDraft]
    accepted_answers: list[str]
    numeric_answer: float | None
    numeric_tolerance: float | None
    case_sensitive: bool
    tags: list[str]


def clean_tags(raw: Sequence[str]) -> list[str]:
    """Trimmed, de-duplicated ignoring case, first spelling kept; at most 10 of 64 characters."""
    tags: dict[str, str] = {}
    for name in raw:
        tag = one_line(" ".join((name or "").split()), "tag", "tags")
        if is_blank(tag):
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"Keep tags under {MAX_TAG_LENGTH} characters.", field="tags")
        tags.setdefault(tag.casefold(), tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"Use at most {MAX_TAGS} tags.", field="tags")
    return list(tags.values())


def clean_question(draft: QuestionDraft) -> CleanQuestion:
    try:
        qtype = QuestionType(draft.type)
    except ValueError:
        raise InvalidInput("Choose a question type.", field="type") from None
    points = parse_number(draft.points, "Points", "points")
    if points is None or not 0 < points <= MAX_POINTS:
        raise InvalidInput(f"Points must be above 0 and at most {MAX_POINTS:g}.", field="points")
    options: list[OptionDraft] = []
    if qtype in CHOICE_TYPES:
        options = [
            OptionDraft(
                body=_text(o.body, "option text", "options", MAX_OPTION_LENGTH, required=False),
                is_correct=bool(o.is_correct),
                feedback=_text(
                    o.feedback, "option feedback", "options", MAX_OPTION_LENGTH, required=False
                ),
            )
            for o in draft.options
        ]
        options = [o for o in options if o.body]
        if qtype is QuestionType.TRUE_FALSE and len(options) != 2:
            raise InvalidInput("A true/false question has exactly two options.", field="options")
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(f"Give between 2 and {MAX_OPTIONS} options.", field="options")
    accepted: list[str] = []
    if qtype is QuestionType.SHORT_ANSWER:
        accepted = [
            _text(a, "accepted answer", "accepted_answers", MAX_ANSWER_LENGTH, required=False)
            for a in draft.accepted_answers
        ]
        accepted = list(dict.fromkeys(a for a in accepted if a))
        if len(accepted) > MAX_ACCEPTED_ANSWERS:
            raise InvalidInput(
                f"Give at most {MAX_ACCEPTED_ANSWERS} accepted answers.", field="accepted_answers"
            )
    numeric = qtype is QuestionType.NUMERIC
    clean = CleanQuestion(
        type=qtype,
        prompt=_text(draft.prompt, "question", "prompt", MAX_PROMPT_LENGTH, required=True),
        explanation=_text(
            draft.explanation, "explanation", "explanation", MAX_PROMPT_LENGTH, required=False
        ),
        points=points,
        options=options,
        accepted_answers=accepted,
        numeric_answer=parse_number(draft.numeric_answer, "The answer", "numeric_answer")
        if numeric
        else None,
        numeric_tolerance=parse_number(draft.numeric_tolerance, "The tolerance", "tolerance")
        if numeric
        else None,
        case_sensitive=bool(draft.case_sensitive) and qtype is QuestionType.SHORT_ANSWER,
        tags=clean_tags(draft.tags),
    )
    if numeric and clean.numeric_answer is None:
        raise InvalidInput("Enter the correct answer, as a number.", field="numeric_answer")
    _check_gradable(clean)
    return clean


def _check_gradable(clean: CleanQuestion) -> None:
    """The grading rules' own check, phrased for the form."""
    ids = [str(i) for i in range(len(clean.options))]
    try:
        GradingKey(
            type=clean.type,
            points=clean.points,
            option_ids=frozenset(ids),
            correct_option_ids=frozenset(
                i for i, o in zip(ids, clean.options, strict=True) if o.is_correct
            ),
            accepted_answers=tuple(clean.accepted_answers),
            case_sensitive=clean.case_sensitive,
            numeric_answer=clean.numeric_answer,
            numeric_tolerance=clean.numeric_tolerance,
        )
    except ValueError as exc:
        field_name = {
            QuestionType.SHORT_ANSWER: "accepted_answers",
            QuestionType.NUMERIC: "numeric_answer",
        }.get(clean.type, "options")
        raise InvalidInput(str(exc), field=field_name) from None
