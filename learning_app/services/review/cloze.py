"""Cloze flashcards cut from a text's defining sentences, offline, by a few transparent rules
(the same for every text, tuned to none); `card_drafting` offers them to teachers and the demo
world seeds them.

- a definition: "X is defined as Y", "X refers to Y", "X means Y", "X, also called Y, ...",
  "X is/are a|an|the Y". The front is the sentence with the term X blanked ("[…]"), the back
  the term and the whole sentence;
- a cause and its effect: "X leads to / causes / results in Y", "Y because X", "Because X, Y",
  and "Therefore / As a result / Consequently, Y" after the sentence that gives the cause.
  The effect is blanked.

A rule only proposes: a sentence must start like one (a capital letter), hold 5 to 50 words
(8 to 40 are preferred), and a term must be short (at most 6 words), not a pronoun ("It is
a ...") and name something: no auxiliary verb or negation in it ("The = sign does not mean"),
and a word of two letters or more unless it is a one-letter name ("C").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from learning_app.services.markdown_render import render_plain

BLANK = "[…]"
MAX_CARD_DRAFTS = 10
MIN_WORDS, MAX_WORDS = 5, 50  # a sentence outside these is not a card
GOOD_MIN_WORDS, GOOD_MAX_WORDS = 8, 40  # ...and one inside these is preferred
MAX_TERM_WORDS = 6
MIN_EFFECT_WORDS, MAX_EFFECT_WORDS = 2, 25

# Words that open a sentence about something said before, not a term being defined.
# fmt: off
_NOT_A_TERM = frozenset({
    "it", "this", "that", "these", "those", "there", "here", "they", "he", "she", "we", "you",
    "i", "which", "what", "who", "whom", "whose", "one", "each", "such", "another", "its",
    "their", "his", "her", "our", "my", "your", "all", "some", "many", "most", "both", "either",
    "neither", "none", "nothing", "something", "everything", "anything",
})
# Words that make a span a clause, not a name: a term names a thing, so it holds no
# auxiliary or modal verb and no negation ("The = sign does not mean ..." defines no "= sign
# does not"). Only these closed classes are listed; other verbs cannot be told from nouns
# without a tagger. A term that is also a modal ("free will", "a tin can") is lost with
# them: a missing card costs the teacher a line, a nonsense one their trust in the drafts.
_NOT_IN_A_TERM = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "has",
    "have", "had", "can", "cannot", "could", "may", "might", "must", "shall", "should",
    "will", "would", "not", "never",
})
# fmt: on
_ARTICLES = ("the ", "a ", "an ")
_TERM = r"(?P<term>[^,;:()\[\]]{1,80}?)"
_DEFINITIONS = [
    re.compile(rf"^{_TERM} (?:is|are) defined as (?P<rest>.+)$"),
    re.compile(rf"^{_TERM} (?:refers|refer) to (?P<rest>.+)$"),
    re.compile(rf"^{_TERM} (?:means|mean) (?P<rest>.+)$"),
    re.compile(rf"^{_TERM}, (?:also )?(?:called|known as) (?P<alias>[^,]+), (?P<rest>.+)$"),
    re.compile(rf"^{_TERM} (?:is|are|was|were) (?:a|an|the) (?P<rest>.+)$"),
]
_LEADS_TO = re.compile(
    r"^(?P<cause>.+?) (?:leads? to|led to|causes|cause|caused|results? in|resulted in) "
    r"(?P<effect>.+?)[.!]?$"
)
_BECAUSE = re.compile(r"^(?P<effect>.+?),? because (?P<cause>.+)$")
_BECAUSE_FIRST = re.compile(r"^Because (?P<cause>[^,]+), (?P<effect>.+?)[.!]?$")
_THEREFORE = re.compile(
    r"^(?P<lead>Therefore|As a result|Consequently|Thus|Hence),? (?P<effect>.+?)[.!]?$"
)
# A sentence ends at . ! or ? (maybe inside a closing quote or bracket) before a capital.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[\"\u201c(]?[A-Z0-9])")


@dataclass(frozen=True)
class CardDraft:
    front: str
    back: str
    kind: str  # "definition" | "cause" | "question" (from the model)
    lesson_id: str = ""


# --- sentences -----------------------------------------------------------------------------------


def _blocks(markdown: str) -> Iterator[str]:
    """The paragraphs and list items of Markdown as plain text; headings, code and tables
    left out (they are not sentences)."""
    paragraph: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+", stripped)
        if fenced or not stripped or stripped.startswith(("#", "|")) or item:
            if paragraph:
                yield render_plain(" ".join(paragraph))
            paragraph = [stripped[item.end() :]] if item and not fenced else []
            continue
        paragraph.append(stripped)
    if paragraph:
        yield render_plain(" ".join(paragraph))


def sentences(markdown: str) -> list[list[str]]:
    """Each block's sentences, in order."""
    return [
        [s.strip() for s in _SENTENCE_END.split(block) if s.strip()]
        for block in _blocks(markdown)
        if block
    ]


