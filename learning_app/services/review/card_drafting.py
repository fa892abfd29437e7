"""Draft flashcards from a lesson or a course file, for a teacher to review.

Without a language model, cards are cloze cards cut from the source's defining sentences
(`cloze`). Drafts the course already has (`flashcards.card_key`) are left out. With a language
model configured, it is also asked for question/answer cards; each goes through `clean_card`,
the check the teacher's form uses.

Drafts are never stored: the page shows them and the teacher adds (`flashcards.create_flashcard`,
which checks everything again) or discards each. Loading the text (`card_source`, one
transaction) and drafting (`draft_cards`, no transaction: a model may take a minute) are
separate calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from learning_app.adapters.llm import ChatError, ChatModel
from learning_app.services import rate_limits
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import DomainError, InvalidInput
from learning_app.services.material.source_text import SourceText, source_text
from learning_app.services.model_replies import json_items
from learning_app.services.review.cloze import MAX_CARD_DRAFTS, CardDraft, cloze_cards
from learning_app.services.review.flashcards import (
    CardKey,
    card_key,
    clean_card,
    course_card_keys,
)
from learning_app.services.values import count_label
from learning_app.settings import get_settings

MODEL_CARDS = 5  # of MAX_CARD_DRAFTS: the rest are cloze cards
# Offline drafting reads up to this much; the model gets the first MODEL_SOURCE_CHARS (with
# the instructions and its reply that stays within a 4k-token context, as question drafting).
MAX_SOURCE_CHARS = 20_000
MODEL_SOURCE_CHARS = 6_000
MAX_PASSAGES = 40  # a file's chunks are ~170 words: more than fill MAX_SOURCE_CHARS
# A model request costs money (with OpenAI); offline drafting only CPU, in milliseconds.
MODEL_DRAFTS_PER_HOUR = 30
OFFLINE_DRAFTS_PER_HOUR = 120
REPLY_TOKENS_PER_CARD = 150

SOURCE_NOT_FOUND = "Pick a lesson or a ready file of this course to draft cards from."
NOTHING_FOUND = (
    "No defining sentences were found in “{title}” (like “X is a …”, “X means …” or "
    "“X leads to …”). Write cards yourself, or pick another source."
)
ALL_IN_COURSE = "Every card drafted from “{title}” is one the course already has."
ALREADY_IN_COURSE = "Left out {count} the course already has."
MODEL_FAILED = "The language model did not answer ({reason}), so only cloze cards are drafted."


@dataclass(frozen=True)
class CardSource(SourceText):
    """The text cards are drafted from, loaded as question drafting loads it (a lesson's
    `lesson_id` rides along, so the cards drafted from it belong to it), and the `card_key`s
    of the cards the course already has, which are not proposed again."""

    existing: frozenset[CardKey] = frozenset()


@dataclass(frozen=True)
class CardDraftBatch:
    drafts: list[CardDraft]
    rejected: int = 0  # model cards that failed the card check or repeated one
    notes: list[str] = field(default_factory=list)  # e.g. the model failed: cloze cards only


# --- the source text -----------------------------------------------------------------------------


def card_source(session: Session, *, token: str, course_id: str, source_key: str) -> CardSource:
    """The text of a lesson or ready file of the course ("lesson:<id>" / "document:<id>", as
    `generation.drafting_sources` lists them), if the viewer edits the course. A request that
    passes the checks counts against the viewer's hourly drafting allowance."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    source = source_text(
        session,
        course.id,
        source_key,
        not_found=SOURCE_NOT_FOUND,
        drafts="cards",
        max_passages=MAX_PASSAGES,
    )
    with_model = get_settings().chat_configured
    rate_limits.hit(
        "card_drafting",
        viewer.user_id,
        limit=MODEL_DRAFTS_PER_HOUR if with_model else OFFLINE_DRAFTS_PER_HOUR,
        window_seconds=3600,
    )
    return CardSource(
        source.title,
        source.text[:MAX_SOURCE_CHARS],
        source.lesson_id,
        existing=frozenset(course_card_keys(session, course.id)),
    )


# --- the model -----------------------------------------------------------------------------------


def card_messages(source: CardSource, count: int) -> list[dict[str, str]]:
    system = (
        "You write flashcards for a teacher's students. Use ONLY the material below; never ask "
        "about anything it does not say. Each card asks one short question on its front and "
        "gives the answer, in one or two sentences, on its back. Reply with JSON only, no "
        'prose, in this shape:\n{"cards": [{"front": "...", "back": "..."}]}'
    )
    text = source.text[:MODEL_SOURCE_CHARS]
    user = f"Material: {source.title}\n\n{text}\n\nWrite {count} cards."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def parse_model_cards(
    reply: str, limit: int, *, lesson_id: str = ""
) -> tuple[list[CardDraft], int]:
    """The first `limit` usable cards of a model's reply, each checked like a teacher's form,
    and how many items failed the check or repeated one."""
    cards: list[CardDraft] = []
    seen: set[str] = set()
    rejected = 0
    for item in json_items(reply, "cards"):
        if len(cards) >= limit:
            break
        front = item.get("front") if isinstance(item, dict) else None
        back = item.get("back") if isinstance(item, dict) else None
        try:
            if not isinstance(front, str) or not isinstance(back, str):
                raise InvalidInput()
            clean = clean_card(front, back)
        except DomainError:
            rejected += 1
            continue
        if clean.front.casefold() in seen:
            rejected += 1
            continue
        seen.add(clean.front.casefold())
        cards.append(CardDraft(clean.front, clean.back, "question", lesson_id))
    return cards, rejected


def draft_cards(source: CardSource, *, chat: ChatModel | None) -> CardDraftBatch:
    """Cloze cards from `source`, and with `chat` question/answer cards from the model first,
    leaving out those the course already has (with a note). A failing model leaves the cloze
    cards, with a note; no card at all is a DomainError that says why."""
    model_cards: list[CardDraft] = []
    rejected, notes = 0, []
    if chat is not None:
        try:
            reply = "".join(
                chat.stream(
                    card_messages(source, MODEL_CARDS),
                    max_tokens=REPLY_TOKENS_PER_CARD * MODEL_CARDS,
                )
            )
        except ChatError as exc:
            notes.append(MODEL_FAILED.format(reason=exc))
        else:
            model_cards, rejected = parse_model_cards(
                reply, MODEL_CARDS, lesson_id=source.lesson_id
            )
    fronts = {card.front.casefold() for card in model_cards}
    cloze = [
        card
        for card in cloze_cards(source.text, limit=None, lesson_id=source.lesson_id)
        if card.front.casefold() not in fronts
    ]
    # Before the cap, so a course's known cards leave room for new ones.
    new = [c for c in model_cards + cloze if card_key(c.front, c.back) not in source.existing]
    known = len(model_cards) + len(cloze) - len(new)
    if not new:
        reason = ALL_IN_COURSE if known else NOTHING_FOUND
        raise DomainError(" ".join([*notes, reason.format(title=source.title)]))
    if known:
        notes.append(ALREADY_IN_COURSE.format(count=count_label(known, "card")))
    return CardDraftBatch(new[:MAX_CARD_DRAFTS], rejected, notes)
