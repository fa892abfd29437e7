"""One GIFT question's text and `{...}` answers as a `QuestionDraft` (the grammar and the
mapping are in `gift.py`'s docstring). What the draft cannot carry is noted in the context, once
per kind; what cannot be imported at all raises `GiftSkip` with the reason."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from learning_app.services.questions.drafts import OptionDraft, QuestionDraft
from learning_app.services.questions.interchange.html_markdown import html_to_markdown

# Escaped characters stand in as code points of Unicode's plane-15 private use area while the
# structure is read, and become themselves again in each piece of text (as in Moodle's reader).
HOLD = {ch: chr(0xF0000 + i) for i, ch in enumerate("\\~=#{}:n")}
_RELEASE = {held: ("\n" if ch == "n" else ch) for ch, held in HOLD.items()}
_FORMATS = frozenset({"moodle", "html", "plain", "markdown"})
_FORMAT_MARK = re.compile(r"^\[(\w+)\]")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}

WEIGHTS_NOTE = (
    "GIFT answer weights (%50%, %-100%) became this app's rule for multiple choice: options "
    "of positive weight are correct, the others wrong, and a student scores "
    "(right - wrong) / correct of the points."
)


class GiftSkip(Exception):
    """This question cannot be imported; the message says why."""


def release(text: str) -> str:
    return "".join(_RELEASE.get(ch, ch) for ch in text)


class ParseContext:
    def __init__(self) -> None:
        self._notes: dict[str, None] = {}

    @property
    def notes(self) -> list[str]:
        return list(self._notes)

    def note(self, message: str) -> None:
        self._notes.setdefault(message)

    def text(self, raw: str, default_format: str) -> tuple[str, str]:
        """A piece of text without its `[format]` mark, as Markdown; and its format."""
        raw = raw.strip()
        text_format = default_format
        mark = _FORMAT_MARK.match(raw)
        if mark and mark.group(1).lower() in _FORMATS:
            text_format = mark.group(1).lower()
            raw = raw[mark.end() :]
        text = release(raw).strip()
        if text_format == "html":
            text, lost = html_to_markdown(text)
            self.note("Text marked [html] was turned into Markdown.")
            for kind in sorted(lost):
                self.note(f"[html] text held {kind}, which could not be carried.")
        return text, text_format


def _weight(raw: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(raw)
    if not match:
        return None, raw
    return float(match.group(1)), raw[match.end() :].strip()


def draft_for(text: str, answers: str, tags: list[str], context: ParseContext) -> QuestionDraft:
    general = ""
    at = answers.rfind("####")
    if at >= 0:
        answers, general = answers[:at], answers[at + 4 :]
    answers = answers.strip()
    prompt, text_format = context.text(text, "moodle")
    explanation, _ = context.text(general, text_format)
    essay = QuestionDraft(type="essay", prompt=prompt, explanation=explanation, tags=tags)
    if not answers:
        return essay
    if answers.startswith("#"):
        answer, tolerance = _numeric(answers[1:], context)
        return replace(essay, type="numeric", numeric_answer=answer, numeric_tolerance=tolerance)
    if "~" in answers:
        single = "=" in answers
        options = _choices(answers, single, text_format, context)
        return replace(
            essay, type="single_choice" if single else "multiple_choice", options=options
        )
    if "=" in answers and "->" in answers:
        raise GiftSkip("Matching questions (=item -> match) have no equivalent here.")
    bits = answers.split("#", 2)
    if bits[0].strip() in _TRUE_FALSE:
        is_true = _TRUE_FALSE[bits[0].strip()]
        wrong, _ = context.text(bits[1] if len(bits) > 1 else "", text_format)
        right, _ = context.text(bits[2] if len(bits) > 2 else "", text_format)
        options = [
            OptionDraft("True", is_true, right if is_true else wrong),
            OptionDraft("False", not is_true, wrong if is_true else right),
        ]
        return replace(essay, type="true_false", options=options)
    return replace(essay, type="short_answer", accepted_answers=_short_answers(answers, context))


def _choices(
    answers: str, single: bool, text_format: str, context: ParseContext
) -> list[OptionDraft]:
    pieces = re.split(r"([~=])", answers)
    lead = pieces[0].strip()
    entries = ([("~", lead)] if lead else []) + list(zip(pieces[1::2], pieces[2::2], strict=True))
    options = []
    for marker, raw in entries:
        weight, raw = (None, raw.strip()) if marker == "=" else _weight(raw.strip())
        body_raw, _, feedback_raw = raw.partition("#")
        body, _ = context.text(body_raw, text_format)
        feedback, _ = context.text(feedback_raw, text_format)
        if single:
            correct = marker == "="
            if not correct and weight is not None and weight > 0:
                context.note(
                    "Partial credit on single-choice options (~%50%) was left out: only the "
                    "option marked = earns points."
                )
        else:
            correct = weight is not None and weight > 0
        options.append(OptionDraft(body, correct, feedback))
    if not single:
        context.note(WEIGHTS_NOTE)
    return options


def _short_answers(answers: str, context: ParseContext) -> list[str]:
    accepted = []
    for piece in answers.split("="):
        if not piece.strip():
            continue
        weight, raw = _weight(piece.strip())
        answer_raw, _, feedback = raw.partition("#")
        if feedback.strip():
            context.note("Feedback on short-answer answers was left out.")
        if weight is None or weight >= 100:
            accepted.append(release(answer_raw).strip())
        else:
            context.note(
                "Short-answer answers worth less than full credit (=%50%...) were left out: "
                "an accepted answer here earns full points."
            )
    return accepted


def _numeric(answers: str, context: ParseContext) -> tuple[float, float | None]:
    wrong_at = answers.find("~")
    if wrong_at >= 0:
        if answers[wrong_at + 1 :].strip(" \t\n#"):
            context.note("Feedback on numeric answers was left out.")
        answers = answers[:wrong_at]
    full: list[tuple[float, float | None]] = []
    pieces = [p.strip() for p in answers.split("=") if p.strip()]
    if not pieces:
        raise GiftSkip("The numeric question gives no answer.")
    for piece in pieces:
        weight, raw = _weight(piece)
        number, _, feedback = raw.partition("#")
        if feedback.strip():
            context.note("Feedback on numeric answers was left out.")
        value = _numeric_answer(release(number).strip())
        if weight is None or weight >= 100:
            full.append(value)
        else:
            context.note(
                "Numeric answers worth less than full credit (=%50%...) were left out: a "
                "numeric question here has one answer and a tolerance."
            )
    if len(full) != 1:
        raise GiftSkip(
            f"It has {len(full)} numeric answers at full credit: a numeric question here has "
            "exactly one answer and a tolerance."
        )
    return full[0]


def _numeric_answer(text: str) -> tuple[float, float | None]:
    """`3.14:0.01` (answer:tolerance), `3.13..3.15` (its middle ± half the width) or `3`."""
    if text.find("..", 1) > 0:
        low, high = (_number(part) for part in text.split("..", 1))
        if low > high:
            raise GiftSkip(f"The range {text} ends below where it starts.")
        return (low + high) / 2, (high - low) / 2
    if text.find(":", 1) > 0:
        answer, tolerance = text.split(":", 1)
        return _number(answer), _number(tolerance)
    return _number(text), None


def _number(text: str) -> float:
    try:
        number = float(text.strip())
    except ValueError:
        raise GiftSkip(f'"{text.strip()}" is not a number.') from None
    if not math.isfinite(number):
        raise GiftSkip(f'"{text.strip()}" is not a finite number.')
    return number
