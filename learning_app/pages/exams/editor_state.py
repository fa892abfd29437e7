"""The exam editor's state: settings, the questions picked from the bank (in exam order), the
random-draw rules, saving and publishing.

Settings are plain form inputs read on submit; the picker and the draw rules live here, since
rows come and go. `save_exam` checks everything in one transaction: when it refuses, the
message shows by the Save button and nothing is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from learning_app.pages.questions.bank_state import prompt_preview
from learning_app.pages.questions.form_state import number_text
from learning_app.services.access import exams
from learning_app.services.exams import authoring
from learning_app.services.exams.authoring import (
    DrawRuleDraft,
    ExamDraft,
    ExamQuestionDraft,
    ExamQuestionLine,
    ExamView,
)
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import QuestionView, TagCount
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.course_pages import LoadedPageState, is_checked, route_arg

NEW_EXAM = "new"
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input shows and sends


def local_input_value(moment: str, zone: str) -> str:
    """A stored ISO 8601 time as a `datetime-local` value in the author's zone ("" if none)."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT_FORMAT)


@dataclass(frozen=True)
class PickRow:
    """A bank question in the picker; the selected ones, in order, are the exam's."""

    question_id: str
    type: str
    preview: str
    default_points: float
    points: str  # the exam's own points for it; "" for the question's
    selected: bool
    archived: bool  # in the exam but archived since: saving refuses it


@dataclass(frozen=True)
class DrawRow:
    tag: str
    count: str
    points: str  # "" for each drawn question's own points


def pick_rows(bank: list[QuestionView], lines: list[ExamQuestionLine]) -> list[PickRow]:
    """The exam's questions first, in exam order, then the rest of the live bank."""
    by_id = {q.id: q for q in bank}
    rows = []
    for line in lines:
        question = by_id.get(line.question_id)
        own = question.points if question else line.points
        rows.append(
            PickRow(
                question_id=line.question_id,
                type=line.type,
                preview=prompt_preview(line.prompt_markdown),
                default_points=own,
                points="" if line.points == own else number_text(line.points),
                selected=True,
                archived=question is None,
            )
        )
    chosen = {line.question_id for line in lines}
    rows.extend(
        PickRow(q.id, q.type, prompt_preview(q.prompt_markdown), q.points, "", False, False)
        for q in bank
        if q.id not in chosen
    )
    return rows


