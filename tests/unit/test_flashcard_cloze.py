"""The cloze rules of offline card drafting, pinned on an original text: which sentences make
cards, what is blanked, what the back says, what a term is, and the cap and de-duplication
(among the drafts and against the course's cards)."""

from __future__ import annotations

import pytest

from learning_app.services.errors import DomainError
from learning_app.services.review import card_drafting, cloze
from learning_app.services.review.card_drafting import CardSource
from learning_app.services.review.cloze import BLANK, cloze_cards
from learning_app.services.review.flashcards import card_key

# An original text with one sentence for each rule, and sentences no rule may take.
LESSON = """# Rivers

A delta is a landform that forms where a river meets a slower body of water.
The Nile delta, also called the Egyptian delta, is one of the largest in the world.
Sediment refers to the sand, silt and clay that moving water carries downstream.
It is a slow process. This means that deltas grow over many centuries.

Heavy rain upstream leads to sudden floods in the valleys below the mountains.
Farmers settled on the floodplain because the soil there was rich in nutrients.
Dams trap a large share of the sediment. As a result, many deltas are now shrinking.
Erosion is defined as the wearing away of land by water, wind or ice.
The causes of erosion are many and varied across the world.
Is a river a living system?

```
A comment is a line the computer does not run at all.
```
"""


def test_the_cloze_rules_blank_the_term_or_the_effect() -> None:
    cards = {card.front: card for card in cloze_cards(LESSON)}
    assert list(cards) == [
        f"A {BLANK} is a landform that forms where a river meets a slower body of water.",
        f"The {BLANK}, also called the Egyptian delta, is one of the largest in the world.",
        f"{BLANK} refers to the sand, silt and clay that moving water carries downstream.",
        f"Heavy rain upstream leads to {BLANK}.",
        f"{BLANK} because the soil there was rich in nutrients.",
        f"Dams trap a large share of the sediment. As a result, {BLANK}.",
        f"{BLANK} is defined as the wearing away of land by water, wind or ice.",
    ]
    delta = cards[f"A {BLANK} is a landform that forms where a river meets a slower body of water."]
    assert delta.back == (
        "delta\n\nA delta is a landform that forms where a river meets a slower body of water."
    )
    assert delta.kind == "definition"
    floods = cards[f"Heavy rain upstream leads to {BLANK}."]
    assert floods.back.split("\n\n")[0] == "sudden floods in the valleys below the mountains"
    assert floods.kind == "cause"
    # Pronouns ("It is a", "This means"), a noun "causes", a question and code are no cards.
    assert not any("process" in f or "centuries" in f or "comment" in f for f in cards)


def test_the_cloze_drafts_are_capped_deduplicated_and_prefer_mid_length_sentences() -> None:
    short = "A rune is a letter.\n\n"  # five words: allowed, but after the preferred ones
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
        "kilo",
        "lima",
    ]
    many = "".join(
        f"The {word} is a made up word that appears in paragraph {n} of this test.\n\n"
        for n, word in enumerate(words)
    )
    cards = cloze_cards(short + many + many)
    assert len(cards) == 10
    assert len({card.front for card in cards}) == 10
    assert all("rune" not in card.back for card in cards)
    assert cards[0].back.startswith("alpha\n\n")


def test_text_without_defining_sentences_says_so() -> None:
    with pytest.raises(DomainError, match="No defining sentences were found in “Notes”"):
        card_drafting.draft_cards(
            CardSource("Notes", "Bring a pencil. We meet at noon."), chat=None
        )


@pytest.mark.parametrize(
    "sentence",
    [
        # A negated verb phrase, not a term: once drafted as the nonsense back "= sign does not".
        'The = sign does not mean "equals" as in mathematics: it means make this name point at '
        "that value.",
        "A loop can mean that the program never stops running.",
        "The list isn't a copy of the original values at all.",
        "The old value was never a problem for the new version.",
        "X = 3 means that the name X points at the number three.",
        "1 + 2 is the sum of the first two whole numbers.",
    ],
)
def test_a_span_with_a_verb_a_negation_or_no_word_is_no_term(sentence: str) -> None:
    assert cloze.definition_card(sentence) is None
    assert cloze_cards(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("The = sign is the operator that binds a name to a value.", "= sign"),
        ("C is a programming language that stays close to the machine.", "C"),
        ("The x-axis is the horizontal line at the bottom of a chart.", "x-axis"),
        ("A hash table is a structure that finds values by their keys.", "hash table"),
    ],
)
def test_a_term_is_a_name_with_a_word_or_a_one_letter_name(sentence: str, term: str) -> None:
    card = cloze.definition_card(sentence)
    assert card is not None and card.back == f"{term}\n\n{sentence}"


def test_drafts_the_course_already_has_are_left_out_ignoring_whitespace_and_case() -> None:
    (delta, *others) = cloze_cards(LESSON)
    known = card_key(delta.front.upper(), "  " + delta.back.replace(" ", "\n  "))
    batch = card_drafting.draft_cards(
        CardSource("Rivers", LESSON, existing=frozenset({known})), chat=None
    )
    assert batch.drafts == others
    assert batch.notes == ["Left out 1 card the course already has."]
    everything = frozenset(card_key(d.front, d.back) for d in cloze_cards(LESSON))
    with pytest.raises(DomainError, match="Every card drafted from “Rivers” is one the course"):
        card_drafting.draft_cards(CardSource("Rivers", LESSON, existing=everything), chat=None)