def _words(text: str) -> int:
    return len(text.split())


def _starts_like_a_sentence(text: str) -> bool:
    first = text.lstrip('"“(')[:1]
    return first.isupper() or first.isdigit()


# --- the rules -----------------------------------------------------------------------------------


def _term(raw: str) -> str | None:
    """The term a definition defines, without a leading article; None if it is no term."""
    term = raw.strip()
    lowered = term.casefold()
    for article in _ARTICLES:
        if lowered.startswith(article):
            term, lowered = term[len(article) :], lowered[len(article) :]
            break
    words = lowered.split()
    if not words or len(words) > MAX_TERM_WORDS or words[0] in _NOT_A_TERM:
        return None
    if any(w in _NOT_IN_A_TERM or w.endswith(("n't", "n\u2019t")) for w in words):
        return None
    return term if _names_something(term) else None


def _names_something(term: str) -> bool:
    """A term has a word of two letters or more ("= sign", "x-axis"), or is one name of a
    single capital letter ("C", "C++", "R"); "= 5" or "x = y" are no terms."""
    letters = [sum(ch.isalpha() for ch in word) for word in term.split()]
    if any(count >= 2 for count in letters):
        return True
    return letters == [1] and any(ch.isupper() for ch in term)


def _blanked(sentence: str, term: str) -> str:
    """The sentence with every occurrence of `term` (a whole word, ignoring case) blanked."""
    return re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", BLANK, sentence, flags=re.IGNORECASE)


def definition_card(sentence: str) -> CardDraft | None:
    for rule in _DEFINITIONS:
        match = rule.match(sentence)
        if match is None:
            continue
        term = _term(match.group("term"))
        if term is None or _words(match.group("rest")) < 2:
            continue
        return CardDraft(_blanked(sentence, term), f"{term}\n\n{sentence}", "definition")
    return None


def _effect_ok(effect: str) -> bool:
    return MIN_EFFECT_WORDS <= _words(
        effect
    ) <= MAX_EFFECT_WORDS and not effect.casefold().startswith("of ")


def cause_card(sentence: str, previous: str = "") -> CardDraft | None:
    """A cloze of a cause and its effect, the effect blanked; `previous` is the sentence
    before, which "Therefore, ..." points back to."""
    end = sentence[-1] if sentence[-1] in ".!" else ""
    if (match := _THEREFORE.match(sentence)) and previous and _effect_ok(match["effect"]):
        front = f"{previous} {match['lead']}, {BLANK}{end}"
        return CardDraft(front, f"{match['effect']}\n\n{previous} {sentence}", "cause")
    if (match := _BECAUSE_FIRST.match(sentence)) and _effect_ok(match["effect"]):
        front = sentence[: match.start("effect")] + BLANK + end
        return CardDraft(front, f"{match['effect']}\n\n{sentence}", "cause")
    if (
        (match := _BECAUSE.match(sentence))
        and _effect_ok(match["effect"])
        and _starts_like_a_sentence(match["effect"])
        and _words(match["cause"]) >= 2
    ):
        front = BLANK + sentence[match.end("effect") :]
        return CardDraft(front, f"{match['effect']}\n\n{sentence}", "cause")
    if (match := _LEADS_TO.match(sentence)) and _effect_ok(match["effect"]):
        cause = match["cause"].casefold()
        if cause not in _NOT_A_TERM and cause.rstrip() not in ("the", "a", "an"):
            front = sentence[: match.start("effect")] + BLANK + end
            return CardDraft(front, f"{match['effect']}\n\n{sentence}", "cause")
    return None


def cloze_cards(
    markdown: str, *, limit: int | None = MAX_CARD_DRAFTS, lesson_id: str = ""
) -> list[CardDraft]:
    """Cloze cards from the text's defining sentences: at most `limit` (None: all), sentences
    of 8 to 40 words first, then in the order of the text; one per sentence, term and front."""
    found: list[tuple[int, int, CardDraft]] = []
    seen: set[str] = set()
    position = 0
    for block in sentences(markdown):
        previous = ""
        for sentence in block:
            position += 1
            words = _words(sentence)
            usable = (
                MIN_WORDS <= words <= MAX_WORDS
                and _starts_like_a_sentence(sentence)
                and not sentence.endswith("?")
            )
            card = (definition_card(sentence) or cause_card(sentence, previous)) if usable else None
            previous = sentence
            if card is None:
                continue
            answer = card.back.split("\n\n", 1)[0].casefold()
            keys = {card.front.casefold(), f"answer:{answer}"}
            if keys & seen:
                continue
            seen |= keys
            preferred = 0 if GOOD_MIN_WORDS <= words <= GOOD_MAX_WORDS else 1
            found.append(
                (preferred, position, CardDraft(card.front, card.back, card.kind, lesson_id))
            )
    found.sort(key=lambda item: item[:2])
    return [card for _, _, card in found[:limit]]
