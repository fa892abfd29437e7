"""QTI 1.2 import and export: hand-written fixtures in Canvas's and the IMS examples' syntax,
round trips of all six types, and hostile files that must be refused in one line."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ParsedBank,
)
from learning_app.services.questions.interchange.qti import parse_qti
from learning_app.services.questions.interchange.qti_export import export_qti
from learning_app.services.questions.interchange.qti_reader import (
    LOST_NOTES,
    NOTE_ANSWER_FEEDBACK,
    NOTE_BANK_TAG,
    NOTE_NO_POINTS,
    NOTE_SEVERAL_NUMERIC,
    NOTE_TITLES,
    NOTE_WHOLE_FEEDBACK,
)

DATA = Path(__file__).parents[2] / "data" / "interchange"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def cleaned(bank: ParsedBank) -> dict:
    """Each imported item's cleaned question, by its item label."""
    return {item.item: clean_question(item.draft) for item in bank.items}


def options(question) -> list[tuple[str, bool, str]]:
    return [(o.body, o.is_correct, o.feedback) for o in question.options]


def refusal(data: bytes) -> str:
    with pytest.raises(BankFileRefused) as caught:
        parse_qti(data)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- Canvas's export shape ---------------------------------------------------------------


def test_canvas_choice_questions_with_feedback_and_html():
    bank = parse_qti(fixture("qti_canvas_choice.xml"))
    assert bank.skipped == []
    single, multiple, true_false = cleaned(bank).values()
    assert [i.item for i in bank.items] == [
        "item 1 (i1a2b3c4d5e6f708192a3b4c5d6e7f801)",
        "item 2 (i2b3c4d5e6f708192a3b4c5d6e7f80912)",
        "item 3 (i3c4d5e6f708192a3b4c5d6e7f8091223)",
    ]
    assert single.type == "single_choice"
    assert single.prompt == "Which organelle makes most of a cell's ATP?"
    assert single.points == 2.0
    # Canvas's HTML becomes our Markdown
    assert single.explanation == "Mitochondria run **oxidative phosphorylation**."
    assert options(single) == [
        ("Mitochondrion", True, ""),
        ("Ribosome", False, "Ribosomes make proteins."),
        ("Golgi apparatus", False, ""),
    ]
    assert multiple.type == "multiple_choice"
    assert multiple.points == 3.0
    assert options(multiple) == [
        ("Cell wall", True, ""),
        ("Chloroplast", True, ""),
        ("Nucleus", False, "Animal cells have a nucleus too."),
    ]
    assert true_false.type == "true_false"
    assert options(true_false) == [("True", False, ""), ("False", True, "")]
    # correct_fb and general_incorrect_fb have no home here, and the report says so.
    assert bank.notes == [NOTE_WHOLE_FEEDBACK]


def test_canvas_short_numeric_and_essay():
    bank = parse_qti(fixture("qti_canvas_text.xml"))
    assert bank.skipped == []
    short, margin, in_range, several, essay = cleaned(bank).values()
    assert short.type == "short_answer"
    assert short.points == 1.5
    assert short.accepted_answers == ["newton", "N"]
    assert short.case_sensitive is False
    # exact 9.81 or'd with the range 9.76..9.86 Canvas writes for a margin of 0.05
    assert (margin.numeric_answer, margin.numeric_tolerance) == (9.81, 0.05)
    # Canvas's "answer in a range" 6..8 has no exact answer: its middle, half its width
    assert (in_range.numeric_answer, in_range.numeric_tolerance) == (7.0, 1.0)
    assert (several.numeric_answer, several.numeric_tolerance) == (8.0, None)
    assert essay.type == "essay"
    assert essay.points == 10.0
    assert essay.prompt == "Explain Newton's third law.\n\nGive one example."
    assert essay.explanation == "Forces come in pairs."
    assert NOTE_SEVERAL_NUMERIC in bank.notes
    assert NOTE_ANSWER_FEEDBACK in bank.notes  # the short answer's own feedback


def test_canvas_bank_name_and_our_tags_become_tags():
    bank = parse_qti(fixture("qti_canvas_bank.xml"))
    (question,) = cleaned(bank).values()
    assert question.tags == ["organelles", "Week 2", "Unit 1: Cells"]
    assert question.prompt == "Where is DNA kept?"
    assert NOTE_BANK_TAG in bank.notes
    assert LOST_NOTES["files"] in bank.notes  # the <img> was left out, and said so


