"""Reading one QTI 1.2 `<item>` into a `QuestionDraft` (the mapping is in `qti.py`).

`ItemReader` collects the drafts, the skipped items with their reasons, and the notes on what
was left out, each note once however many items it touched.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from learning_app.models.questions import QuestionType
from learning_app.services.errors import InvalidInput
from learning_app.services.questions.drafts import (
    MAX_TAG_LENGTH,
    OptionDraft,
    QuestionDraft,
    clean_question,
)
from learning_app.services.questions.interchange.html_markdown import html_to_markdown
from learning_app.services.questions.interchange.items import ImportedItem, SkippedItem
from learning_app.services.questions.interchange.qti_conditions import Conditions
from learning_app.services.questions.interchange.qti_xml import all_text

CANVAS_TYPES = {
    "multiple_choice_question": QuestionType.SINGLE_CHOICE,
    "multiple_answers_question": QuestionType.MULTIPLE_CHOICE,
    "true_false_question": QuestionType.TRUE_FALSE,
    "short_answer_question": QuestionType.SHORT_ANSWER,
    "numerical_question": QuestionType.NUMERIC,
    "essay_question": QuestionType.ESSAY,
}
# Common Cartridge's profiles name the same types.
CC_PROFILES = {
    "cc.multiple_choice.v0p1": QuestionType.SINGLE_CHOICE,
    "cc.multiple_response.v0p1": QuestionType.MULTIPLE_CHOICE,
    "cc.true_false.v0p1": QuestionType.TRUE_FALSE,
    "cc.fib.v0p1": QuestionType.SHORT_ANSWER,
    "cc.essay.v0p1": QuestionType.ESSAY,
}
UNSUPPORTED_TYPES = {
    "matching_question": "Canvas's matching questions have no equivalent here.",
    "fill_in_multiple_blanks_question": "Canvas's fill-in-multiple-blanks questions have no "
    "equivalent here.",
    "multiple_dropdowns_question": "Canvas's multiple-dropdown questions have no equivalent here.",
    "missing_word_question": "Canvas's missing-word questions have no equivalent here.",
    "calculated_question": "Canvas's formula questions have no equivalent here.",
    "file_upload_question": "Canvas's file-upload questions have no equivalent here.",
    "text_only_question": "Canvas's text-only items ask nothing, so there is nothing to import.",
}
TAG_FIELD = "learning_app_tag"
GENERAL_FEEDBACK = "general_fb"
WHOLE_ANSWER_FEEDBACK = frozenset({"correct_fb", "general_incorrect_fb"})
RESPONSE_TAGS = frozenset(
    {"response_lid", "response_str", "response_num", "response_xy", "response_grp"}
)
NUMERIC_FIBTYPES = frozenset({"integer", "decimal", "scientific"})
DEFAULT_TITLE = re.compile(r"^\s*(question\s*\d*)?\s*$", re.IGNORECASE)

NOTE_NO_POINTS = "Items without points (Canvas's points_possible) were given 1 point."
# What `html_to_markdown` could not carry, by kind.
LOST_NOTES = {
    "files": "Images and other files in QTI text were left out.",
    "media": "Audio, video and embedded pages in QTI text were left out.",
    "tables": "Tables in QTI text were kept as plain rows.",
}
NOTE_MEDIA = "Images and other media in QTI text were left out."
NOTE_WHOLE_FEEDBACK = (
    "Feedback shown for a right or wrong answer as a whole has no equivalent here; it was left out."
)
NOTE_ANSWER_FEEDBACK = "Feedback not tied to one option (or to a typed answer) was left out."
NOTE_SEVERAL_NUMERIC = "Numeric questions with several correct answers kept only the first."
NOTE_ASYMMETRIC = "A numeric range not centred on its answer was widened to the larger side."
NOTE_TITLES = "Item titles were left out: questions here have no titles."
NOTE_BANK_TAG = "Each Canvas question bank's name was added to its questions as a tag."


class _Skip(Exception):
    """This item cannot be imported; the message says why."""


def _metadata(element: Element, path: str) -> list[tuple[str, str]]:
    return [
        (all_text(f.find("fieldlabel")), all_text(f.find("fieldentry")))
        for f in element.findall(path)
    ]


class ItemReader:
    def __init__(self) -> None:
        self.items: list[ImportedItem] = []
        self.skipped: list[SkippedItem] = []
        self.notes: dict[str, None] = {}  # ordered, each once
        self.number = 0

    def note(self, text: str) -> None:
        self.notes.setdefault(text)

    def read_document(self, root: Element) -> None:
        bank_tags: dict[int, str] = {}
        for bank in root.iter("objectbank"):
            title = dict(_metadata(bank, "./qtimetadata/qtimetadatafield")).get("bank_title")
            for item in bank.iter("item"):
                if title:
                    bank_tags[id(item)] = title[:MAX_TAG_LENGTH]
        for item in root.iter("item"):
            self.number += 1
            ident = item.get("ident")
            label = f"item {self.number} ({ident})" if ident else f"item {self.number}"
            try:
                draft = self.read_item(item, bank_tags.get(id(item)))
                clean_question(draft)
            except (_Skip, InvalidInput) as exc:
                self.skipped.append(SkippedItem(item=label, reason=str(exc)))
            else:
                self.items.append(ImportedItem(item=label, draft=draft))

    def text_of(self, material: Element | None) -> str:
        """A material's text; HTML made plain and media left out, each said once."""
        if material is None:
            return ""
        parts = []
        for child in material:
            if child.tag == "mattext":
                text = "".join(child.itertext())
                if "html" in (child.get("texttype") or "").lower():
                    text, lost = html_to_markdown(text)
                    for kind in sorted(lost):
                        self.note(LOST_NOTES.get(kind, f"Some {kind} in QTI text were left out."))
                parts.append(text.strip())
            elif child.tag.startswith("mat"):
                self.note(NOTE_MEDIA)
        return "\n\n".join(p for p in parts if p)

    def read_item(self, item: Element, bank_tag: str | None) -> QuestionDraft:
        fields = _metadata(item, "./itemmetadata/qtimetadata/qtimetadatafield")
        meta = dict(fields)
        presentation = item.find("presentation")
        if presentation is None:
            raise _Skip("It has no <presentation>, so there is no question to show.")
        responses = [e for e in presentation.iter() if e.tag in RESPONSE_TAGS]
        scoring = Conditions(item)
        qtype = self.question_type(meta, responses, scoring)
        inside = {id(m) for r in responses for m in r.iter("material")}
        prompt = "\n\n".join(
            t
            for t in (self.text_of(m) for m in presentation.iter("material") if id(m) not in inside)
            if t
        )
        if not DEFAULT_TITLE.match(item.get("title") or ""):
            self.note(NOTE_TITLES)
        if "points_possible" not in meta:
            self.note(NOTE_NO_POINTS)
        tags = [entry for label, entry in fields if label == TAG_FIELD]
        if bank_tag:
            tags.append(bank_tag)
            self.note(NOTE_BANK_TAG)
        feedback = {fb.get("ident") or "": fb for fb in item.findall("itemfeedback")}
        used = {GENERAL_FEEDBACK}
        if WHOLE_ANSWER_FEEDBACK & feedback.keys():
            self.note(NOTE_WHOLE_FEEDBACK)
            used |= WHOLE_ANSWER_FEEDBACK
        draft = QuestionDraft(
            type=qtype.value,
            prompt=prompt,
            explanation=self.feedback_text(feedback.get(GENERAL_FEEDBACK)),
            points=_points(meta.get("points_possible", "1")),
            tags=tags,
        )
        response = responses[0]
        if qtype in (
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.TRUE_FALSE,
        ):
            draft = self.read_choice(draft, response, scoring, feedback, used)
        elif qtype is QuestionType.SHORT_ANSWER:
            answers = scoring.correct_values()
            draft = replace(
                draft,
                accepted_answers=[(a.text or "").strip() for a in answers],
                case_sensitive=any((a.get("case") or "").lower() == "yes" for a in answers),
            )
        elif qtype is QuestionType.NUMERIC:
            draft = self.read_numeric(draft, scoring)
        if set(feedback) - used:
            self.note(NOTE_ANSWER_FEEDBACK)
        return draft

    def question_type(
        self, meta: dict[str, str], responses: list[Element], scoring: Conditions
    ) -> QuestionType:
        canvas = meta.get("question_type", "").strip()
        if canvas in UNSUPPORTED_TYPES:
            raise _Skip(UNSUPPORTED_TYPES[canvas])
        if len(responses) != 1:
            raise _Skip(
                f"It has {len(responses)} answer fields; only questions with one can be imported."
            )
        response = responses[0]
        if canvas:
            if canvas not in CANVAS_TYPES:
                raise _Skip(
                    f"Canvas's {canvas.removesuffix('_question')} questions have no "
                    "equivalent here."
                )
            qtype = CANVAS_TYPES[canvas]
        elif meta.get("cc_profile") in CC_PROFILES:
            qtype = CC_PROFILES[meta["cc_profile"]]
        elif response.tag == "response_lid":
            multiple = (response.get("rcardinality") or "").lower() == "multiple"
            qtype = QuestionType.MULTIPLE_CHOICE if multiple else QuestionType.SINGLE_CHOICE
        elif response.tag == "response_num" or any(
            (f.get("fibtype") or "").lower() in NUMERIC_FIBTYPES
            for f in response.iter("render_fib")
        ):
            qtype = QuestionType.NUMERIC
        elif response.tag == "response_str":
            answered = bool(scoring.correct_values())
            qtype = QuestionType.SHORT_ANSWER if answered else QuestionType.ESSAY
        else:
            raise _Skip(f"Its answer field ({response.tag}) has no equivalent here.")
        choice = qtype in (
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.TRUE_FALSE,
        )
        if choice != (response.tag == "response_lid"):
            raise _Skip("Its answer field does not fit its question type.")
        return qtype

    def feedback_text(self, feedback: Element | None) -> str:
        if feedback is None:
            return ""
        texts = (self.text_of(m) for m in feedback.iter("material"))
        return "\n\n".join(t for t in texts if t)

    def read_choice(
        self,
        draft: QuestionDraft,
        response: Element,
        scoring: Conditions,
        feedback: dict[str, Element],
        used: set[str],
    ) -> QuestionDraft:
        correct = {v.text.strip() for v in scoring.correct_values() if v.text}
        linked = scoring.feedback_by_choice()
        options = []
        for label in response.iter("response_label"):
            ident = label.get("ident") or ""
            refs = [f"{ident}_fb"] if f"{ident}_fb" in feedback else linked.get(ident, [])
            refs = [r for r in refs if r in feedback and r not in used]
            used.update(refs)
            options.append(
                OptionDraft(
                    body=self.feedback_text(label),
                    is_correct=ident in correct,
                    feedback="\n\n".join(self.feedback_text(feedback[r]) for r in refs),
                )
            )
        return replace(draft, options=options)

    def read_numeric(self, draft: QuestionDraft, scoring: Conditions) -> QuestionDraft:
        conditions = scoring.correct_conditions()
        if not conditions:
            raise _Skip("It has no correct answer.")
        if len(conditions) > 1:
            self.note(NOTE_SEVERAL_NUMERIC)
        values = Conditions.positive(conditions[0])
        equal = [v for v in values if v.tag == "varequal"]
        low = [v for v in values if v.tag in ("vargte", "vargt")]
        high = [v for v in values if v.tag in ("varlte", "varlt")]
        answer = _decimal(equal[0]) if equal else None
        tolerance: Decimal | None = None
        if low and high:
            lo, hi = _decimal(low[0]), _decimal(high[0])
            if answer is None:
                answer, tolerance = (lo + hi) / 2, (hi - lo) / 2
            else:
                tolerance = max(answer - lo, hi - answer)
                if answer - lo != hi - answer:
                    self.note(NOTE_ASYMMETRIC)
        elif low or high:
            raise _Skip(
                "Its answer is an open range (only one bound); that has no equivalent here."
            )
        elif answer is not None and equal[0].get("margin"):
            margin = _decimal(equal[0], "margin")
            percent = (equal[0].get("margintype") or "").lower() == "percent"
            tolerance = abs(answer) * margin / 100 if percent else margin
        if answer is None:
            raise _Skip("It has no correct answer.")
        return replace(
            draft,
            numeric_answer=float(answer),
            numeric_tolerance=None if tolerance is None else float(tolerance),
        )


def _points(raw: str) -> float | str:
    """A float when it is one; otherwise the text, for `clean_question` to refuse."""
    try:
        return float(raw)
    except ValueError:
        return raw


def _decimal(element: Element, attribute: str | None = None) -> Decimal:
    raw = element.get(attribute) if attribute else element.text
    try:
        number = Decimal((raw or "").strip())
    except (InvalidOperation, ValueError):
        raise _Skip("Its answer is not a number.") from None
    if not number.is_finite():
        raise _Skip("Its answer is not a finite number.")
    return number
