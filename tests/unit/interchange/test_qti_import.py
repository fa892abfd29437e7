"""QTI 1.2 import: hand-written fixtures in Canvas's export shape and the IMS examples' plain
syntax, with what is skipped and what the report notes."""

from __future__ import annotations

import pytest

from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.interchange.items import ParsedBank
from learning_app.services.questions.interchange.qti import parse_qti
from learning_app.services.questions.interchange.qti_reader import (
    LOST_NOTES,
    NOTE_ANSWER_FEEDBACK,
    NOTE_BANK_TAG,
    NOTE_NO_POINTS,
    NOTE_SEVERAL_NUMERIC,
    NOTE_TITLES,
    NOTE_WHOLE_FEEDBACK,
)
from tests.unit.interchange.qti_helpers import fixture, options


def cleaned(bank: ParsedBank) -> dict:
    """Each imported item's cleaned question, by its item label."""
    return {item.item: clean_question(item.draft) for item in bank.items}


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
