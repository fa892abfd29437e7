"""Importing IMS QTI 1.2 (ASI) question files: the quiz and bank package Canvas exports, and
items written to the IMS examples' plain syntax.

Either the assessment XML itself or the zip package (`imsmanifest.xml` naming
`imsqti_xmlv1p2` resources; without a manifest, the one XML file it holds). The zip is checked
before it is opened (`archive.py`), the XML parsed with entities refused (`qti_xml.py`).

What maps to what (the same table `qti_export.py` writes):

- type: Canvas's `question_type` metadata (multiple_choice_question -> single_choice,
  multiple_answers_question -> multiple_choice, true_false_question, short_answer_question,
  numerical_question, essay_question); without it, from the response field (response_lid
  Single/Multiple, a numeric render_fib, response_str with or without answers). Canvas's other
  types (matching, fill in multiple blanks, dropdowns, formula, file upload, text only) and
  items with several response fields are skipped, each with its item number and reason.
- points: `points_possible` metadata (missing: 1 point, said in the notes).
- correct options / accepted answers: the `varequal`s of the conditions that set a positive
  score (never those under `<not>`); short answers are case-sensitive iff `case="Yes"`.
- numeric: answer and tolerance from `varequal` and a `vargte`/`varlte` range (or the range's
  middle and half-width; or `varequal margin`); several answers keep the first, said in notes.
- option feedback: `itemfeedback` "<option ident>_fb" (Canvas) or any feedback a condition on
  that option alone displays; explanation: `itemfeedback ident="general_fb"`.
- tags: our own `learning_app_tag` metadata fields (other tools ignore them), plus the name of
  a Canvas question bank (`objectbank` `bank_title`).
- text: `mattext texttype="text/html"` becomes Markdown (`html_markdown.py`), other text is
  kept as written.
- left out, said in the notes: images, media and table layout, feedback for right or wrong
  answers as a whole, per-answer feedback of short and numeric answers, item titles.

Every item that is read goes through `clean_question`, so an item this app could not grade
(no correct option, 0 points) is skipped with the same message the question form would show.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from learning_app.services.questions.interchange.archive import is_zip, open_package, read_entry
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ParsedBank,
)
from learning_app.services.questions.interchange.qti_reader import ItemReader
from learning_app.services.questions.interchange.qti_xml import parse_xml


def parse_qti(data: bytes) -> ParsedBank:
    """A QTI 1.2 file or zip package as drafts, skipped items and notes; `BankFileRefused`
    when the file cannot be read at all."""
    if len(data) > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"This file is larger than {MAX_BANK_BYTES // (1024 * 1024)} MB; it was refused."
        )
    documents = _package_documents(data) if is_zip(data) else [data]
    roots = [parse_xml(document) for document in documents]
    for root in roots:
        if root.tag != "questestinterop":
            raise BankFileRefused("This XML file is not a QTI 1.2 question file.")
    reader = ItemReader()
    for root in roots:
        reader.read_document(root)
    return ParsedBank(items=reader.items, skipped=reader.skipped, notes=list(reader.notes))


def _package_documents(data: bytes) -> list[bytes]:
    with open_package(data) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        manifest = next((n for n in names if n.lower() == "imsmanifest.xml"), None)
        paths: list[str] = []
        if manifest is not None:
            root = parse_xml(read_entry(archive, manifest), "The package's manifest")
            paths = list(_manifest_assessments(root, posixpath.dirname(manifest)))
        if not paths:
            xml = [n for n in names if n.lower().endswith((".xml", ".qti")) and n != manifest]
            if len(xml) != 1:
                raise BankFileRefused(
                    "This zip has no manifest naming its QTI file, and not exactly one XML file."
                )
            paths = xml
        return [read_entry(archive, path) for path in paths]


def _manifest_assessments(root: Element, folder: str) -> Iterator[str]:
    for resource in root.iter("resource"):
        if not (resource.get("type") or "").lower().startswith("imsqti_xmlv1p2"):
            continue
        file = resource.find("file")
        href = resource.get("href") or (file.get("href") if file is not None else None)
        if href:
            path = posixpath.normpath(posixpath.join(folder, href))
            if path.startswith(("../", "/")) or path == "..":
                raise BankFileRefused("The package's manifest names a file outside the package.")
            yield path
