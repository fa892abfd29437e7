"""Moodle XML export: a field-by-field round trip of all six types, the Moodle elements written,
and the export's category coming back as a tag."""

from __future__ import annotations

from lxml import etree

from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import OptionDraft, clean_question
from learning_app.services.questions.interchange.moodle_xml import (
    export_moodle_xml,
    parse_moodle_xml,
)


def view(qtype: str, prompt: str, **fields: object) -> QuestionView:
    return QuestionView(
        id=f"id-{qtype}",
        course_id="course",
        type=qtype,
        prompt_markdown=prompt,
        explanation_markdown=str(fields.pop("explanation", "")),
        points=float(fields.pop("points", 1.0)),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


BANK = [
    view(
        "single_choice",
        "Which is **prime**?\n\nPick one < 10 & > 1.",
        explanation="See [primes](https://example.org/primes).",
        points=2.5,
        options=[
            OptionView("o1", "4", False, "4 is 2 squared"),
            OptionView("o2", "7", True, "Yes: only 1 and 7 divide it."),
            OptionView("o3", "`9`", False, ""),
        ],
        tags=["Numbers", "primes/basics"],
    ),
    view(
        "multiple_choice",
        "Which are *even*?",
        options=[
            OptionView("o1", "2", True, "Even."),
            OptionView("o2", "3", False, "Odd."),
            OptionView("o3", "4", True, ""),
        ],
        tags=["Numbers"],
    ),
    view(
        "true_false",
        "The sky is green.",
        explanation="It is blue.",
        points=0.5,
        options=[OptionView("t", "True", False, "No."), OptionView("f", "False", True, "Right.")],
    ),
    view(
        "short_answer",
        "Chemical symbol of gold?",
        accepted_answers=["Au", "A*u"],
        case_sensitive=True,
        tags=["Chemistry"],
    ),
    view(
        "numeric",
        "Value of π to two decimals?",
        numeric_answer=3.14,
        numeric_tolerance=0.005,
        points=3,
    ),
    view("numeric", "How many legs has a spider?", numeric_answer=8.0),
    view(
        "essay",
        "Describe ]]> <![CDATA[ the water cycle.\n\n- evaporation\n- rain",
        explanation="Look for: evaporation, condensation.",
        points=10,
    ),
]


def test_round_trip_of_all_six_types_keeps_every_field() -> None:
    exported = export_moodle_xml(BANK)
    bank = parse_moodle_xml(exported.encode())
    assert bank.skipped == []
    assert bank.notes == []
    assert len(bank.items) == len(BANK)
    for original, item in zip(BANK, bank.items, strict=True):
        back = clean_question(item.draft)
        assert back.type.value == original.type
        assert back.prompt == original.prompt_markdown
        assert back.explanation == original.explanation_markdown
        assert back.points == original.points
        assert back.options == [
            OptionDraft(o.body, o.is_correct, o.feedback) for o in original.options
        ]
        assert back.accepted_answers == original.accepted_answers
        assert back.case_sensitive == original.case_sensitive
        assert back.numeric_answer == original.numeric_answer
        assert back.numeric_tolerance == original.numeric_tolerance
        assert back.tags == original.tags


def test_export_writes_moodle_elements() -> None:
    exported = export_moodle_xml(BANK, category="Year 7 / Maths")
    root = etree.fromstring(exported.encode())
    assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == "quiz"
    category, single, multiple, true_false, short, numeric, _, essay = root
    assert category.findtext("category/text") == "$course$/top/Year 7 // Maths"
    assert [q.get("type") for q in root][1:] == [
        "multichoice",
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "numerical",
        "essay",
    ]
    assert single.find("questiontext").get("format") == "markdown"
    assert single.findtext("name/text") == "Which is **prime**?"
    assert (single.findtext("single"), single.findtext("defaultgrade")) == ("true", "2.5")
    assert [a.get("fraction") for a in single.iterfind("answer")] == ["0", "100", "0"]
    # +100/N and -100/N: Moodle's sum, floored at 0, is this app's partial-credit rule.
    assert multiple.findtext("single") == "false"
    assert [float(a.get("fraction")) for a in multiple.iterfind("answer")] == [50, -50, 50]
    assert [a.findtext("text") for a in true_false.iterfind("answer")] == ["true", "false"]
    assert short.findtext("usecase") == "1"
    assert [a.findtext("text") for a in short.iterfind("answer")] == ["Au", "A\\*u"]
    assert numeric.findtext("answer/text") == "3.14"
    assert numeric.findtext("answer/tolerance") == "0.005"
    assert essay.findtext("questiontext/text").startswith("Describe ]]> <![CDATA[")


def test_export_category_comes_back_as_a_tag() -> None:
    bank = parse_moodle_xml(export_moodle_xml(BANK[1:3], category="Biology / 101").encode())
    assert [clean_question(i.draft).tags for i in bank.items] == [
        ["Numbers", "Biology / 101"],
        ["Biology / 101"],
    ]