def test_unsupported_types_are_skipped_with_item_number_and_reason():
    bank = parse_qti(fixture("qti_canvas_unsupported.xml"))
    assert [i.item for i in bank.items] == ["item 1 (ok1)", "item 6 (ok2)"]
    assert [(s.item, s.reason) for s in bank.skipped] == [
        ("item 2 (match1)", "Canvas's matching questions have no equivalent here."),
        ("item 3 (drop1)", "Canvas's multiple-dropdown questions have no equivalent here."),
        ("item 4 (calc1)", "Canvas's formula questions have no equivalent here."),
        ("item 5 (text1)", "Canvas's text-only items ask nothing, so there is nothing to import."),
    ]


def test_an_item_the_form_would_refuse_is_skipped_with_the_forms_message():
    xml = fixture("qti_canvas_choice.xml").replace(
        b"<fieldentry>2.0</fieldentry>", b"<fieldentry>0.0</fieldentry>"
    )
    bank = parse_qti(xml)
    assert bank.items[0].item.startswith("item 2 ")
    (skipped,) = bank.skipped
    assert skipped.item == "item 1 (i1a2b3c4d5e6f708192a3b4c5d6e7f801)"
    assert skipped.reason.startswith("Points must be above 0")


def test_unknown_canvas_type_and_composite_items_are_skipped():
    xml = fixture("qti_canvas_choice.xml").replace(b"true_false_question", b"ordering_question")
    bank = parse_qti(xml)
    assert [(s.item.split(" (")[0], s.reason) for s in bank.skipped] == [
        ("item 3", "Canvas's ordering questions have no equivalent here.")
    ]


# --- the IMS examples' plain syntax --------------------------------------------------------


def test_ims_examples_without_canvas_metadata():
    bank = parse_qti(fixture("qti_ims_examples.xml"))
    assert bank.skipped == []
    choice, response, fib, number, essay = cleaned(bank).values()
    assert choice.type == "single_choice"
    assert choice.prompt == "Which of the following is the capital of Scotland?"
    # the feedback the correct condition displays belongs to the option it tests
    assert options(choice) == [
        ("Glasgow", False, ""),
        ("Edinburgh", True, "Yes, Edinburgh is the capital."),
        ("Aberdeen", False, ""),
    ]
    assert response.type == "multiple_choice"
    assert options(response) == [
        ("2", True, ""),
        ("4", False, "4 is 2 times 2."),
        ("7", True, ""),
        ("9", False, ""),
    ]
    assert fib.type == "short_answer"
    assert (fib.accepted_answers, fib.case_sensitive) == (["Iron"], True)
    assert number.type == "numeric"
    assert number.numeric_answer == 4.75
    assert number.numeric_tolerance == pytest.approx(0.05)
    assert essay.type == "essay"
    assert {q.points for q in (choice, response, fib, number, essay)} == {1.0}
    assert NOTE_NO_POINTS in bank.notes
    assert NOTE_TITLES in bank.notes


# --- round trips ---------------------------------------------------------------------------


def six_questions() -> list[QuestionView]:
    def view(qid: str, qtype: str, **fields) -> QuestionView:
        return QuestionView(id=qid, course_id="course-1", type=qtype, **fields)

    return [
        view(
            "3f0c1e9a-0001",
            "single_choice",
            prompt_markdown="Which planet is **largest**?\n\n- think gas giants",
            explanation_markdown="Jupiter is 11 Earth diameters wide.",
            points=2.5,
            options=[
                OptionView("o1", "Jupiter", True, "Yes: by far."),
                OptionView("o2", "Saturn <rings>", False, "Close, but smaller."),
                OptionView("o3", "Earth & Moon", False, ""),
            ],
            tags=["astronomy", "Week 1"],
        ),
        view(
            "3f0c1e9a-0002",
            "multiple_choice",
            prompt_markdown="Select the noble gases.",
            explanation_markdown="",
            points=3.0,
            options=[
                OptionView("o4", "Neon", True, ""),
                OptionView("o5", "Oxygen", False, "Oxygen bonds readily."),
                OptionView("o6", "Argon", True, "Right."),
            ],
            tags=["chemistry"],
        ),
        view(
            "3f0c1e9a-0003",
            "true_false",
            prompt_markdown="Water boils at 100 °C at sea level.",
            explanation_markdown="At 1 atm.",
            points=1.0,
            options=[OptionView("o7", "True", True, ""), OptionView("o8", "False", False, "")],
        ),
        view(
            "3f0c1e9a-0004",
            "short_answer",
            prompt_markdown="Symbol for sodium?",
            explanation_markdown="From Latin *natrium*.",
            points=1.0,
            accepted_answers=["Na", "na+"],
            case_sensitive=True,
        ),
        view(
            "3f0c1e9a-0005",
            "numeric",
            prompt_markdown="What is π to two decimals?",
            explanation_markdown="",
            points=2.0,
            numeric_answer=3.14,
            numeric_tolerance=0.005,
            tags=["maths"],
        ),
        view(
            "3f0c1e9a-0006",
            "essay",
            prompt_markdown="Discuss `async` in Python.\n\n1. why\n2. how",
            explanation_markdown="Look for the event loop.",
            points=10.0,
        ),
    ]


