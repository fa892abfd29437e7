"""Question bank views as GIFT text that `parse_gift` (and Moodle) read back; what GIFT can
and cannot carry is listed in `gift.py`'s docstring."""

from __future__ import annotations

import re
from collections.abc import Sequence

from learning_app.services.questions.bank import OptionView, QuestionView

_FORMAT_MARK = re.compile(r"^\s*\[(moodle|html|plain|markdown)\]", re.IGNORECASE)
_WEIGHT_LIKE = re.compile(r"^\s*%-?\d+(\.\d*)?%")  # as gift_answers reads weights


def export_gift(questions: Sequence[QuestionView], *, category: str = "") -> str:
    """The questions as GIFT text that `parse_gift` (and Moodle) read back: prompt,
    explanation, options with correctness and feedback, accepted answers, the numeric answer
    and tolerance, tags (as `// [tag:...]`). Not points or `case_sensitive`: GIFT has neither.
    `category`, when given, heads the file as `$CATEGORY:` (a tag on re-import)."""
    out = ["// Question bank in GIFT format. GIFT carries no points: set them after import.", ""]
    if category.strip():
        name = " ".join(category.split()).replace("/", "//")
        out += [f"$CATEGORY: {name}", ""]
    for question in questions:
        out += [_question_text(question), ""]
    return "\n".join(out)


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _part(text: str) -> str:
    """One piece of text; marked Markdown again when it starts like a format mark."""
    return ("[markdown]" if _FORMAT_MARK.match(text) else "") + _escape(text)


def _weighted(marker: str, weight: str, body: str) -> str:
    if not weight and _WEIGHT_LIKE.match(body):  # a body like "%50%..." would read as a weight
        weight = "%0%" if marker == "~" else "%100%"
    return f"{marker}{weight}{_part(body)}"


def _with_feedback(answer: str, feedback: str) -> str:
    return answer + (f"#{_part(feedback)}" if feedback.strip() else "")


def _number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _question_text(q: QuestionView) -> str:
    lines: list[str] = []
    if q.tags:
        lines.append("// " + " ".join("[tag:" + t.replace("]", "\\]") + "]" for t in q.tags))
    prompt = "[markdown]" + _escape(q.prompt_markdown)
    general = f"####{_part(q.explanation_markdown)}" if q.explanation_markdown.strip() else ""
    if q.type in ("single_choice", "multiple_choice"):
        answers = _choice_lines(q.type, q.options)
        lines += [prompt + "{", *answers, *([f"\t{general}"] if general else []), "}"]
    elif q.type == "true_false":
        lines.append(prompt + "{" + _true_false(q.options) + general + "}")
    elif q.type == "short_answer":
        answers = [f"\t{_weighted('=', '', a)}" for a in q.accepted_answers]
        lines += [prompt + "{", *answers, *([f"\t{general}"] if general else []), "}"]
    elif q.type == "numeric":
        answer = _number(q.numeric_answer or 0.0)
        if q.numeric_tolerance is not None:
            answer += ":" + _number(q.numeric_tolerance)
        lines.append(prompt + "{#" + answer + general + "}")
    elif q.type == "essay":
        lines.append(prompt + "{" + general + "}")
    else:
        raise ValueError(f"Unknown question type {q.type!r}.")
    return "\n".join(lines)


def _choice_lines(qtype: str, options: Sequence[OptionView]) -> list[str]:
    rows = []
    correct = sum(1 for o in options if o.is_correct)
    share = f"{100 / max(correct, 1):.5f}".rstrip("0").rstrip(".")
    for o in options:
        if qtype == "single_choice":
            answer = _weighted("=" if o.is_correct else "~", "", o.body)
        else:
            answer = _weighted("~", f"%{share}%" if o.is_correct else f"%-{share}%", o.body)
        rows.append("\t" + _with_feedback(answer, o.feedback))
    return rows


def _true_false(options: Sequence[OptionView]) -> str:
    """`TRUE#feedback when wrong#feedback when right`, Moodle's order."""
    right = next((o for o in options if o.is_correct), None)
    wrong = next((o for o in options if o is not right), None)
    true = next((o for o in options if o.body.strip().casefold() == "true"), options[0])
    key = "TRUE" if right is true else "FALSE"
    right_fb = right.feedback.strip() if right is not None else ""
    wrong_fb = wrong.feedback.strip() if wrong is not None else ""
    if right_fb:
        return f"{key}#{_part(wrong_fb)}#{_part(right_fb)}"
    return f"{key}#{_part(wrong_fb)}" if wrong_fb else key
