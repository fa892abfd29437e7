"""The "Draft cards" section of `/teach/courses/[course_id]/cards`: cards proposed from a
lesson or a ready file (cloze cards from its defining sentences; with a language model,
question/answer cards too), which the teacher adds or discards one by one.

Drafts wait in this state, on the server, until the teacher decides: nothing is stored until
"Add card", which goes through the same service and checks as the card form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import reflex as rx

from learning_app.adapters.llm import chat_model
from learning_app.components.drafting import draft_item, drafting_section, source_picker
from learning_app.models.review import FlashcardSource
from learning_app.pages.review.card_bank_state import CardBankState
from learning_app.services.errors import DomainError
from learning_app.services.questions import generation
from learning_app.services.questions.generation import DraftSource
from learning_app.services.review import card_drafting, flashcards
from learning_app.services.review.card_drafting import CardDraft
from learning_app.services.values import count_label
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls, call_service, call_with_session, describe_error
from learning_app.state.course_pages import route_arg

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


class CardDraftingState(ServiceCalls, AuthState):
    sources: list[DraftSource] = []
    with_model: bool = False
    drafting: bool = False
    rows: list[DraftRow] = []
    # The drafts themselves stay on the server, by key: a double click can never act on the
    # draft that moved into its place.
    _drafts: dict[str, CardDraft] = {}
    _course_id: str = ""  # the course of the page the drafts were made on, and belong to

    @rx.event
    async def load(self) -> None:
        """on_load, after the card list: the sources to draft from. A page that is not found
        or not allowed says so in the list's place; only other failures show here."""
        self.error, self.notice, self.rows, self._drafts = "", "", [], {}
        self.drafting, self._course_id = False, route_arg(self, "course_id")
        self.with_model = generation.drafting_off_reason() == ""
        self.sources = []
        if not self.signed_in:
            return
        try:
            self.sources = await self._fetch(generation.drafting_sources, course_id=self._course_id)
        except DomainError:
            pass
        except Exception as exc:
            self.error = describe_error(exc)

    def _show(self, drafts: dict[str, CardDraft]) -> None:
        self._drafts = drafts
        self.rows = [
            DraftRow(key, n, KIND_LABELS.get(d.kind, d.kind), d.front, d.back)
            for n, (key, d) in enumerate(drafts.items(), start=1)
        ]

    @rx.event(background=True)
    async def draft(self, form: dict[str, str]) -> None:
        async with self:
            if self.drafting:
                return
            self.drafting, self.error, self.notice = True, "", ""
            token, course_id = self.session_token, self._course_id
        try:
            source = await call_with_session(
                card_drafting.card_source,
                token=token,
                course_id=course_id,
                source_key=form.get("source", ""),
            )
            batch = await call_service(card_drafting.draft_cards, source, chat=chat_model())
        except Exception as exc:
            async with self:
                if self._course_id == course_id:
                    self.error = describe_error(exc)
        else:
            async with self:
                if self._course_id != course_id:
                    return  # the teacher has opened another course meanwhile
                fresh = {secrets.token_urlsafe(8): draft for draft in batch.drafts}
                self._show({**fresh, **self._drafts})
                skipped = f" ({batch.rejected} unusable left out)" if batch.rejected else ""
                self.notice = " ".join(
                    [
                        f"{count_label(len(batch.drafts), 'draft')} from “{source.title}”"
                        f"{skipped}. Check each one before adding it.",
                        *batch.notes,
                    ]
                )
        finally:
            async with self:
                if self._course_id == course_id:
                    self.drafting = False

    def _take(self, key: str) -> None:
        if key in self._drafts:
            self._show({k: d for k, d in self._drafts.items() if k != key})

    @rx.event
    async def add(self, key: str) -> None:
        draft = self._drafts.get(key)
        if draft is None:
            self.error, self.notice = "", ""
            return
        await self._call(
            flashcards.create_flashcard,
            course_id=self._course_id,
            front=draft.front,
            back=draft.back,
            lesson_id=draft.lesson_id or None,
            source=FlashcardSource.DRAFTED,
        )
        if self.error:
            return
        self._take(key)
        self.notice = "Added to the course's cards."
        bank = await self.get_state(CardBankState)
        await bank._reload()

    @rx.event
    def discard(self, key: str) -> None:
        self.error, self.notice = "", ""
        self._take(key)


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
            S.with_model,
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
