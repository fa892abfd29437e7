"""Reading a language model's drafted questions: JSON wherever the reply puts it, each item
checked like a teacher's form, and whatever is not a usable question left out and counted."""

from __future__ import annotations

import json

import pytest

from learning_app.services.errors import DomainError, InvalidInput
from learning_app.services.questions.generation import (
    DRAFTING_OFF,
    SourceText,
    draft_questions,
    drafting_messages,
    parse_drafts,
)

SINGLE = {
    "type": "single_choice",
    "prompt": "What pulls on the oceans?",
    "options": [{"text": "The moon", "correct": True}, {"text": "The wind", "correct": False}],
    "explanation": "The moon's gravity pulls on the oceans.",
}
TRUE_FALSE = {
    "type": "true_false",
    "prompt": "Most coasts see two high tides a day.",
    "answer": True,
}
SHORT = {
    "type": "short_answer",
    "prompt": "What bulges towards the moon?",
    "accepted_answers": ["water"],
}
NUMERIC = {"type": "numeric", "prompt": "How many low tides a day?", "answer": "2", "tolerance": 0}


def _reply(*items: object) -> str:
    return "Here you go!\n```json\n" + json.dumps({"questions": list(items)}) + "\n```\nEnjoy."


def test_every_kind_of_question_is_read_from_a_reply_wrapped_in_prose_and_fences() -> None:
    batch = parse_drafts(_reply(SINGLE, TRUE_FALSE, SHORT, NUMERIC), limit=10)
    assert batch.rejected == 0
    single, true_false, short, numeric = batch.drafts
    assert [(o.body, o.is_correct) for o in single.options] == [
        ("The moon", True),
        ("The wind", False),
    ]
    assert single.explanation == "The moon's gravity pulls on the oceans."
    assert [(o.body, o.is_correct) for o in true_false.options] == [
        ("True", True),
        ("False", False),
    ]
    assert short.accepted_answers == ["water"]
    assert numeric.numeric_answer == 2.0 and numeric.numeric_tolerance == 0.0
    assert all(d.points == 1.0 for d in batch.drafts)


def test_a_bare_list_and_plain_string_options_are_read_too() -> None:
    item = {
        "type": "multiple_choice",
        "prompt": "Which are forces?",
        "options": ["gravity", "tide"],
    }
    # Plain strings carry no "correct" mark, so a choice question made of them is not gradable.
    assert parse_drafts(json.dumps([item, SINGLE]), limit=5).rejected == 1


@pytest.mark.parametrize(
    "item",
    [
        {**SINGLE, "prompt": "  "},  # no question
        {**SINGLE, "type": "riddle"},  # no such type
        {**SINGLE, "options": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]},
        {**SINGLE, "options": "The moon"},  # not a list
        {**NUMERIC, "answer": "many"},
        {**NUMERIC, "answer": True},
        {**SHORT, "accepted_answers": []},
        {**TRUE_FALSE, "answer": "yes"},
        "What pulls on the oceans?",  # not an object
        {**SINGLE, "prompt": "x" * 10_001},
    ],
)
def test_an_item_that_is_not_a_usable_question_is_left_out_and_counted(item: object) -> None:
    batch = parse_drafts(_reply(item, SHORT), limit=10)
    assert [d.prompt for d in batch.drafts] == [SHORT["prompt"]] and batch.rejected == 1


def test_repeats_are_dropped_and_no_more_than_asked_for_are_kept() -> None:
    shouting = {**SINGLE, "prompt": SINGLE["prompt"].upper()}
    batch = parse_drafts(_reply(SINGLE, shouting, SHORT, NUMERIC), limit=2)
    assert [d.prompt for d in batch.drafts] == [SINGLE["prompt"], SHORT["prompt"]]
    assert batch.rejected == 1  # the repeat; the question past the limit was not looked at


@pytest.mark.parametrize(
    "reply",
    ["", "I cannot help with that.", "{not json", '{"questions": 3}', "[" * 20_000, '["a", 1]'],
)
def test_a_reply_without_questions_gives_none(reply: str) -> None:
    assert parse_drafts(reply, limit=5).drafts == []


def test_brackets_before_the_questions_do_not_hide_them() -> None:
    reply = "Per item [1] and [2]: " + json.dumps({"questions": [SHORT]})
    assert [d.prompt for d in parse_drafts(reply, limit=5).drafts] == [SHORT["prompt"]]


def test_a_number_beyond_a_float_is_not_an_answer() -> None:
    huge = '{"type": "numeric", "prompt": "How many?", "answer": 1' + "0" * 400 + "}"
    batch = parse_drafts(f'{{"questions": [{huge}, {json.dumps(SHORT)}]}}', limit=5)
    assert [d.prompt for d in batch.drafts] == [SHORT["prompt"]] and batch.rejected == 1


def test_the_prompt_holds_the_material_and_the_number_asked_for() -> None:
    system, user = drafting_messages(SourceText("Tides", "The moon pulls the sea."), 4)
    assert "ONLY the material" in system["content"] and "JSON" in system["content"]
    assert user["content"] == "Material: Tides\n\nThe moon pulls the sea.\n\nWrite 4 questions."


def test_without_a_language_model_drafting_says_how_to_turn_it_on() -> None:
    with pytest.raises(DomainError, match="OPENAI_BASE_URL"):
        draft_questions(SourceText("Tides", "text"), count=3, chat=None)
    assert "OPENAI_API_KEY" in DRAFTING_OFF


@pytest.mark.parametrize("count", ["0", "11", "five", ""])
def test_a_count_outside_one_to_ten_is_refused_before_the_model_is_asked(count: str) -> None:
    class NeverAsked:
        def stream(self, *_: object, **__: object) -> None:
            raise AssertionError("the model was asked")

    with pytest.raises(InvalidInput, match="1 to 10"):
        draft_questions(SourceText("Tides", "text"), count=count, chat=NeverAsked())  # type: ignore[arg-type]
