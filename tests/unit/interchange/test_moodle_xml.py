"""Moodle XML banks: each type from hand-written files (the Moodle docs' own examples among them),
what is skipped or noted, a field-by-field round trip of all six types, and hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from learning_app.services.errors import InvalidInput
from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import CleanQuestion, OptionDraft, clean_question
from learning_app.services.questions.interchange.html_markdown import html_to_markdown
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ParsedBank,
)
from learning_app.services.questions.interchange.moodle_xml import (
    export_moodle_xml,
    parse_moodle_xml,
)

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


# --- Round trip ------------------------------------------------------------------------------


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


# --- Hostile files ---------------------------------------------------------------------------


def refused(data: bytes) -> str:
    with pytest.raises(BankFileRefused) as caught:
        parse_moodle_xml(data)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_malformed_xml_is_refused_with_its_position() -> None:
    message = refused(b"<quiz>\n<question type='essay'>\n</quiz>")
    assert message.startswith("This file is not well-formed XML (line 3, column")


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY lol0 "lol">{entities}]>'
        "<quiz><question type='essay'><questiontext><text>&lol9;</text></questiontext>"
        "</question></quiz>"
    ).encode()
    message = refused(data)  # at the DOCTYPE, before any entity is read
    assert "document type or entities" in message
    assert "lol" not in message


def test_external_entity_to_a_local_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD-42")
    for declaration in (
        f'<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>',
        '<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        f'<!DOCTYPE quiz [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
        f'<!DOCTYPE quiz SYSTEM "file://{secret}">',
    ):
        data = (
            f'<?xml version="1.0"?>{declaration}'
            "<quiz><question type='essay'><questiontext><text>&x;</text></questiontext>"
            "</question></quiz>"
        ).encode()
        message = refused(data)
        assert "TOP-SECRET" not in message and "root:" not in message
        assert str(secret) not in message and "passwd" not in message


def test_a_file_over_the_size_limit_is_refused() -> None:
    message = refused(b"<quiz>" + b" " * MAX_BANK_BYTES + b"</quiz>")
    assert "at most 10 MB" in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        b"PK\x03\x04\x14\x00\x06\x00garbage",
        "<?xml version='1.0' encoding='UTF-8'?><quiz>caf\xe9</quiz>".encode("latin-1"),
        b"\xff\xfe\xfd not xml at all",
    ],
)
def test_garbage_and_non_utf8_bytes_are_refused(data: bytes) -> None:
    assert refused(data).startswith("This file is not well-formed XML")


@pytest.mark.parametrize(
    "data",
    [
        b"<quiz></quiz>",
        b"<quiz/>",
        b"<quiz><question type='category'><category><text>$course$/A</text></category>"
        b"</question></quiz>",
    ],
)
def test_an_empty_quiz_is_refused(data: bytes) -> None:
    assert refused(data) == "This Moodle XML file holds no questions."


def test_xml_that_is_not_a_quiz_is_refused() -> None:
    assert refused(b"<html><body>hi</body></html>") == (
        "This XML file is not a Moodle question bank (no <quiz> element)."
    )
