"""The state of `/teach/courses/[course_id]/cards`: the course's flashcards, the form that
writes and edits one, archiving, restoring and deleting.

Ids from the browser only pick a card of the loaded list or a lesson of the loaded outline,
and are passed to services that check them again: this state decides nothing about who may
do what.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from learning_app.services.markdown_render import render_plain
from learning_app.services.review import flashcards
from learning_app.services.review.flashcards import FlashcardView
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import describe_error
from learning_app.state.course_pages import LoadedPageState

PREVIEW_LENGTH = 140
FRONT_INPUT_ID = "card-front"


def _excerpt(markdown: str, length: int) -> str:
    """The start of a side on one line, as plain text (`**x**` reads x)."""
    text = render_plain(markdown[: length * 20])
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass(frozen=True)
class CardRow:
    """A card as the list shows it."""

    id: str
    front: str  # plain, one line: names the card in button labels
    front_html: str
    back_html: str  # whole, as its paragraphs: a drafted back is the term, then the sentence
    tags: str  # comma-separated, for display
    lesson_title: str
    source: str
    archived: bool
    in_review: bool


@dataclass(frozen=True)
class LessonChoice:
    id: str
    title: str


def card_row(card: FlashcardView) -> CardRow:
    return CardRow(
        id=card.id,
        front=_excerpt(card.front_markdown, PREVIEW_LENGTH),
        front_html=card.front_html,
        back_html=card.back_html,
        tags=", ".join(card.tags),
        lesson_title=card.lesson_title,
        source=card.source,
        archived=card.archived,
        in_review=card.in_review,
    )


class CardBankState(LoadedPageState, AuthState):
    loaded_course_id: str = ""
    course_title: str = ""
    rows: list[CardRow] = []
    lessons: list[LessonChoice] = []
    show_archived: bool = False
    # The form: its inputs are uncontrolled, mounted again (a new `form_key`) with these
    # values when another card is picked.
    editing_id: str = ""  # "" while writing a new card
    form_key: int = 0
    front: str = ""
    back: str = ""
    tags_text: str = ""
    lesson_id: str = ""
    saving: bool = False
    # Backend only: the full cards the form edits.
    _cards: list[FlashcardView] = []

    @rx.var
    def shown_rows(self) -> list[CardRow]:
        return [row for row in self.rows if self.show_archived or not row.archived]

    @rx.var
    def archived_count(self) -> int:
        return sum(1 for row in self.rows if row.archived)

    async def _refresh(self) -> None:
        """Read the cards again (raises like the services)."""
        self._cards = await self._fetch(
            flashcards.list_flashcards, course_id=self.loaded_course_id, include_archived=True
        )
        self.rows = [card_row(card) for card in self._cards]

    async def _reload(self) -> None:
        """After a change: show the cards as they now are, or say why they could not be read."""
        try:
            await self._refresh()
        except Exception as exc:
            self.error = describe_error(exc)

    def _fill(self, card: FlashcardView | None) -> None:
        self.editing_id = card.id if card else ""
        self.front = card.front_markdown if card else ""
        self.back = card.back_markdown if card else ""
        self.tags_text = ", ".join(card.tags) if card else ""
        self.lesson_id = card.lesson_id if card else ""
        self.form_key += 1

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self.loaded_course_id, self.rows, self._cards, self.lessons = "", [], [], []
        self._fill(None)
        yield
        if not self.signed_in:
            return
        with self._loading():
            outline = await self._editable_outline(
                "Only the course's teachers can write its flashcards."
            )
            if outline is not None:
                self.course_title, self.loaded_course_id = outline.title, outline.course_id
                self.lessons = [LessonChoice(x.lesson_id, x.title) for x in outline.lessons]
                await self._refresh()

    @rx.event
    def set_show_archived(self, show: bool) -> None:
        self.show_archived = show

    @rx.event
    def edit(self, card_id: str) -> None:
        card = next((c for c in self._cards if c.id == card_id), None)
        if card is not None:
            self.error, self.notice = "", ""
            self._fill(card)

    @rx.event
    def new_card(self) -> None:
        self.error, self.notice = "", ""
        self._fill(None)

    @rx.event
    async def save(self, form: dict[str, str]) -> None:
        if self.saving:
            return
        self.saving = True
        fields = {
            "front": form.get("front", ""),
            "back": form.get("back", ""),
            "tags": form.get("tags", ""),
            "lesson_id": form.get("lesson", ""),
        }
        editing = self.editing_id
        try:
            if editing:
                saved = await self._call(
                    flashcards.update_flashcard, flashcard_id=editing, **fields
                )
            else:
                saved = await self._call(
                    flashcards.create_flashcard, course_id=self.loaded_course_id, **fields
                )
        finally:
            self.saving = False
        if saved is None:
            return  # the inputs keep what the teacher typed; `error` says what to change
        await self._reload()
        self._fill(None)
        self.notice = "The card is saved." if editing else "The card is added."

    @rx.event
    async def set_archived(self, card_id: str, archived: bool) -> None:
        action = flashcards.archive_flashcard if archived else flashcards.restore_flashcard
        if await self._call(action, flashcard_id=card_id):
            self.notice = (
                "The card is archived: students no longer get it in reviews."
                if archived
                else "The card is back in use."
            )
            await self._reload()

    @rx.event
    async def delete(self, card_id: str) -> None:
        deleted = await self._call(flashcards.delete_flashcard, flashcard_id=card_id)
        if deleted is None:
            return
        self.notice = (
            "The card is deleted."
            if deleted
            else "Students already review this card, so it was archived instead of deleted; "
            "their review history keeps it."
        )
        if card_id == self.editing_id:
            self._fill(None)
        await self._reload()