class ExamEditorState(LoadedPageState, AuthState):
    busy: bool = False
    loaded_exam_id: str = ""  # "" while the exam is new
    loaded_course_id: str = ""
    time_zone: str = "UTC"
    title: str = ""
    description: str = ""
    exam_type: str = "quiz"
    time_limit: str = ""
    max_attempts: str = ""
    opens_at: str = ""
    closes_at: str = ""
    passing_score: str = "60"
    shuffle_questions: bool = False
    shuffle_options: bool = False
    feedback_policy: str = "after_submit"
    grade_policy: str = "best"
    status: str = "draft"
    attempt_count: int = 0
    picks: list[PickRow] = []
    draws: list[DrawRow] = []
    tags: list[TagCount] = []
    _bank: list[QuestionView] = []  # backend only: the live bank the picker lists

    @rx.var
    def picked_count(self) -> int:
        return sum(1 for row in self.picks if row.selected)

    def _show(self, exam: ExamView | None) -> None:
        """Fill the editor from a saved exam, or with a new exam's defaults."""
        blank = ExamDraft(title="")
        self.loaded_exam_id = exam.id if exam else ""
        self.title = exam.title if exam else ""
        self.description = exam.description if exam else ""
        self.exam_type = exam.type if exam else blank.type
        self.time_limit = str(exam.time_limit_minutes or "") if exam else ""
        self.max_attempts = str(exam.max_attempts or "") if exam else ""
        self.opens_at = local_input_value(exam.opens_at, self.time_zone) if exam else ""
        self.closes_at = local_input_value(exam.closes_at, self.time_zone) if exam else ""
        self.passing_score = number_text(exam.passing_score if exam else float(blank.passing_score))
        self.shuffle_questions = exam.shuffle_questions if exam else False
        self.shuffle_options = exam.shuffle_options if exam else False
        self.feedback_policy = exam.feedback_policy if exam else blank.feedback_policy
        self.grade_policy = exam.grade_policy if exam else blank.grade_policy
        self.status = exam.status if exam else "draft"
        self.attempt_count = exam.attempt_count if exam else 0
        self.picks = pick_rows(self._bank, exam.questions if exam else [])
        self.draws = [
            DrawRow(d.tag, str(d.question_count), number_text(d.points))
            for d in (exam.draws if exam else [])
        ]

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`); `exam_id` "new" starts a new
        exam."""
        self._start_loading()
        self.loaded_exam_id, self.loaded_course_id = "", ""
        # The spinner replaces the form now, so it mounts again with this exam's values.
        yield
        if not self.signed_in:
            return
        course_id, exam_id = route_arg(self, "course_id"), route_arg(self, "exam_id")
        with self._loading():
            self._bank = await self._fetch(question_bank.list_question_bank, course_id=course_id)
            self.tags = await self._fetch(question_bank.list_tags, course_id=course_id)
            self.time_zone = await self._fetch(authoring.author_time_zone)
            exam = None
            if exam_id != NEW_EXAM:
                exam = await self._fetch(authoring.get_exam_for_editing, exam_id=exam_id)
            if exam is not None and exam.course_id != course_id:
                self.problem_title, self.problem = "Not found", exams.EXAM_NOT_FOUND
            else:
                self._show(exam)
                self.loaded_course_id = course_id

    @rx.event
    def set_picked(self, question_id: str, selected: bool) -> None:
        """Pick a question or put it back. Either way it moves to the boundary between the
        picked and the rest: last among the picked (exam order is picking order), or first
        among the rest."""
        row = next((r for r in self.picks if r.question_id == question_id), None)
        if row is None:
            return
        others = [r for r in self.picks if r.question_id != question_id]
        self.picks = [
            *(r for r in others if r.selected),
            replace(row, selected=selected),
            *(r for r in others if not r.selected),
        ]

    @rx.event
    def set_pick_points(self, question_id: str, points: str) -> None:
        self.picks = [
            replace(r, points=points) if r.question_id == question_id else r for r in self.picks
        ]

    @rx.event
    def add_draw(self) -> None:
        used = {d.tag for d in self.draws}
        tag = next((t.name for t in self.tags if t.name not in used), "")
        self.draws = [*self.draws, DrawRow(tag, "1", "")]

    @rx.event
    def remove_draw(self, index: int) -> None:
        self.draws = [d for i, d in enumerate(self.draws) if i != index]

    def _edit_draw(self, index: int, **change: str) -> None:
        self.draws = [replace(d, **change) if i == index else d for i, d in enumerate(self.draws)]

    @rx.event
    def set_draw_tag(self, index: int, tag: str) -> None:
        self._edit_draw(index, tag=tag)

    @rx.event
    def set_draw_count(self, index: int, count: str) -> None:
        self._edit_draw(index, count=count)

    @rx.event
    def set_draw_points(self, index: int, points: str) -> None:
        self._edit_draw(index, points=points)

    def _draft(self, form: dict[str, str | bool]) -> ExamDraft:
        def text(name: str) -> str:
            return str(form.get(name) or "")

        return ExamDraft(
            title=text("title"),
            description=text("description"),
            type=text("type"),
            time_limit_minutes=text("time_limit_minutes"),
            max_attempts=text("max_attempts"),
            opens_at=text("opens_at"),
            closes_at=text("closes_at"),
            passing_score=text("passing_score"),
            shuffle_questions=is_checked(form, "shuffle_questions"),
            shuffle_options=is_checked(form, "shuffle_options"),
            feedback_policy=text("feedback_policy"),
            grade_policy=text("grade_policy"),
            questions=[
                ExamQuestionDraft(r.question_id, r.points or None) for r in self.picks if r.selected
            ],
            draws=[DrawRuleDraft(d.tag, d.count, d.points or None) for d in self.draws],
        )

    @rx.event
    async def save(self, form: dict[str, str | bool]) -> AsyncIterator[object]:
        self.busy = True
        yield
        exam = await self._call(
            authoring.save_exam,
            course_id=self.loaded_course_id,
            draft=self._draft(form),
            exam_id=self.loaded_exam_id or None,
        )
        self.busy = False
        if exam is None:
            return
        if not self.loaded_exam_id:
            yield rx.redirect(f"/teach/courses/{exam.course_id}/exams/{exam.id}")
            return
        self._show(exam)
        self.notice = "The exam is saved."

    @rx.event
    async def set_published(self, published: bool) -> AsyncIterator[object]:
        self.busy = True
        yield
        exam = await self._call(
            authoring.set_exam_published, exam_id=self.loaded_exam_id, published=published
        )
        self.busy = False
        if exam is not None:
            self.status = exam.status
            self.notice = (
                "The exam is published: the course's students can take it."
                if published
                else "The exam is a draft again: students no longer see it."
            )
