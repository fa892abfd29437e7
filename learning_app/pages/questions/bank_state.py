"""The question bank of `/teach/courses/[course_id]/exams`: the course's questions with their
markers, a tag filter, and archiving, restoring and deleting.

The page's own load (and its "not found" / "not allowed") lives here; the exam list and the
question form have their own small states.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from learning_app.services.markdown_render import render_plain
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import QuestionView, TagCount
from learning_app.state.auth import AuthState
from learning_app.state.calls import describe_error
from learning_app.state.course_pages import LoadedPageState

PREVIEW_LENGTH = 140


def prompt_preview(markdown: str) -> str:
    """The start of a prompt on one line, as plain text: its Markdown read by the renderer
    (`**x**` shows as x), as lists and labels show it."""
    text = render_plain(markdown[: PREVIEW_LENGTH * 20])
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


@dataclass(frozen=True)
class BankRow:
    """A question as the bank list shows it."""

    id: str
    type: str
    preview: str
    points: float
    tags: str  # comma-separated, for display
    tag_keys: list[str]  # casefolded, for the filter
    archived: bool
    locked: bool


def bank_row(question: QuestionView) -> BankRow:
    return BankRow(
        id=question.id,
        type=question.type,
        preview=prompt_preview(question.prompt_markdown),
        points=question.points,
        tags=", ".join(question.tags),
        tag_keys=[tag.casefold() for tag in question.tags],
        archived=question.archived,
        locked=question.locked,
    )


class QuestionBankState(LoadedPageState, AuthState):
    loaded_course_id: str = ""
    course_title: str = ""
    rows: list[BankRow] = []
    tags: list[TagCount] = []
    tag_filter: str = ""
    show_archived: bool = False
    # Backend only (a leading underscore): the full questions, answers included, that the
    # question form edits.
    _bank: list[QuestionView] = []

    @rx.var
    def shown_rows(self) -> list[BankRow]:
        wanted = self.tag_filter.casefold()
        return [
            row
            for row in self.rows
            if (self.show_archived or not row.archived) and (not wanted or wanted in row.tag_keys)
        ]

    @rx.var
    def archived_count(self) -> int:
        return sum(1 for row in self.rows if row.archived)

    def _question(self, question_id: str) -> QuestionView | None:
        """A question of the loaded bank; ids from the browser only pick from it."""
        return next((q for q in self._bank if q.id == question_id), None)

    async def _refresh(self) -> None:
        """Read the bank and its tags again (raises like the services)."""
        course_id = self.loaded_course_id
        self._bank = await self._fetch(
            question_bank.list_question_bank, course_id=course_id, include_archived=True
        )
        self.tags = await self._fetch(question_bank.list_tags, course_id=course_id, used_only=True)
        self.rows = [bank_row(q) for q in self._bank]
        if self.tag_filter and all(t.name != self.tag_filter for t in self.tags):
            self.tag_filter = ""

    @rx.event
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self.loaded_course_id, self.tag_filter = "", ""
        yield
        if not self.signed_in:
            return
        with self._loading():
            outline = await self._editable_outline(
                "Only the course's teachers can write its questions and exams."
            )
            if outline is not None:
                self.course_title, self.loaded_course_id = outline.title, outline.course_id
                await self._refresh()

    @rx.event
    def set_tag_filter(self, tag: str) -> None:
        self.tag_filter = tag

    @rx.event
    def set_show_archived(self, show: bool) -> None:
        self.show_archived = show

    @rx.event
    async def set_archived(self, question_id: str, archived: bool) -> None:
        """Archive (retire from new exams, keep for grades) or restore a question."""
        if await self._call(
            question_bank.set_question_archived, question_id=question_id, archived=archived
        ):
            self.notice = (
                "The question is archived: new exams and draws no longer use it."
                if archived
                else "The question is back in the bank."
            )
            await self._reload()

    @rx.event
    async def delete_question(self, question_id: str) -> None:
        deleted = await self._call(question_bank.delete_question, question_id=question_id)
        if deleted is None:
            return
        self.notice = (
            "The question is deleted."
            if deleted
            else "Students have already seen this question, so it was archived instead of "
            "deleted; their grades keep it."
        )
        await self._reload()

    async def _reload(self) -> None:
        """After a change: show the bank as it now is, or say why it could not be read."""
        try:
            await self._refresh()
        except Exception as exc:
            self.error = describe_error(exc)
