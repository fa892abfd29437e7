"""One Moodle XML `<question>` read into a `QuestionDraft`, and what it lost on the way.

`moodle_xml` holds the file-level reading (safety, categories, item numbers) and the mapping
table in its docstring; this module reads one question's elements, remembering per kind of
lost content which items lost it, so the import report names them.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from lxml import etree

from learning_app.models.questions import QuestionType
from learning_app.services.questions.drafts import MAX_TAG_LENGTH, OptionDraft, QuestionDraft
from learning_app.services.questions.interchange.html_markdown import (
    html_to_markdown,
    looks_like_html,
)

UNSUPPORTED = {
    "cloze": "Moodle's cloze (multianswer) questions",
    "multianswer": "Moodle's cloze (multianswer) questions",
    "matching": "Moodle's matching questions",
    "match": "Moodle's matching questions",
    "randomsamatch": "Moodle's random short-answer matching questions",
    "ddwtos": "Moodle's drag-and-drop into text questions",
    "ddimageortext": "Moodle's drag-and-drop onto image questions",
    "ddmarker": "Moodle's drag-and-drop markers questions",
    "gapselect": "Moodle's select missing words questions",
    "calculated": "Moodle's calculated questions",
    "calculatedsimple": "Moodle's simple calculated questions",
    "calculatedmulti": "Moodle's calculated multichoice questions",
    "description": "Moodle's descriptions (text with nothing to answer)",
    "random": "Moodle's random questions",
    "ordering": "Moodle's ordering questions",
}
_NOTES = {
    "name": "Question names were left out: questions here have none",
    "hint": "Hints for Moodle's multiple tries were left out",
    "combined": "Overall feedback for right, partly right and wrong answers was left out",
    "partial_single": "Partial credit on single-answer choices was dropped: only the 100% "
    "answer counts",
    "scoring": "Multiple-answer questions are scored by this app's rule (each correct option an "
    "equal share, each wrong choice takes one share back), not by the file's percentages",
    "partial_short": "Short answers worth partial credit were dropped: only 100% answers are "
    "accepted",
    "wildcard": "The * wildcard of short answers is matched literally here",
    "answer_feedback": "Feedback on individual short or numerical answers was left out",
    "other_numbers": "Numerical questions keep only their 100% answer: other answers worth "
    "credit were dropped",
    "units": "Units of numerical questions were left out",
    "essay": "Grader information and response templates of essays were left out",
    "files": "Images and attached files were left out",
    "tables": "Tables in the text became plain lines, one per row",
    "media": "Audio, video and embedded pages in the text were left out",
}
# Category path segments that name Moodle's containers, not a topic.
_CONTAINERS = re.compile(r"^(\$\w+\$|top|Default for .*)$", re.IGNORECASE)
_MAX_NAME = 60
_MAX_LISTED = 10  # items listed per note; "and N more" after that


class ItemRefused(Exception):
    """One question cannot be read; the message is its reason."""


def read_text(element: etree._Element | None) -> str:
    """The `<text>` of an element; unescaped HTML inside it is kept as HTML."""
    node = element.find("text") if element is not None else None
    if node is None:
        return ""
    inner = (node.text or "") + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in node
    )
    return inner.strip()


def one_line(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_NAME else text[: _MAX_NAME - 1].rstrip() + "…"


def default_name(prompt: str) -> str:
    """The `<name>` an export writes: the prompt's first line, shortened."""
    first = next((line for line in prompt.splitlines() if line.strip()), "")
    return one_line(first.lstrip("#>*- ")) or "Question"


def category_tag(path: str) -> str:
    """The last segment of `$course$/top/Topic/Subtopic` that names a topic ('//' is a '/')."""
    segments = [s.replace("//", "/") for s in re.split(r"(?<!/)/(?!/)", path)]
    topics = [" ".join(s.split()) for s in segments if s.strip()]
    topics = [s for s in topics if not _CONTAINERS.match(s)]
    return topics[-1][:MAX_TAG_LENGTH].strip() if topics else ""


def _flag(raw: str | None, *, default: bool) -> bool:
    """Moodle's reading of `<single>`, `<usecase>`: 'false', '0' and '' are no."""
    if raw is None:
        return default
    return raw.strip().lower() not in ("", "0", "false")


def _fraction(answer: etree._Element) -> float:
    raw = answer.get("fraction") or answer.findtext("fraction") or "0"
    try:
        value = float(raw)
    except ValueError:
        raise ItemRefused("An answer's fraction is not a number") from None
    if not math.isfinite(value):
        raise ItemRefused("An answer's fraction is not a finite number")
    return value


def _number(raw: str | None) -> float | str | None:
    """A float when the text is one; otherwise the text itself, for `clean_question` to refuse
    with the form's own message ("Points must be a number ...")."""
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        return raw.strip()


def _is_full(fraction: float) -> bool:
    return fraction >= 100 - 1e-6


