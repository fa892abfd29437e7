"""GIFT in and out: the grammar construct by construct, the Moodle docs' own examples, a round
trip of all six types compared field by field, and hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning_app.services.errors import InvalidInput
from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import OptionDraft, QuestionDraft, clean_question
from learning_app.services.questions.interchange.gift import export_gift, parse_gift
from learning_app.services.questions.interchange.items import MAX_BANK_BYTES, BankFileRefused

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


# Round trip --------------------------------------------------------------------------------------


def view(qtype: str, prompt: str, **fields: object) -> QuestionView:
    base: dict[str, object] = {
        "id": "q",
        "course_id": "c",
        "type": qtype,
        "prompt_markdown": prompt,
        "explanation_markdown": "",
        "points": 1.0,
    }
    return QuestionView(**(base | fields))  # type: ignore[arg-type]


def option(body: str, correct: bool = False, feedback: str = "") -> OptionView:
    return OptionView(id=body, body=body, is_correct=correct, feedback=feedback)


BANK = [
    view(
        "single_choice",
        "What is **2 + 2**? Think {carefully}: it's #1 = easy ~ really.\n\nSecond paragraph \\ ok",
        explanation_markdown="Because 2 + 2 = 4.\nSee [notes](https://example.org/a:b).",
        options=[
            option("4", True, "Right: well done #1"),
            option("%50% of 8", False, "Half of eight = 4 too, but no"),
            option("[html] 5", False),
            option("22 -> no", False),
        ],
        tags=["Arithmetic", "Week 1]"],
    ),
    view(
        "multiple_choice",
        "Pick the primes",
        options=[option("2", True, "Even prime"), option("3", True), option("4")],
        tags=["Primes"],
    ),
    view(
        "true_false",
        "The sun rises in the west.",
        explanation_markdown="It rises in the east.",
        options=[option("True", False, "No: east."), option("False", True, "Yes.")],
    ),
    view(
        "short_answer",
        "Who is buried in Grant's tomb?",
        accepted_answers=["no one", "nobody", "T", "a = b: {c}"],
    ),
    view(
        "numeric",
        "Pi to two places?",
        numeric_answer=3.14,
        numeric_tolerance=0.005,
        explanation_markdown="3.14159...",
    ),
    view("numeric", "Exactly one third as a float?", numeric_answer=1 / 3),
    view("numeric", "Zero tolerance", numeric_answer=-1e-05, numeric_tolerance=0.0),
    view("essay", "Describe your favourite film.", explanation_markdown="Plot, cast, why."),
    view("essay", "[html] is not a format here"),
]


def test_round_trip_of_all_six_types_field_by_field():
    text = export_gift(BANK)
    parsed = parse_gift(text)
    assert not parsed.skipped
    assert len(parsed.items) == len(BANK)
    for original, item in zip(BANK, parsed.items, strict=True):
        draft = item.draft
        clean_question(draft)
        assert draft.type == original.type
        assert draft.prompt == original.prompt_markdown
        assert draft.explanation == original.explanation_markdown
        assert [(o.body, o.is_correct, o.feedback) for o in draft.options] == [
            (o.body, o.is_correct, o.feedback) for o in original.options
        ]
        assert list(draft.accepted_answers) == original.accepted_answers
        assert draft.numeric_answer == original.numeric_answer
        assert draft.numeric_tolerance == original.numeric_tolerance
        assert list(draft.tags) == original.tags
        assert draft.points == 1.0  # GIFT has no points: the one field it cannot carry


def test_export_writes_weights_that_score_like_ours_and_no_points():
    text = export_gift([BANK[1]], category="Course: Maths/Algebra")
    assert "\t~%50%2#Even prime\n\t~%50%3\n\t~%-50%4\n" in text
    assert "$CATEGORY: Course: Maths//Algebra" in text
    parsed = parse_gift(text)
    assert list(parsed.items[0].draft.tags) == ["Course: Maths/Algebra", "Primes"]


def test_export_of_ten_tags_with_a_category_keeps_the_tags():
    ten = [f"t{i}" for i in range(10)]
    parsed = parse_gift(export_gift([view("essay", "E", tags=ten)], category="Course"))
    assert list(parsed.items[0].draft.tags) == ten
    assert any("category tag was left off" in note for note in parsed.notes)


def test_true_false_export_follows_moodle_order():
    text = export_gift([BANK[2]])
    assert r"{FALSE#No\: east.#Yes.####It rises in the east.}" in text


# Hostile files -----------------------------------------------------------------------------------


def test_unclosed_brace_refuses_the_file_with_its_line():
    text = "Q1 {T}\n\n// c\nQ2 {\n=a\n~b\n\nQ3 {T}"
    with pytest.raises(
        BankFileRefused, match=r"^Line 4: a question opened with \{ is never closed"
    ):
        parse_gift(text)


def test_brace_opened_twice_names_both_lines():
    with pytest.raises(
        BankFileRefused, match=r"Line 1: .* never closed \(another \{ follows on line 2\)"
    ):
        parse_gift("Q1 {=a ~b\nQ2 {T}")


def test_stray_closing_brace_refuses_the_file():
    with pytest.raises(BankFileRefused, match=r"^Line 3: this \} closes no \{"):
        parse_gift("Q {T}\n\nA brace } alone")


@pytest.mark.parametrize("data", [b"", "", "\n\n  \n", "// only a comment\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data: bytes | str):
    with pytest.raises(BankFileRefused, match="no GIFT questions"):
        parse_gift(data)


def test_file_over_the_limit_is_refused_before_reading():
    big = b"Q {T}\n\n" * (MAX_BANK_BYTES // 7 + 1)
    assert len(big) > MAX_BANK_BYTES
    with pytest.raises(BankFileRefused, match="may be at most 10 MB"):
        parse_gift(big)
    with pytest.raises(BankFileRefused, match="may be at most 10 MB"):
        parse_gift(big.decode())


def test_non_utf8_bytes_are_refused_with_where():
    with pytest.raises(BankFileRefused, match=r"not UTF-8 text \(line 3, byte 11 cannot be read\)"):
        parse_gift("Q {T}\n\nCaf\u00e9 ?{T}".encode("latin-1"))


def test_utf8_with_bom_and_windows_line_ends_are_read():
    parsed = parse_gift("\ufeffQ1 {T}\r\n\r\nQ2\r\n{=a ~b}".encode())
    assert [(i.item, i.draft.prompt) for i in parsed.items] == [("line 1", "Q1"), ("line 3", "Q2")]


def test_nul_and_reserved_characters_are_refused():
    with pytest.raises(BankFileRefused, match="NUL"):
        parse_gift(b"Q {T}\x00")
    with pytest.raises(BankFileRefused, match=r"Line 2: .*private use"):
        parse_gift("Q {T}\nA \U000f0003 {F}")
