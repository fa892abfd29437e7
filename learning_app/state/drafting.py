"""Drafting from a course's material, as a state: the questions drafted on
`/teach/courses/[course_id]/exams` and the flashcards drafted on `.../cards` go through one
lifecycle. `load` lists the lessons and files to draft from; `draft` (a background event: the
model can take a minute) turns one into drafts; the teacher then adds or discards each.

Drafts wait in the state, on the server, under a random key until the teacher decides: the
browser sees only the rows they show, and an event names a draft by its key, so a double click
can never act on the draft that moved into its place. Nothing is stored until "Add", which
goes through the same service and checks as the page's form.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import reflex as rx

from learning_app.services.errors import DomainError
from learning_app.services.questions import generation
from learning_app.services.questions.generation import DraftSource
from learning_app.services.values import count_label
from learning_app.state.calls import ServiceCalls, describe_error
from learning_app.state.course_pages import route_arg

D = TypeVar("D")


@dataclass(frozen=True)
class Drafted:
    """What one drafting request produced, as the section reports it."""

    source_title: str
    drafts: Sequence[Any]
    rejected: int = 0  # drafts that failed the check or repeated one, left out
    notes: Sequence[str] = ()  # said after the count (e.g. the model failed: cloze cards only)


def keyed(drafts: Iterable[D]) -> dict[str, D]:
    """The drafts under fresh random keys, in order."""
    return {secrets.token_urlsafe(8): draft for draft in drafts}


def drafted_notice(drafted: Drafted) -> str:
    """ "3 drafts from “Photosynthesis” (1 unusable left out). Check each one before adding
    it.", then the notes."""
    skipped = f" ({drafted.rejected} unusable left out)" if drafted.rejected else ""
    count = count_label(len(drafted.drafts), "draft")
    return " ".join(
        [
            f"{count} from “{drafted.source_title}”{skipped}. Check each one before adding it.",
            *drafted.notes,
        ]
    )


class DraftingState(ServiceCalls, mixin=True):
    """A section that drafts from the course of the page: `sources` to pick from, `drafting`
    while a request runs, and `rows`, the drafts as the list shows them.

    A Reflex mixin like `ServiceCalls`, used as `class PageDrafting(DraftingState, AuthState)`.
    What differs between pages are the hooks below, `_`-prefixed so that the browser cannot
    call them: `_draft_from` (the services that load the source and draft from it), `_row`
    (a draft as a row; the class redeclares `rows` with the type of its rows), `_save` and
    `_bank` (what "Add" calls, and the list it reloads after), and `_added_notice`.
    """

    sources: list[DraftSource] = []
    off_reason: str = ""  # why the language model is off ("" when a chat model is configured)
    drafting: bool = False
    rows: list[Any] = []
    _drafts: dict[str, Any] = {}  # by key, in the order of `rows`
    _course_id: str = ""  # the course of the page the drafts were made on, and belong to

    _added_notice: ClassVar[str]
    _bank: ClassVar[type[rx.State]]  # a state with `_reload()`: the list a draft is added to

    @staticmethod
    async def _draft_from(form: Mapping[str, str], *, token: str, course_id: str) -> Drafted:
        """The drafts from the source the `form` picks, if the viewer edits the course: off
        the event loop, and outside `async with self` (it may take a minute)."""
        raise NotImplementedError

    @staticmethod
    def _row(key: str, number: int, draft: Any) -> Any:
        """The draft as the list shows it, as draft `number`."""
        raise NotImplementedError

    async def _save(self, draft: Any) -> None:
        """Store the draft through `_call`, which sets `error` when it fails."""
        raise NotImplementedError

    @rx.event
    async def load(self) -> None:
        """on_load, after the page's list: the sources to draft from. A page that is not found
        or not allowed says so in the list's place; only other failures show here."""
        self.error, self.notice, self.rows, self._drafts = "", "", [], {}
        # A draft still running for the page left behind shows nothing here (see `draft`).
        self.drafting, self._course_id = False, route_arg(self, "course_id")
        self.off_reason = generation.drafting_off_reason()
        self.sources = []
        if not self.signed_in:
            return
        try:
            self.sources = await self._fetch(generation.drafting_sources, course_id=self._course_id)
        except DomainError:
            pass
        except Exception as exc:
            self.error = describe_error(exc)

    def _show(self, drafts: dict[str, Any]) -> None:
        self._drafts = drafts
        self.rows = [self._row(k, n, d) for n, (k, d) in enumerate(drafts.items(), start=1)]

    @rx.event(background=True)
    async def draft(self, form: dict[str, str]) -> None:
        async with self:
            if self.drafting:
                return
            self.drafting, self.error, self.notice = True, "", ""
            token, course_id = await self._session_token(), self._course_id
        try:
            drafted = await self._draft_from(form, token=token, course_id=course_id)
        except Exception as exc:
            async with self:
                if self._course_id == course_id:
                    self.error = describe_error(exc)
        else:
            async with self:
                if self._course_id != course_id:
                    return  # the teacher has opened another course meanwhile
                self._show({**keyed(drafted.drafts), **self._drafts})
                self.notice = drafted_notice(drafted)
        finally:
            async with self:
                if self._course_id == course_id:
                    self.drafting = False

    def _take(self, key: str) -> Any | None:
        """Remove the draft from the list and return it (None if there is no such draft)."""
        draft = self._drafts.get(key)
        if draft is not None:
            self._show({k: d for k, d in self._drafts.items() if k != key})
        return draft

    @rx.event
    async def add(self, key: str) -> None:
        draft = self._drafts.get(key)
        if draft is None:
            self.error, self.notice = "", ""
            return
        await self._save(draft)
        if self.error:
            return
        self._take(key)
        self.notice = self._added_notice
        bank = await self.get_state(self._bank)
        await bank._reload()

    @rx.event
    def discard(self, key: str) -> None:
        self.error, self.notice = "", ""
        self._take(key)
