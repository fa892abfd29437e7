"""The cloze rules of offline card drafting, pinned on an original text: which sentences make
cards, what is blanked, what the back says, and the cap and de-duplication."""

from __future__ import annotations

import pytest

from learning_app.services.errors import DomainError
from learning_app.services.review import card_drafting
from learning_app.services.review.card_drafting import BLANK, CardSource, cloze_cards

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