def assert_same(view: QuestionView, draft) -> None:
    question = clean_question(draft)
    assert question.type.value == view.type
    assert question.prompt == view.prompt_markdown
    assert question.explanation == view.explanation_markdown
    assert question.points == view.points
    assert options(question) == [(o.body, o.is_correct, o.feedback) for o in view.options]
    assert question.accepted_answers == view.accepted_answers
    assert question.numeric_answer == view.numeric_answer
    assert question.numeric_tolerance == view.numeric_tolerance
    assert question.case_sensitive == view.case_sensitive
    assert question.tags == view.tags


def test_round_trip_of_all_six_types_field_by_field():
    views = six_questions()
    bank = parse_qti(export_qti(views, title="Science bank"))
    assert bank.skipped == [] and bank.notes == []
    assert [i.item for i in bank.items] == [f"item {n} (q3f0c1e9a-000{n})" for n in range(1, 7)]
    for view, item in zip(views, bank.items, strict=True):
        assert_same(view, item.draft)


@pytest.mark.parametrize(
    ("answer", "tolerance"), [(10.0, 0.01), (-2.5, None), (0.1, 0.0), (1e20, 1e18), (7.0, 0.3)]
)
def test_numeric_round_trip_keeps_answer_and_tolerance_exactly(answer, tolerance):
    view = QuestionView(
        id="n",
        course_id="c",
        type="numeric",
        prompt_markdown="?",
        explanation_markdown="",
        points=1.0,
        numeric_answer=answer,
        numeric_tolerance=tolerance,
    )
    (item,) = parse_qti(export_qti([view], title="t")).items
    assert (item.draft.numeric_answer, item.draft.numeric_tolerance) == (answer, tolerance)


def test_package_is_a_manifest_and_one_assessment_canvas_can_import():
    package = export_qti(six_questions(), title="Science bank")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        manifest = archive.read("imsmanifest.xml").decode()
        (assessment,) = [n for n in names if n != "imsmanifest.xml"]
        xml = archive.read(assessment).decode()
    assert 'type="imsqti_xmlv1p2"' in manifest
    assert f'href="{assessment}"' in manifest
    assert "<questestinterop" in xml and "<fieldentry>multiple_answers_question<" in xml
    assert export_qti(six_questions(), title="Science bank") == package  # deterministic
    # The assessment XML alone reads the same as the package.
    assert parse_qti(xml.encode()) == parse_qti(package)


def test_zip_without_manifest_uses_its_only_xml_file():
    bank = parse_qti(zip_of({"quiz/questions.xml": fixture("qti_canvas_text.xml")}))
    assert len(bank.items) == 5
    two = zip_of(
        {"a.xml": fixture("qti_canvas_text.xml"), "b.xml": fixture("qti_ims_examples.xml")}
    )
    assert "not exactly one XML file" in refusal(two)


