"""What a student's answer may be before it is stored: its shape by question type, among the
options the attempt showed, a real number for numeric questions, and text within limits.
Grading later reads exactly these shapes (see `questions.grading`). And the right answer as a
student reads it, for results and reviews."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.services.errors import InvalidInput
from learning_app.services.questions.drafts import numeric_answer_text
from learning_app.services.text_input import storable

MAX_SHORT_ANSWER = 500
MAX_ESSAY = 20_000


def clean_response(
    qtype: QuestionType, entry: Mapping[str, Any], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """The response to store, or InvalidInput naming what is wrong with it."""
    field_name = str(entry["question_id"])
    shown = set(entry["option_ids"])
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE):
        option_id = raw.get("option_id")
        if not isinstance(option_id, str) or option_id not in shown:
            raise InvalidInput("Choose one of the options.", field=field_name)
        return {"option_id": option_id}
    if qtype is QuestionType.MULTIPLE_CHOICE:
        chosen = raw.get("option_ids")
        if not isinstance(chosen, list) or not all(
            isinstance(o, str) and o in shown for o in chosen
        ):
            raise InvalidInput("Choose among the options shown.", field=field_name)
        return {"option_ids": list(dict.fromkeys(chosen))}
    if qtype is QuestionType.NUMERIC:
        value = raw.get("value")
        text = value.strip() if isinstance(value, str) else value
        try:
            number = float(text)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidInput(
                "Enter a number, like 42 or 3.14 (use a dot for decimals).", field=field_name
            )
        return {"value": number}
    limit = MAX_ESSAY if qtype is QuestionType.ESSAY else MAX_SHORT_ANSWER
    text = raw.get("text")
    if not isinstance(text, str):
        raise InvalidInput("Type your answer.", field=field_name)
    storable(text, "answer", field_name)
    if len(text) > limit:
        raise InvalidInput(f"Keep the answer under {limit:,} characters.", field=field_name)
    return {"text": text}


def correct_answer_text(question: Question, options: list[QuestionOption]) -> str:
    """The right answer as a student reads it ("" for an essay)."""
    match question.type:
        case QuestionType.SHORT_ANSWER:
            return " / ".join(question.accepted_answers or [])
        case QuestionType.NUMERIC:
            return numeric_answer_text(question.numeric_answer or 0.0, question.numeric_tolerance)
        case QuestionType.ESSAY:
            return ""
    return ", ".join(o.body for o in options if o.is_correct)