class QuestionReader:
    """Reads one question at a time, remembering which items lost what, for the notes."""

    TYPES = frozenset({"multichoice", "truefalse", "shortanswer", "numerical", "essay"})

    def __init__(self) -> None:
        self._lost: dict[str, list[int]] = {}
        self._item = 0
        self._format = "html"

    def _note(self, kind: str) -> None:
        items = self._lost.setdefault(kind, [])
        if not items or items[-1] != self._item:
            items.append(self._item)

    def notes(self) -> list[str]:
        notes = []
        for kind, items in self._lost.items():
            listed = ", ".join(str(n) for n in items[:_MAX_LISTED])
            more = f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
            text = _NOTES[kind]
            notes.append(f"{text} (item{'s' if len(items) > 1 else ''} {listed}{more}).")
        return notes

    def _rich(self, element: etree._Element | None) -> str:
        """A text in its `format` (the question text's format when it names none)."""
        if element is None:
            return ""
        raw = read_text(element)
        if element.find("file") is not None or "@@PLUGINFILE@@" in raw:
            self._note("files")
        text_format = (element.get("format") or self._format).strip().lower()
        if text_format in ("markdown", "plain_text", "wiki_like") or (
            text_format == "moodle_auto_format" and not looks_like_html(raw)
        ):
            return raw
        text, lost = html_to_markdown(raw)
        for kind in sorted(lost):
            self._note(kind)
        return text

    def read(
        self, qtype: str, question: etree._Element, number: int, name: str, category: str
    ) -> QuestionDraft:
        self._item = number
        body = question.find("questiontext")
        self._format = (body.get("format") if body is not None else None) or "html"
        prompt = self._rich(body)
        if name and name != default_name(prompt):
            self._note("name")
        if any(read_text(hint) for hint in question.iterchildren("hint")):
            self._note("hint")
        for kind in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            if read_text(question.find(kind)):
                self._note("combined")
        tags = [read_text(tag) for tag in question.iterfind("tags/tag")]
        grade = _number(question.findtext("defaultgrade"))
        draft = QuestionDraft(
            type=QuestionType.ESSAY.value,
            prompt=prompt,
            explanation=self._rich(question.find("generalfeedback")),
            points=1.0 if grade is None else grade,
            tags=[*tags, category] if category else tags,
        )
        answers = list(question.iterchildren("answer"))
        if qtype == "multichoice":
            return self._multichoice(draft, question, answers)
        if qtype == "truefalse":
            return self._truefalse(draft, answers)
        if qtype == "shortanswer":
            return self._shortanswer(draft, question, answers)
        if qtype == "numerical":
            return self._numerical(draft, question, answers)
        if read_text(question.find("graderinfo")) or read_text(question.find("responsetemplate")):
            self._note("essay")
        return draft

    def _options(self, answers: list[etree._Element]) -> list[tuple[float, OptionDraft]]:
        return [
            (
                _fraction(a),
                OptionDraft(body=self._rich(a), feedback=self._rich(a.find("feedback"))),
            )
            for a in answers
        ]

    def _multichoice(
        self, draft: QuestionDraft, question: etree._Element, answers: list[etree._Element]
    ) -> QuestionDraft:
        options = self._options(answers)
        if _flag(question.findtext("single"), default=True):
            if any(0 < f < 100 and not _is_full(f) for f, _ in options):
                self._note("partial_single")
            qtype, correct = QuestionType.SINGLE_CHOICE, [_is_full(f) for f, _ in options]
        else:
            qtype, correct = QuestionType.MULTIPLE_CHOICE, [f > 0 for f, _ in options]
            share = 100 / max(1, sum(correct))
            expected = [share if right else -share for right in correct]
            if any(abs(f - e) > 0.01 for (f, _), e in zip(options, expected, strict=True)):
                self._note("scoring")
        return replace(
            draft,
            type=qtype.value,
            options=[
                OptionDraft(o.body, right, o.feedback)
                for (_, o), right in zip(options, correct, strict=True)
            ],
        )

    def _truefalse(self, draft: QuestionDraft, answers: list[etree._Element]) -> QuestionDraft:
        # Like Moodle: answers are matched by their text, else taken as true then false.
        found: dict[str, tuple[float, str]] = {}
        for position, answer in enumerate(answers[:2]):
            word = read_text(answer).lower()
            word = word if word in ("true", "false") else ("true", "false")[position]
            found[word] = (_fraction(answer), self._rich(answer.find("feedback")))
        if not found:
            raise ItemRefused("A true/false question needs its true and false answers")
        true_is_right = (
            _is_full(found["true"][0]) if "true" in found else not _is_full(found["false"][0])
        )
        return replace(
            draft,
            type=QuestionType.TRUE_FALSE.value,
            options=[
                OptionDraft("True", true_is_right, found.get("true", (0, ""))[1]),
                OptionDraft("False", not true_is_right, found.get("false", (0, ""))[1]),
            ],
        )

    def _shortanswer(
        self, draft: QuestionDraft, question: etree._Element, answers: list[etree._Element]
    ) -> QuestionDraft:
        accepted = []
        for answer in answers:
            fraction, text = _fraction(answer), read_text(answer)
            if read_text(answer.find("feedback")):
                self._note("answer_feedback")
            if _is_full(fraction):
                if re.search(r"(?<!\\)\*", text):
                    self._note("wildcard")
                accepted.append(text.replace("\\*", "*"))
            elif fraction > 0:
                self._note("partial_short")
        return replace(
            draft,
            type=QuestionType.SHORT_ANSWER.value,
            accepted_answers=accepted,
            case_sensitive=_flag(question.findtext("usecase"), default=False),
        )

    def _numerical(
        self, draft: QuestionDraft, question: etree._Element, answers: list[etree._Element]
    ) -> QuestionDraft:
        full = [a for a in answers if _is_full(_fraction(a))]
        if not full:
            raise ItemRefused("A numerical question needs an answer worth 100%")
        answer = full[0]
        if any(a is not answer and _fraction(a) > 0 for a in answers):
            self._note("other_numbers")
        if any(read_text(a.find("feedback")) for a in answers):
            self._note("answer_feedback")
        if question.find("units/unit") is not None:
            self._note("units")
        # The number sits in <text>; files before Moodle 2 put it straight in <answer>.
        value = read_text(answer) or (answer.text or "").strip()
        if value == "*":
            raise ItemRefused("A numerical answer of * (any number) has no equivalent here")
        return replace(
            draft,
            type=QuestionType.NUMERIC.value,
            numeric_answer=_number(value),
            numeric_tolerance=_number(answer.findtext("tolerance")),
        )