def test_manifest_lists_several_assessments_numbered_on():
    manifest = b"""<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>
      <resource identifier="a" type="imsqti_xmlv1p2"><file href="a/a.xml"/></resource>
      <resource identifier="m" type="associatedcontent/imscc_xmlv1p1/learning-application-resource"
        href="a/assessment_meta.xml"><file href="a/assessment_meta.xml"/></resource>
      <resource identifier="b" type="imsqti_xmlv1p2/imscc_xmlv1p1/question-bank" href="b.xml"/>
    </resources></manifest>"""
    package = zip_of(
        {
            "imsmanifest.xml": manifest,
            "a/a.xml": fixture("qti_canvas_choice.xml"),
            "a/assessment_meta.xml": b"<quiz/>",
            "b.xml": fixture("qti_canvas_bank.xml"),
        }
    )
    bank = parse_qti(package)
    assert [i.item for i in bank.items][-1] == "item 4 (bank_q1)"


# --- hostile files -------------------------------------------------------------------------


def test_malformed_xml_names_the_line_not_the_content():
    message = refusal(b"<questestinterop>\n<item ident='x'>\nsecret-words\n</questestinterop>")
    assert message == "This file is not well-formed XML (line 4)."


def test_billion_laughs_is_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE questestinterop [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<questestinterop><item ident="a"><presentation><material>
<mattext>&lol9;</mattext></material></presentation></item></questestinterop>"""
    assert refusal(laughs) == "This file declares XML entities, which are refused for safety."


@pytest.mark.parametrize("kind", ["general", "parameter"])
def test_external_entity_to_a_local_file_is_refused_without_its_content(tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-41")
    url = secret.as_uri().encode()
    if kind == "general":
        doctype = b'<!DOCTYPE questestinterop [<!ENTITY xxe SYSTEM "' + url + b'">]>'
        body = b"<mattext>&xxe;</mattext>"
    else:
        doctype = b'<!DOCTYPE questestinterop [<!ENTITY % xxe SYSTEM "' + url + b'"> %xxe;]>'
        body = b"<mattext>x</mattext>"
    xml = (
        doctype
        + b"<questestinterop><item ident='a'><presentation><material>"
        + body
        + b"</material></presentation></item></questestinterop>"
    )
    message = refusal(xml)
    assert "TOP-SECRET" not in message and "secret.txt" not in message
    assert "refused for safety" in message


def test_not_qti_and_damaged_zip_are_refused():
    assert refusal(b"<quiz><question/></quiz>") == "This XML file is not a QTI 1.2 question file."
    assert "damaged" in refusal(b"PK\x03\x04 not really a zip")


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "..\\evil.xml"]
)
def test_zip_with_a_path_outside_the_package_is_refused(name):
    package = zip_of({"imsmanifest.xml": b"<manifest/>", name: fixture("qti_canvas_text.xml")})
    assert "outside the package" in refusal(package)


def test_manifest_naming_a_file_outside_the_package_is_refused():
    manifest = b"""<manifest><resources><resource identifier="a" type="imsqti_xmlv1p2"
      href="../../etc/passwd"/></resources></manifest>"""
    assert "outside the package" in refusal(zip_of({"imsmanifest.xml": manifest}))


def test_zip_bomb_is_refused_before_inflating():
    bomb = zip_of({"questions.xml": b"<questestinterop>" + b" " * (20 * 1024 * 1024)})
    assert len(bomb) < MAX_BANK_BYTES
    assert refusal(bomb) == "This zip unpacks to far more than its size; it was refused."


def test_declared_huge_size_is_refused():
    package = bytearray(zip_of({"questions.xml": fixture("qti_canvas_text.xml")}))
    central = package.index(b"PK\x01\x02")
    struct.pack_into("<I", package, central + 24, 0xF000_0000)  # uncompressed size
    assert refusal(bytes(package)) == "This zip unpacks to far more than its size; it was refused."


def test_entry_whose_header_understates_its_size_is_refused():
    package = bytearray(
        zip_of({"questions.xml": fixture("qti_canvas_text.xml")}, zipfile.ZIP_STORED)
    )
    central = package.index(b"PK\x01\x02")
    struct.pack_into("<I", package, central + 24, 100)
    struct.pack_into("<I", package, 22, 100)  # the local header agrees, the data does not
    assert refusal(bytes(package)) == "This zip file is damaged and could not be read."


def test_too_many_entries_is_refused():
    package = zip_of({f"f{n}.txt": b"" for n in range(1001)})
    assert refusal(package) == "This zip holds more than 1,000 files; it was refused."


def test_file_over_the_size_limit_is_refused_unread():
    message = refusal(b"<questestinterop>" + b" " * MAX_BANK_BYTES)
    assert message == "This file is larger than 10 MB; it was refused."
