"""Exporting a bank as a QTI 1.2 package Canvas imports ("QTI .zip file"): `imsmanifest.xml`
naming one `imsqti_xmlv1p2` resource, and the assessment XML in the shape Canvas's own export
writes (`lib/cc/qti/qti_items.rb`), so `parse_qti` reads it back field for field.

- points -> `points_possible` metadata; type -> Canvas's `question_type`;
- prompt, options, feedback -> `mattext texttype="text/plain"` holding the Markdown source
  (Canvas shows it as typed; text/html would need a Markdown renderer and would not come back
  unchanged);
- correct options -> a condition setting SCORE 100 (multiple choice: `<and>` of the correct
  options and `<not>` of the others); option feedback -> `itemfeedback "<option>_fb"`, shown
  when that option is chosen; explanation -> `itemfeedback "general_fb"`, always shown;
- short answer -> one `varequal` per accepted answer, `case="Yes"` when case-sensitive
  (Canvas itself always ignores case);
- numeric -> `varequal` answer, or'd with a `vargte`/`varlte` range answer ± tolerance
  (computed in decimal, so 10 ± 0.01 is written 9.99..10.01, not 9.9900000001);
- tags -> one `learning_app_tag` metadata field each: our own; Canvas and other tools ignore
  them, this app reads them back.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, indent, tostring  # builds, never parses

from learning_app.models.questions import QuestionType
from learning_app.services.questions.bank import QuestionView
from learning_app.services.questions.interchange.qti_reader import GENERAL_FEEDBACK, TAG_FIELD

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_SCHEMA = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# A fixed timestamp: the same bank exports to the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXPORT_TYPES = {
    QuestionType.SINGLE_CHOICE: "multiple_choice_question",
    QuestionType.MULTIPLE_CHOICE: "multiple_answers_question",
    QuestionType.TRUE_FALSE: "true_false_question",
    QuestionType.SHORT_ANSWER: "short_answer_question",
    QuestionType.NUMERIC: "numerical_question",
    QuestionType.ESSAY: "essay_question",
}
RESPONSE = "response1"


def _ident(prefix: str, raw: str) -> str:
    """An XML NMTOKEN-safe identifier that starts with a letter."""
    return prefix + re.sub(r"[^A-Za-z0-9_.-]", "", raw)


def _decimal(number: float) -> Decimal:
    return Decimal(repr(float(number)))


def _text(parent: Element, tag: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    element.text = text
    return element


def _material(parent: Element, text: str) -> None:
    _text(SubElement(parent, "material"), "mattext", text, texttype="text/plain")


def _meta(parent: Element, label: str, entry: str) -> None:
    field = SubElement(parent, "qtimetadatafield")
    _text(field, "fieldlabel", label)
    _text(field, "fieldentry", entry)


def export_qti(questions: Sequence[QuestionView], *, title: str) -> bytes:
    """The questions as a Canvas-importable QTI 1.2 zip."""
    digest = hashlib.sha256("\n".join([title, *(q.id for q in questions)]).encode())
    ident = "g" + digest.hexdigest()[:32]
    path = f"{ident}/{ident}.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (
            ("imsmanifest.xml", _manifest(ident, path, title)),
            (path, _assessment(questions, ident, title)),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _serialise(root: Element) -> bytes:
    indent(root)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _manifest(ident: str, path: str, title: str) -> bytes:
    root = Element("manifest", {"identifier": f"{ident}_manifest", "xmlns": MANIFEST_NAMESPACE})
    metadata = SubElement(root, "metadata")
    _text(metadata, "schema", "IMS Content")
    _text(metadata, "schemaversion", "1.1.3")
    _text(metadata, "title", title)
    SubElement(root, "organizations")
    resources = SubElement(root, "resources")
    resource = SubElement(
        resources, "resource", {"identifier": ident, "type": "imsqti_xmlv1p2", "href": path}
    )
    SubElement(resource, "file", {"href": path})
    return _serialise(root)


def _assessment(questions: Sequence[QuestionView], ident: str, title: str) -> bytes:
    root = Element(
        "questestinterop",
        {
            "xmlns": QTI_NAMESPACE,
            "xmlns:xsi": XSI,
            "xsi:schemaLocation": f"{QTI_NAMESPACE} {QTI_SCHEMA}",
        },
    )
    assessment = SubElement(root, "assessment", {"ident": ident, "title": title})
    section = SubElement(assessment, "section", {"ident": "root_section"})
    for question in questions:
        _item(section, question)
    return _serialise(root)


def _item(section: Element, question: QuestionView) -> None:
    qtype = QuestionType(question.type)
    item = SubElement(section, "item", {"ident": _ident("q", question.id), "title": "Question"})
    metadata = SubElement(SubElement(item, "itemmetadata"), "qtimetadata")
    _meta(metadata, "question_type", EXPORT_TYPES[qtype])
    _meta(metadata, "points_possible", repr(float(question.points)))
    for tag in question.tags:
        _meta(metadata, TAG_FIELD, tag)
    presentation = SubElement(item, "presentation")
    _material(presentation, question.prompt_markdown)
    option_idents = [_ident("a", f"{n}") for n in range(1, len(question.options) + 1)]
    if qtype is QuestionType.NUMERIC:
        response = SubElement(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        SubElement(SubElement(response, "render_fib", fibtype="Decimal"), "response_label")
    elif qtype in (QuestionType.SHORT_ANSWER, QuestionType.ESSAY):
        response = SubElement(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        SubElement(SubElement(response, "render_fib"), "response_label", ident="answer1")
    else:
        multiple = qtype is QuestionType.MULTIPLE_CHOICE
        response = SubElement(
            presentation,
            "response_lid",
            ident=RESPONSE,
            rcardinality="Multiple" if multiple else "Single",
        )
        choices = SubElement(response, "render_choice")
        for option_ident, option in zip(option_idents, question.options, strict=True):
            _material(SubElement(choices, "response_label", ident=option_ident), option.body)

    processing = SubElement(item, "resprocessing")
    SubElement(
        SubElement(processing, "outcomes"),
        "decvar",
        maxvalue="100",
        minvalue="0",
        varname="SCORE",
        vartype="Decimal",
    )
    if question.explanation_markdown:
        shown = SubElement(processing, "respcondition", {"continue": "Yes"})
        SubElement(SubElement(shown, "conditionvar"), "other")
        _feedback_ref(shown, GENERAL_FEEDBACK)
    for option_ident, option in zip(option_idents, question.options, strict=True):
        if option.feedback:
            shown = SubElement(processing, "respcondition", {"continue": "Yes"})
            _varequal(SubElement(shown, "conditionvar"), option_ident)
            _feedback_ref(shown, f"{option_ident}_fb")
    _scoring(processing, question, qtype, option_idents)

    if question.explanation_markdown:
        _item_feedback(item, GENERAL_FEEDBACK, question.explanation_markdown)
    for option_ident, option in zip(option_idents, question.options, strict=True):
        if option.feedback:
            _item_feedback(item, f"{option_ident}_fb", option.feedback)


def _varequal(parent: Element, value: str, **attributes: str) -> None:
    _text(parent, "varequal", value, respident=RESPONSE, **attributes)


def _feedback_ref(condition: Element, ident: str) -> None:
    SubElement(condition, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def _item_feedback(item: Element, ident: str, text: str) -> None:
    feedback = SubElement(item, "itemfeedback", ident=ident)
    _material(SubElement(feedback, "flow_mat"), text)


def _scoring(
    processing: Element, question: QuestionView, qtype: QuestionType, option_idents: list[str]
) -> None:
    if qtype is QuestionType.ESSAY:
        condition = SubElement(processing, "respcondition", {"continue": "No"})
        SubElement(SubElement(condition, "conditionvar"), "other")
        return
    condition = SubElement(processing, "respcondition", {"continue": "No"})
    test = SubElement(condition, "conditionvar")
    options = list(zip(option_idents, question.options, strict=True))
    if qtype is QuestionType.MULTIPLE_CHOICE:
        both = SubElement(test, "and")
        for option_ident, option in options:
            _varequal(both if option.is_correct else SubElement(both, "not"), option_ident)
    elif qtype in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE):
        for option_ident, option in options:
            if option.is_correct:
                _varequal(test, option_ident)
    elif qtype is QuestionType.SHORT_ANSWER:
        case = {"case": "Yes"} if question.case_sensitive else {}
        for answer in question.accepted_answers:
            _varequal(test, answer, **case)
    elif qtype is QuestionType.NUMERIC and question.numeric_answer is not None:
        answer = _decimal(question.numeric_answer)
        either = SubElement(test, "or")
        _varequal(either, str(answer))
        if question.numeric_tolerance is not None:
            tolerance = _decimal(question.numeric_tolerance)
            within = SubElement(either, "and")
            _text(within, "vargte", str(answer - tolerance), respident=RESPONSE)
            _text(within, "varlte", str(answer + tolerance), respident=RESPONSE)
    _text(condition, "setvar", "100", action="Set", varname="SCORE")
