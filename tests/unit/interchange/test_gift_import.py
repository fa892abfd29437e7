"""GIFT import: the grammar construct by construct, unsupported items skipped with their line and
reason, and the Moodle docs' own examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning_app.services.errors import InvalidInput
from learning_app.services.questions.drafts import OptionDraft, QuestionDraft, clean_question
from learning_app.services.questions.interchange.gift import parse_gift

DOCS_EXAMPLES = Path(__file__).parents[2] / "data" / "interchange" / "gift_docs_examples.txt"


def one(text: str) -> QuestionDraft:
    parsed = parse_gift(text)
    assert not parsed.skipped, parsed.skipped
    assert len(parsed.items) == 1
    return parsed.items[0].draft


# The grammar ----------------------------------------------------------------------------------


def test_single_choice_with_feedback_per_option():
    draft = one("Who's buried in Grant's tomb?{=no one#Right! ~Grant#He is not. ~Jefferson}")
    assert draft.type == "single_choice"
    assert draft.prompt == "Who's buried in Grant's tomb?"
    assert list(draft.options) == [
        OptionDraft("no one", True, "Right!"),
        OptionDraft("Grant", False, "He is not."),
        OptionDraft("Jefferson", False, ""),
    ]
    assert draft.points == 1.0


def test_weights_without_an_equals_sign_make_multiple_choice_and_say_so():
    parsed = parse_gift("Pick two {~%50%a ~%50%b ~%-100%c}")
    draft = parsed.items[0].draft
    assert draft.type == "multiple_choice"
    assert [(o.body, o.is_correct) for o in draft.options] == [
        ("a", True),
        ("b", True),
        ("c", False),
    ]
    assert any("weights" in note for note in parsed.notes)


def test_partial_credit_on_a_single_choice_option_is_left_out_and_noted():
    parsed = parse_gift("Q {=a ~%50%b ~c}")
    assert [o.is_correct for o in parsed.items[0].draft.options] == [True, False, False]
    assert any("Partial credit" in note for note in parsed.notes)


@pytest.mark.parametrize(
    ("mark", "is_true"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_marks(mark: str, is_true: bool):
    draft = one(f"The sun rises in the east.{{{mark}}}")
    assert draft.type == "true_false"
    assert [(o.body, o.is_correct) for o in draft.options] == [
        ("True", is_true),
        ("False", not is_true),
    ]


def test_true_false_feedback_is_wrong_then_right_as_in_moodle():
    draft = one("Grant is buried in Grant's tomb.{FALSE#No one is.#Yes: no one.}")
    true, false = draft.options
    assert (true.is_correct, true.feedback) == (False, "No one is.")
    assert (false.is_correct, false.feedback) == (True, "Yes: no one.")


def test_short_answer_all_equals_or_a_bare_answer():
    assert list(one("Who?{=no one =nobody}").accepted_answers) == ["no one", "nobody"]
    assert list(one("Two plus two is {four}").accepted_answers) == ["four"]
    assert one("Who?{=no one}").case_sensitive is False


def test_short_answer_partial_answers_and_feedback_are_left_out_and_noted():
    parsed = parse_gift("Who?{=%100%no one#Good =%50%nobody#Half}")
    assert list(parsed.items[0].draft.accepted_answers) == ["no one"]
    assert any("less than full credit" in n for n in parsed.notes)
    assert any("Feedback on short-answer" in n for n in parsed.notes)


def test_numeric_tolerance_range_and_exact():
    tol = one("When was Grant born?{#1822:5}")
    assert (tol.type, tol.numeric_answer, tol.numeric_tolerance) == ("numeric", 1822.0, 5.0)
    ranged = one("Pi to 3 places? {#3.13..3.15}")
    assert ranged.numeric_answer == pytest.approx(3.14)
    assert ranged.numeric_tolerance == pytest.approx(0.01)
    exact = one("Answer {#-2.5}")
    assert (exact.numeric_answer, exact.numeric_tolerance) == (-2.5, None)
    negative_range = one("Below zero {#-5..-3}")
    assert (negative_range.numeric_answer, negative_range.numeric_tolerance) == (-4.0, 1.0)


def test_essay_and_general_feedback_as_explanation():
    draft = one("How are you? {####Any honest answer will do.}")
    assert (draft.type, draft.explanation) == ("essay", "Any honest answer will do.")
    choice = one("Q {=a ~b ####Because a.}")
    assert choice.explanation == "Because a."
    assert len(choice.options) == 2


def test_title_is_dropped_and_noted_and_names_the_item():
    parsed = parse_gift("::Grant's tomb::Who is buried there? {=no one}")
    assert parsed.items[0].draft.prompt == "Who is buried there?"
    assert parsed.items[0].item == "line 1 (Grant's tomb)"
    assert any("titles" in note for note in parsed.notes)


def test_escapes_in_every_part():
    text = r"Is 1 \= 1 \{really\} \#1\: yes \\ no\nnext {=a\~b#fb \= \:) ~c}"
    draft = one(text)
    assert draft.prompt == "Is 1 = 1 {really} #1: yes \\ no\nnext"
    assert draft.options[0] == OptionDraft("a~b", True, "fb = :)")


def test_other_backslashes_are_kept_as_written():
    assert one(r"What is \(x^2\)? {=x squared ~x}").prompt == r"What is \(x^2\)?"


def test_comments_are_ignored_and_their_tags_kept():
    draft = one(
        "// question: 12  name: anything\n"
        "// [tag:Algebra] [tag:Week 2\\]] [tag:Algebra]\n"
        "Two plus two {\n// a comment inside\n=four\n}"
    )
    assert draft.prompt == "Two plus two"
    assert list(draft.tags) == ["Algebra", "Week 2]", "Algebra"]
    assert list(draft.accepted_answers) == ["four"]


def test_categories_tag_the_questions_after_them_with_their_last_part():
    parsed = parse_gift(
        "Before {T}\n\n$CATEGORY: $course$/top/Default for C1/Fractions\n\nA {T}\n\n"
        "// [tag:Extra]\nB {T}\n\n$CATEGORY: top\n\nC {T}\n\n$CATEGORY: a/Ratio//Rate\nD {T}"
    )
    assert [list(i.draft.tags) for i in parsed.items] == [
        [],
        ["Fractions"],
        ["Fractions", "Extra"],
        [],
        ["Ratio/Rate"],
    ]
    assert any("categories became tags" in note for note in parsed.notes)


def test_multi_line_questions_and_missing_word():
    parsed = parse_gift(
        "The American holiday of Thanksgiving is celebrated on the {\n"
        "    ~second\n    ~third\n    =fourth\n} Thursday of November.\n\n\n"
        "Japanese characters originally came\nfrom what country? {\n~India\n=China\n}"
    )
    first, second = (i.draft for i in parsed.items)
    assert first.prompt == (
        "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    )
    assert [o.body for o in first.options] == ["second", "third", "fourth"]
    assert second.prompt == "Japanese characters originally came\nfrom what country?"
    assert [i.item for i in parsed.items] == ["line 1", "line 8"]


def test_text_formats():
    assert one("[markdown]The *holiday* {T}").prompt == "The *holiday*"
    assert one("[plain]Plain <b> {T}").prompt == "Plain <b>"
    parsed = parse_gift("[html]<p>Is <b>this</b> bold?</p><img src='x.png'> {=yes ~no}")
    assert parsed.items[0].draft.prompt == "Is **this** bold?"
    assert any("[html]" in note for note in parsed.notes)
    assert any("could not be carried" in note for note in parsed.notes)  # the image


def test_points_are_not_carried_and_say_so():
    parsed = parse_gift("Q {T}")
    assert parsed.items[0].draft.points == 1.0
    assert any("no points" in note for note in parsed.notes)


# Unsupported items are skipped with their line and a reason ------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Match {=cat -> cat food =dog -> dog food}", "Matching"),
        ("Water is {=1 =one} part oxygen and {=2 =two} parts hydrogen.", "cloze"),
        ("Just a description between questions.", "description"),
        ("Born? {#=1822:0 =1823:0}", "2 numeric answers at full credit"),
        ("Born? {#abc}", '"abc" is not a number'),
        ("Range {#5..1}", "ends below where it starts"),
        ("Number {#}", "gives no answer"),
    ],
)
def test_unsupported_items_are_skipped_with_line_and_reason(text: str, reason: str):
    parsed = parse_gift(f"// first line\n\nGood {{T}}\n\n{text}")
    assert len(parsed.items) == 1
    [skipped] = parsed.skipped
    assert skipped.item == "line 5"
    assert reason in skipped.reason


def test_drafts_the_form_would_refuse_are_left_to_clean_question():
    # {=a =b ~c}: two right answers in a single choice; the import report gets the form's words.
    draft = one("Q {=a =b ~c}")
    with pytest.raises(InvalidInput, match="exactly one correct option"):
        clean_question(draft)


# The Moodle docs' own examples -----------------------------------------------------------------


def test_moodle_docs_examples_import():
    parsed = parse_gift(DOCS_EXAMPLES.read_bytes())
    drafts = {i.item: i.draft for i in parsed.items}
    for draft in drafts.values():
        clean_question(draft)  # every imported example passes the form's own checks
    assert [(s.item, s.reason.split(" (")[0]) for s in parsed.skipped] == [
        ("line 16 (Q4)", "Matching questions")
    ]
    assert drafts["line 6 (Q1)"].type == "true_false"
    q2 = drafts["line 9 (Q2)"]
    assert q2.options[0] == OptionDraft("yellow", True, "right; good!")
    assert drafts["line 13 (Q3)"].prompt == "Two plus _____ equals four."
    for label in ("line 19 (Q5)", "line 22 (Q6)"):
        assert (drafts[label].numeric_answer, drafts[label].numeric_tolerance) == (3.0, 2.0)
    q7 = drafts["line 26 (Q7)"]
    assert (q7.numeric_answer, q7.numeric_tolerance) == (1822.0, 0.0)
    assert drafts["line 32 (Q8)"].type == "essay"
    by_prompt = {d.prompt: d for d in drafts.values()}
    assert by_prompt["Grant is _____ in Grant's tomb."].type == "single_choice"
    pi = by_prompt["What is the value of pi (to 3 decimal places)? _____."]
    assert pi.numeric_answer == pytest.approx(3.1415)
    entombed = by_prompt["What two people are entombed in Grant's tomb?"]
    assert [o.body for o in entombed.options if o.is_correct] == ["Grant", "Grant's wife"]
    assert [o.body for o in by_prompt["Which answer equals 5?"].options] == [
        "= 2 + 2",
        "= 2 + 3",
        "= 2 + 4",
    ]
    last = parsed.items[-1].draft
    assert last.prompt.startswith("The *American holiday of Thanksgiving*")
    assert list(last.tags) == ["harry"]
    assert len(parsed.items) == 19
