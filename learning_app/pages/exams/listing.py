"""The exams section of `/teach/courses/[course_id]/exams`: every exam of the course with its
status and facts, publishing and deleting, and the way to a new one."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from learning_app.components.authoring import exam_type_badge, section_card
from learning_app.components.courses import confirm_button, status_badge, toggle_button
from learning_app.components.feedback import empty_state
from learning_app.components.forms import form_error, form_notice
from learning_app.components.lists import bare_list
from learning_app.pages.exams.intro import exam_facts
from learning_app.services.exams import authoring, listing
from learning_app.services.exams.listing import ExamCard
from learning_app.state.auth import AuthState
from learning_app.state.calls import PageLoading
from learning_app.state.course_pages import route_arg


@dataclass(frozen=True)
class ExamRow:
    id: str
    title: str
    type: str
    status: str
    facts: str  # see exam_facts
    is_open: bool


def exam_row(card: ExamCard) -> ExamRow:
    return ExamRow(
        id=card.id,
        title=card.title,
        type=card.type,
        status=card.status,
        facts=exam_facts(card),
        is_open=card.is_open,
    )


class ExamListState(PageLoading, AuthState):
    exams: list[ExamRow] = []

    async def _reload(self) -> None:
        cards = await self._call(listing.list_course_exams, course_id=route_arg(self, "course_id"))
        self.exams = [exam_row(card) for card in cards or []]

    @rx.event
    async def load(self) -> None:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self.loading, self.exams = True, []
        if self.signed_in:
            await self._reload()
        self.loading = False

    @rx.event
    async def set_published(self, exam_id: str, published: bool) -> None:
        view = await self._call(authoring.set_exam_published, exam_id=exam_id, published=published)
        if view is not None:
            await self._reload()
            self.notice = (
                f"“{view.title}” is published: the course's students can take it."
                if published
                else f"“{view.title}” is a draft again: students no longer see it."
            )

    @rx.event
    async def delete(self, exam_id: str) -> None:
        title = next((row.title for row in self.exams if row.id == exam_id), "The exam")
        await self._call(authoring.delete_exam, exam_id=exam_id)
        if not self.error:
            await self._reload()
            self.notice = f"“{title}” is deleted."


def _exam_item(exam: ExamRow, editor_base: rx.Var[str]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.link(exam.title, href=editor_base + exam.id, weight="medium"),
                rx.hstack(
                    status_badge(exam.status),
                    exam_type_badge(exam.type),
                    rx.cond(
                        exam.is_open,
                        rx.badge("Open", color_scheme="green", variant="outline"),
                        rx.badge("Not open", color_scheme="gray", variant="outline"),
                    ),
                    rx.text(exam.facts, size="2", color_scheme="gray"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                spacing="1",
                flex="1",
            ),
            toggle_button(
                exam.status == "published",
                turn_off="Unpublish",
                turn_on="Publish",
                subject=exam.title,
                on_toggle=lambda published: ExamListState.set_published(exam.id, published),
            ),
            confirm_button(
                "Delete",
                title="Delete this exam?",
                description="Only exams nobody has taken can be deleted.",
                confirm_label="Delete exam",
                aria_label="Delete " + exam.title,
                on_confirm=ExamListState.delete(exam.id),
            ),
            align="center",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        list_style="none",
    )


def exams_section(editor_base: rx.Var[str]) -> rx.Component:
    """`editor_base` + an exam id (or "new") is the exam editor's URL."""
    return section_card(
        "Exams",
        form_error(ExamListState.error),
        form_notice(ExamListState.notice),
        rx.cond(
            ExamListState.loading,
            rx.spinner(aria_label="Loading exams"),
            rx.cond(
                ExamListState.exams.length() > 0,
                bare_list(
                    rx.foreach(ExamListState.exams, lambda exam: _exam_item(exam, editor_base)),
                    aria_label="Exams of this course",
                ),
                empty_state(
                    "clipboard-list",
                    "No exams yet",
                    "Write some questions below, then build an exam from them.",
                ),
            ),
        ),
        rx.link(
            rx.hstack(rx.icon("plus", aria_hidden="true"), "New exam", align="center"),
            href=editor_base + "new",
            weight="medium",
        ),
    )
