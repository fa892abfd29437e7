"""GIFT export: a round trip of all six types compared field by field, the weights and category
written, and Moodle's order for true/false feedback."""

from __future__ import annotations

from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import clean_question
from learning_app.services.questions.interchange.gift import export_gift, parse_gift


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
