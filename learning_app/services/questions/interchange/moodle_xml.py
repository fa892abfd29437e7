"""Moodle XML question banks, in and out (https://docs.moodle.org/en/Moodle_XML_format).

Threat model: the file is a stranger's upload. It is read by defusedxml with DTDs forbidden
(Moodle never writes one), so a billion-laughs entity, an external entity naming a local file
and any other declaration are refused before a single entity could be expanded or fetched; then
lxml, with entities, the network and DTD loading off, reads the same bytes for line numbers.
A file that cannot be read at all raises `BankFileRefused` with one line that never quotes it.

Mapping (Moodle -> here; export writes the reverse, every text in Moodle's `markdown` format so
our Markdown comes back unchanged):

- multichoice with `<single>true` -> single_choice (the 100% answer is correct; partial credit
  on the others is noted and dropped); `<single>false` -> multiple_choice: answers above 0% are
  the correct options. Moodle adds up per-answer percentages, we give each correct option an
  equal share and take one back per wrong choice; export writes exactly that rule as +100/N and
  -100/N, and an import whose percentages differ is noted.
- truefalse -> true_false with options True and False; shortanswer -> short_answer (100%
  answers are accepted, `usecase` is case_sensitive, `\\*` is a literal star); numerical ->
  numeric (the 100% answer and its tolerance); essay -> essay.
- defaultgrade -> points, generalfeedback -> explanation, answer feedback -> option feedback,
  `<tags>` and the last segment of the current `<question type="category">` path -> tags.
- HTML text becomes simple Markdown (`html_markdown`); markdown, plain and wiki text is kept.
- Question names, hints, overall feedback, units, answer feedback of short and numerical
  answers, grader information, files and images have no place here: each is named in the notes
  with its items. Cloze, matching, drag-and-drop, calculated, description and random questions
  are skipped, each with its item number and the reason.
- Quiz-behaviour settings (shuffling, answer numbering, retry penalty, hidden, idnumber, the
  essay box's size) belong to Moodle's quiz engine, not to the question, and are not read.
"""

from __future__ import annotations

from collections.abc import Sequence

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from lxml import etree

from learning_app.models.questions import QuestionType
from learning_app.services.questions.bank import QuestionView
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ImportedItem,
    ParsedBank,
    SkippedItem,
)
from learning_app.services.questions.interchange.moodle_xml_reader import (
    UNSUPPORTED,
    ItemRefused,
    QuestionReader,
    category_tag,
    default_name,
    one_line,
    read_text,
)


def parse_moodle_xml(data: bytes) -> ParsedBank:
    quiz = _read_quiz(data)
    reader = QuestionReader()
    items: list[ImportedItem] = []
    skipped: list[SkippedItem] = []
    category = ""
    number = 0
    for element in quiz.iterchildren("question"):
        qtype = (element.get("type") or "").strip().lower()
        if qtype == "category":
            category = category_tag(read_text(element.find("category")))
            continue
        number += 1
        name = one_line(read_text(element.find("name")))
        label = f"item {number}" + (f" ({name})" if name else "") + f", line {element.sourceline}"
        try:
            if qtype in UNSUPPORTED:
                raise ItemRefused(f"{UNSUPPORTED[qtype]} have no equivalent here")
            if qtype not in QuestionReader.TYPES:
                shown = one_line(qtype)[:40] or "(none)"
                raise ItemRefused(f"Moodle questions of type “{shown}” have no equivalent here")
            draft = reader.read(qtype, element, number, name, category)
        except ItemRefused as exc:
            skipped.append(SkippedItem(label, str(exc)))
            continue
        items.append(ImportedItem(label, draft))
    if number == 0:
        raise BankFileRefused("This Moodle XML file holds no questions.")
    return ParsedBank(items=items, skipped=skipped, notes=reader.notes())


