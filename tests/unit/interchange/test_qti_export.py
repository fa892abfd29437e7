"""QTI 1.2 export and round trips: all six types field by field, numeric answers exactly, the
package Canvas imports, and zip packages read with or without a manifest."""

from __future__ import annotations

import io
import zipfile

import pytest

from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.interchange.qti import parse_qti
from learning_app.services.questions.interchange.qti_export import export_qti
from tests.unit.interchange.qti_helpers import fixture, options, refusal, zip_of


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
