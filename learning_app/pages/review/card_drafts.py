"""The "Draft cards" section of `/teach/courses/[course_id]/cards`: cards proposed from a
lesson or a ready file (cloze cards from its defining sentences; with a language model,
question/answer cards too), which the teacher adds or discards one by one.

Drafts wait in this state, on the server, until the teacher decides: nothing is stored until
"Add card", which goes through the same service and checks as the card form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from learning_app.adapters.llm import chat_model
from learning_app.components.drafting import draft_item, drafting_section, source_picker
from learning_app.models.review import FlashcardSource
from learning_app.pages.review.card_bank_state import CardBankState
from learning_app.services.review import card_drafting, flashcards
from learning_app.services.review.cloze import CardDraft
from learning_app.state.auth import AuthState
from learning_app.state.calls import call_model, call_with_session
from learning_app.state.drafting import Drafted, DraftingState

SOURCE_INPUT_ID = "card-draft-source"
KIND_LABELS = {"definition": "Definition", "cause": "Cause and effect", "question": "Question"}


@dataclass(frozen=True)
class DraftRow:
    """A drafted card as the list shows it (plain text: nothing is rendered until saved)."""

    key: str  # names the draft in events; stable while others come and go
    number: int
    kind: str
    front: str
    back: str


def draft_row(key: str, number: int, draft: CardDraft) -> DraftRow:
    return DraftRow(key, number, KIND_LABELS.get(draft.kind, draft.kind), draft.front, draft.back)


async def draft_cards(form: Mapping[str, str], *, token: str, course_id: str) -> Drafted:
    """Cloze cards (and with a language model, question cards) from the picked source."""
    source = await call_with_session(
        card_drafting.card_source,
        token=token,
        course_id=course_id,
        source_key=form.get("source", ""),
    )
    batch = await call_model(card_drafting.draft_cards, source, chat=chat_model())
    return Drafted(source.title, batch.drafts, batch.rejected, batch.notes)


class CardDraftingState(DraftingState, AuthState):
    """Drafting on the cards page (`off_reason` only changes the intro: without a language
    model, the cloze cards are still drafted)."""

    rows: list[DraftRow] = []

    _added_notice: ClassVar[str] = "Added to the course's cards."
    _bank = CardBankState
    _draft_from = staticmethod(draft_cards)
    _row = staticmethod(draft_row)

    async def _save(self, draft: CardDraft) -> None:
        await self._call(
            flashcards.create_flashcard,
            course_id=self._course_id,
            front=draft.front,
            back=draft.back,
            lesson_id=draft.lesson_id or None,
            source=FlashcardSource.DRAFTED,
        )


S = CardDraftingState


def _draft(row: DraftRow) -> rx.Component:
    return draft_item(
        row.number.to_string(),
        rx.badge(row.kind, variant="soft"),
        rx.text("Front: ", rx.el.span(row.front, white_space="pre-wrap")),
        rx.text("Back: ", rx.el.span(row.back, white_space="pre-wrap"), size="2"),
        add_label="Add card",
        add_to="the cards",
        on_add=S.add(row.key),
        on_discard=S.discard(row.key),
    )


def card_drafting_section() -> rx.Component:
    return drafting_section(
        "Draft cards",
        rx.cond(
            S.off_reason == "",
            "Cards are proposed from a lesson or a file of this course: cloze cards from its "
            "defining sentences, and questions from the language model.",
            "Cloze cards are proposed from the defining sentences of a lesson or a file of "
            "this course (like “X is a …” or “X leads to …”).",
        ),
        " Nothing is saved until you add it.",
        chooser=source_picker(
            S.sources,
            input_id=SOURCE_INPUT_ID,
            submit_label="Draft cards",
            drafting=S.drafting,
            on_submit=S.draft,
        ),
        drafting=S.drafting,
        status="Drafting cards…",
        error=S.error,
        notice=S.notice,
        drafts=S.rows,
        render=_draft,
        drafts_label="Drafted cards",
    )