def _read_quiz(data: bytes) -> etree._Element:
    if len(data) > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; a question bank file may be at most "
            f"{MAX_BANK_BYTES // 1024 // 1024} MB."
        )
    try:
        safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BankFileRefused(
            "This file declares a document type or entities (<!DOCTYPE …>), which Moodle XML "
            "never has; it is refused for safety."
        ) from None
    except safe_xml.ParseError as exc:
        line, column = exc.position
        raise BankFileRefused(
            f"This file is not well-formed XML (line {line}, column {column}); "
            "a Moodle XML export is UTF-8 XML."
        ) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise BankFileRefused("This file is not well-formed XML.") from None
    if root.tag != "quiz":
        raise BankFileRefused("This XML file is not a Moodle question bank (no <quiz> element).")
    return root


def export_moodle_xml(questions: Sequence[QuestionView], *, category: str = "") -> str:
    """The questions as a Moodle XML `<quiz>`, under one category when `category` is given."""
    quiz = etree.Element("quiz")
    if category.strip():
        marker = etree.SubElement(quiz, "question", type="category")
        path = "/".join(["$course$", "top", " ".join(category.split()).replace("/", "//")])
        _text_element(marker, "category", path)
    for question in questions:
        quiz.append(_question_element(question))
    etree.indent(quiz, space="  ")
    body = etree.tostring(quiz, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


_MOODLE_TYPES = {
    QuestionType.SINGLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_CHOICE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.NUMERIC: "numerical",
    QuestionType.ESSAY: "essay",
}


def _text_element(
    parent: etree._Element, tag: str, text: str, text_format: str | None = None
) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    etree.SubElement(element, "text").text = text
    return element


def _number(value: float) -> str:
    """The shortest text that reads back as the same float ('2', '0.1', '1e-05')."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _answer(
    parent: etree._Element, fraction: float, text: str, feedback: str = "", text_format: str = ""
) -> etree._Element:
    answer = _text_element(parent, "answer", text, text_format or None)
    answer.set("fraction", _number(fraction))
    if feedback:
        _text_element(answer, "feedback", feedback, "markdown")
    return answer


def _question_element(view: QuestionView) -> etree._Element:
    qtype = QuestionType(view.type)
    question = etree.Element("question", type=_MOODLE_TYPES[qtype])
    _text_element(question, "name", default_name(view.prompt_markdown))
    _text_element(question, "questiontext", view.prompt_markdown, "markdown")
    _text_element(question, "generalfeedback", view.explanation_markdown, "markdown")
    etree.SubElement(question, "defaultgrade").text = _number(view.points)
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        single = qtype is QuestionType.SINGLE_CHOICE
        etree.SubElement(question, "single").text = "true" if single else "false"
        # Multiple answers: +100/N per correct option, -100/N per wrong one, which Moodle's
        # sum (kept between 0 and 100%) turns into exactly this app's partial-credit rule.
        share = 100 / max(1, sum(o.is_correct for o in view.options))
        for option in view.options:
            wrong = 0.0 if single else -share
            fraction = (100.0 if single else share) if option.is_correct else wrong
            _answer(question, fraction, option.body, option.feedback, "markdown")
    elif qtype is QuestionType.TRUE_FALSE:
        options = list(view.options)
        true = next((o for o in options if o.body.strip().casefold() == "true"), options[0])
        false = next(o for o in options if o is not true)
        for word, option in (("true", true), ("false", false)):
            _answer(question, 100 if option.is_correct else 0, word, option.feedback)
    elif qtype is QuestionType.SHORT_ANSWER:
        etree.SubElement(question, "usecase").text = "1" if view.case_sensitive else "0"
        for accepted in view.accepted_answers:
            _answer(question, 100, accepted.replace("*", "\\*"))
    elif qtype is QuestionType.NUMERIC and view.numeric_answer is not None:
        answer = _answer(question, 100, _number(view.numeric_answer))
        if view.numeric_tolerance is not None:
            etree.SubElement(answer, "tolerance").text = _number(view.numeric_tolerance)
    if view.tags:
        tags = etree.SubElement(question, "tags")
        for tag in view.tags:
            _text_element(tags, "tag", tag)
    return question
