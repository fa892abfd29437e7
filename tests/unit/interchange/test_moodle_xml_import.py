"""Moodle XML import: each type from hand-written files (the Moodle docs' own examples among them),
what is skipped or noted, and how HTML and a declared encoding are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning_app.services.errors import InvalidInput
from learning_app.services.questions.drafts import CleanQuestion, clean_question
from learning_app.services.questions.interchange.html_markdown import html_to_markdown
from learning_app.services.questions.interchange.items import ParsedBank
from learning_app.services.questions.interchange.moodle_xml import parse_moodle_xml

DATA = Path(__file__).resolve().parents[2] / "data" / "interchange"


def parse_file(name: str) -> ParsedBank:
    return parse_moodle_xml((DATA / name).read_bytes())


def by_item(bank: ParsedBank) -> dict[int, CleanQuestion]:
    return {int(i.item.split()[1].rstrip(",")): clean_question(i.draft) for i in bank.items}


# --- The Moodle docs' examples ---------------------------------------------------------------


def test_docs_examples_import_each_type() -> None:
    bank = parse_file("moodle_docs_examples.xml")
    questions = by_item(bank)
    assert sorted(questions) == [1, 2, 3, 4, 5]

    choice = questions[1]
    assert choice.type.value == "single_choice"
    assert choice.prompt == "What is the answer to this question?"
    assert [(o.body, o.is_correct, o.feedback) for o in choice.options] == [
        ("The correct answer", True, "Correct!"),
        ("A distractor", False, "Ooops!"),
        ("Another distractor", False, "Ooops!"),
    ]
    # The page's <tags> example, then the current category ($course$/XXXX) as a tag.
    assert choice.tags == ["tag text", "more tag text", "XXXX"]

    true_false = questions[2]
    assert true_false.type.value == "true_false"
    assert [(o.body, o.is_correct, o.feedback) for o in true_false.options] == [
        ("True", True, "Correct!"),
        ("False", False, "Ooops!"),
    ]

    short = questions[3]
    assert short.type.value == "short_answer"
    assert short.accepted_answers == ["The correct answer", "An alternative answer"]
    assert short.case_sensitive is False

    numeric = questions[4]
    assert (numeric.type.value, numeric.numeric_answer, numeric.numeric_tolerance) == (
        "numeric",
        23.0,
        None,
    )

    essay = questions[5]
    assert (essay.type.value, essay.points) == ("essay", 1.0)


def test_docs_examples_skip_cloze_matching_and_description_with_item_numbers() -> None:
    bank = parse_file("moodle_docs_examples.xml")
    assert [(s.item, s.reason) for s in bank.skipped] == [
        (
            "item 6 (Cloze), line 111",
            "Moodle's cloze (multianswer) questions have no equivalent here",
        ),
        (
            "item 7 (Name of question), line 128",
            "Moodle's matching questions have no equivalent here",
        ),
        (
            "item 8 (Name of question), line 147",
            "Moodle's descriptions (text with nothing to answer) have no equivalent here",
        ),
    ]


def test_docs_examples_note_names_and_answer_feedback() -> None:
    notes = parse_file("moodle_docs_examples.xml").notes
    assert "Question names were left out: questions here have none (items 1, 2, 3, 4, 5)." in notes
    assert "Feedback on individual short or numerical answers was left out (items 3, 4)." in notes


# --- A file in the shape of a real Moodle export ---------------------------------------------


def test_moodle_export_sample_imports_each_type() -> None:
    bank = parse_file("moodle_export_sample.xml")
    questions = by_item(bank)
    assert sorted(questions) == [1, 2, 3, 4, 5, 6]
    assert bank.items[0].item == "item 1 (Powerhouse), line 20"

    single = questions[1]
    assert single.type.value == "single_choice"
    assert single.prompt == "Which organelle is the **powerhouse** of the cell?"
    assert single.explanation == "Mitochondria make most of the cell's *ATP*."
    assert single.points == 2.0
    assert [(o.body, o.is_correct, o.feedback) for o in single.options] == [
        ("Mitochondrion", True, "Yes."),
        ("Ribosome", False, "Ribosomes make proteins."),
        ("Nucleus", False, ""),
    ]
    # "Default for Biology 101" is Moodle's container, not a topic: no tag from it.
    assert single.tags == ["cells"]

    multiple = questions[2]
    assert multiple.type.value == "multiple_choice"
    assert multiple.prompt == "Which are DNA bases?\n\n- Choose all that apply"
    assert [(o.body, o.is_correct) for o in multiple.options] == [
        ("Adenine", True),
        ("Thymine", True),
        ("Uracil", False),
    ]
    assert multiple.options[2].feedback == "Uracil is in RNA."
    assert multiple.tags == ["Genetics"]  # the nested category's last segment

    # The answers come false first; they are matched by their text, not their order.
    true_false = questions[3]
    assert [(o.body, o.is_correct, o.feedback) for o in true_false.options] == [
        ("True", False, "No: two."),
        ("False", True, "Right."),
    ]
    assert true_false.explanation == "It is a double helix."

    short = questions[4]
    assert (short.accepted_answers, short.case_sensitive, short.points) == (["Na"], True, 1.5)

    numeric = questions[5]
    assert (numeric.numeric_answer, numeric.numeric_tolerance) == (46.0, 0.5)
    assert numeric.prompt == "How many chromosomes does a **human** cell have?"  # markdown kept

    essay = questions[6]
    assert (essay.type.value, essay.prompt, essay.points) == ("essay", "Describe mitosis.", 10.0)
    assert essay.tags == ["cell division", "Genetics"]


def test_moodle_export_sample_names_every_dropped_feature_with_its_items() -> None:
    bank = parse_file("moodle_export_sample.xml")
    assert bank.notes == [
        "Question names were left out: questions here have none (items 1, 2, 3, 4, 5, 6).",
        "Hints for Moodle's multiple tries were left out (item 1).",
        "Overall feedback for right, partly right and wrong answers was left out (item 1).",
        "Multiple-answer questions are scored by this app's rule (each correct option an equal "
        "share, each wrong choice takes one share back), not by the file's percentages (item 2).",
        "Feedback on individual short or numerical answers was left out (items 4, 5).",
        "Short answers worth partial credit were dropped: only 100% answers are accepted (item 4).",
        "Numerical questions keep only their 100% answer: other answers worth credit were "
        "dropped (item 5).",
        "Units of numerical questions were left out (item 5).",
        "Images and attached files were left out (item 6).",
        "Grader information and response templates of essays were left out (item 6).",
    ]
    assert [(s.item, s.reason) for s in bank.skipped] == [
        (
            "item 7 (Drag words), line 236",
            "Moodle's drag-and-drop into text questions have no equivalent here",
        ),
        ("item 8 (Area), line 248", "Moodle's calculated questions have no equivalent here"),
    ]


def quiz(*questions: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><quiz>" + "".join(questions) + "</quiz>"
    ).encode()


def question(qtype: str, body: str = "", prompt: str = "Q?") -> str:
    return (
        f"<question type='{qtype}'><questiontext format='plain_text'><text>{prompt}</text>"
        f"</questiontext>{body}</question>"
    )


def test_unknown_and_missing_types_are_skipped_and_numbering_ignores_categories() -> None:
    bank = parse_moodle_xml(
        quiz(
            "<question type='category'><category><text>$course$/top/A</text></category></question>",
            question("essay"),
            question("ordering"),
            "<question><questiontext><text>No type</text></questiontext></question>",
            question("MyPlugin"),
        )
    )
    assert [i.item for i in bank.items] == ["item 1, line 1"]
    assert [(s.item.split(",")[0], s.reason) for s in bank.skipped] == [
        ("item 2", "Moodle's ordering questions have no equivalent here"),
        ("item 3", "Moodle questions of type “(none)” have no equivalent here"),
        ("item 4", "Moodle questions of type “myplugin” have no equivalent here"),
    ]


def test_single_choice_partial_credit_and_short_answer_wildcards_are_noted() -> None:
    bank = parse_moodle_xml(
        quiz(
            question(
                "multichoice",
                "<single>true</single>"
                "<answer fraction='100'><text>a</text></answer>"
                "<answer fraction='50'><text>b</text></answer>",
            ),
            question(
                "shortanswer",
                "<answer fraction='100'><text>*grant*</text></answer>"
                "<answer fraction='100'><text>5 \\* 3</text></answer>",
            ),
        )
    )
    choice, short = (clean_question(i.draft) for i in bank.items)
    assert [o.is_correct for o in choice.options] == [True, False]
    assert short.accepted_answers == ["*grant*", "5 * 3"]  # \* is a literal star
    assert bank.notes == [
        "Partial credit on single-answer choices was dropped: only the 100% answer counts "
        "(item 1).",
        "The * wildcard of short answers is matched literally here (item 2).",
    ]


def test_broken_items_are_skipped_or_left_to_the_form_checks() -> None:
    bank = parse_moodle_xml(
        quiz(
            question("numerical", "<answer fraction='50'><text>3</text></answer>"),
            question("multichoice", "<answer fraction='lots'><text>a</text></answer>"),
            question("essay", "<defaultgrade>0</defaultgrade>"),
            question("truefalse"),
        )
    )
    assert [(s.item.split(",")[0], s.reason) for s in bank.skipped] == [
        ("item 1", "A numerical question needs an answer worth 100%"),
        ("item 2", "An answer's fraction is not a number"),
        ("item 4", "A true/false question needs its true and false answers"),
    ]
    # Zero points is read as written; the form's own check refuses it with its message.
    [essay] = bank.items
    with pytest.raises(InvalidInput, match="Points must be above 0"):
        clean_question(essay.draft)


def test_html_text_becomes_simple_markdown() -> None:
    text, lost = html_to_markdown(
        "<p>Read <a href='https://example.org/a'>this</a> and <a href='javascript:x()'>that</a>"
        "<br>then answer:</p><ol><li>one</li><li><em>two</em></li></ol>"
        "<script>alert(1)</script><table><tr><td>a</td><td>b</td></tr></table>"
        "<pre>x = 1\ny = 2</pre><img src='x.png'>&amp; done"
    )
    assert text == (
        "Read [this](https://example.org/a) and that\nthen answer:\n\n1. one\n1. *two*\n\n"
        "a | b\n\n```\nx = 1\ny = 2\n```\n\n& done"
    )
    assert lost == {"tables", "files"}
    assert html_to_markdown("plain & simple") == ("plain & simple", set())


def test_a_declared_latin_1_file_is_read_in_its_encoding() -> None:
    data = (
        "<?xml version='1.0' encoding='ISO-8859-1'?><quiz>"
        + question("essay", prompt="Décrivez l'été.")
        + "</quiz>"
    ).encode("latin-1")
    [item] = parse_moodle_xml(data).items
    assert item.draft.prompt == "Décrivez l'été."
