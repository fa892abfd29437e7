"""The question form of `/teach/courses/[course_id]/exams`: write a new question or edit one
from the bank.

The type and the option rows live in this state (the form changes shape with them); the other
fields are plain form inputs read when the form is submitted, and mounted again (a new
`form_key`) when another question is picked. The services check the question and whether the
viewer may edit the course; their refusal is shown next to the form and nothing changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from learning_app.models.questions import QuestionOrigin
from learning_app.pages.questions.bank_state import QuestionBankState
from learning_app.services.errors import InvalidInput
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionView, QuestionView
from learning_app.services.questions.drafts import (
    MAX_OPTIONS,
    OptionDraft,
    QuestionDraft,
    parse_number,
)
from learning_app.services.questions.grading import CHOICE_TYPES
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import ServiceCalls, describe_error
from learning_app.state.course_pages import is_checked, route_arg

PROMPT_INPUT_ID = "question-prompt"
NEW_CHOICE_ROWS = 4
SINGLE_ANSWER_TYPES = ("single_choice", "true_false")
# Fields that show a refusal about them beside themselves (`InvalidInput.field` names them).
INLINE_ERROR_FIELDS = frozenset(
    {
        "type",
        "prompt",
        "explanation",
        "points",
        "tags",
        "options",
        "accepted_answers",
        "numeric_answer",
        "tolerance",
    }
)


@dataclass(frozen=True)
class OptionRow:
    body: str = ""
    is_correct: bool = False
    feedback: str = ""  # shown to a student who picked this option, when answers are shown


TRUE_FALSE_ROWS = [OptionRow("True", is_correct=True), OptionRow("False")]


def number_text(value: float | None) -> str:
    """A number as a form shows it: "2", "0.5", or "" for none."""
    return "" if value is None else f"{value:g}"


def focus_later(element_id: str) -> rx.event.EventSpec:
    """Move focus to an element once the form has mounted again (after this render)."""
    return rx.call_script(f"setTimeout(() => document.getElementById({element_id!r})?.focus(), 50)")


class QuestionFormState(ServiceCalls, AuthState):
    editing_id: str = ""  # "" while writing a new question
    form_key: int = 0
    question_type: str = "single_choice"
    prompt: str = ""
    explanation: str = ""
    points: str = "1"
    tags_text: str = ""
    accepted_text: str = ""
    case_sensitive: bool = False
    numeric_answer: str = ""
    numeric_tolerance: str = ""
    locked: bool = False
    # A new question's origin (server-side only): "drafted" once a draft was moved in here.
    _origin: str = QuestionOrigin.WRITTEN.value
    options: list[OptionRow] = [OptionRow() for _ in range(NEW_CHOICE_ROWS)]
    busy: bool = False
    error_field: str = ""  # the field `error` is about, highlighted

    @rx.var
    def is_choice(self) -> bool:
        return self.question_type in CHOICE_TYPES

    @rx.var
    def single_answer(self) -> bool:
        """Exactly one correct option: radio buttons instead of checkboxes."""
        return self.question_type in SINGLE_ANSWER_TYPES

    @rx.var
    def general_error(self) -> str:
        """A refusal that is not about one field (shown by the Save button)."""
        return "" if self.error_field in INLINE_ERROR_FIELDS else self.error

    @rx.var
    def fixed_options(self) -> bool:
        """Options can be reworded but not added or removed (true/false, or locked)."""
        return self.locked or self.question_type == "true_false"

    @rx.var
    def can_add_option(self) -> bool:
        return not self.fixed_options and len(self.options) < MAX_OPTIONS

    def _fill(self, question: QuestionView | None, *, remount: bool = True) -> None:
        """Show `question` in the form (None: a blank new question); `remount` resets the
        inputs to these values (not wanted after saving an edit: focus stays on Save)."""
        self.error, self.error_field = "", ""
        self._origin = QuestionOrigin.WRITTEN.value
        self.editing_id = question.id if question else ""
        self.question_type = question.type if question else "single_choice"
        self.prompt = question.prompt_markdown if question else ""
        self.explanation = question.explanation_markdown if question else ""
        self.points = number_text(question.points) if question else "1"
        self.tags_text = ", ".join(question.tags) if question else ""
        self.accepted_text = "\n".join(question.accepted_answers) if question else ""
        self.case_sensitive = question.case_sensitive if question else False
        self.numeric_answer = number_text(question.numeric_answer) if question else ""
        self.numeric_tolerance = number_text(question.numeric_tolerance) if question else ""
        self.locked = question.locked if question else False
        self.options = (
            [OptionRow(o.body, o.is_correct, o.feedback) for o in question.options]
            if question and question.options
            else [OptionRow() for _ in range(NEW_CHOICE_ROWS)]
        )
        if remount:
            self.form_key += 1

    def _fill_draft(self, draft: QuestionDraft) -> rx.event.EventSpec:
        """Show a drafted question as a new one, for the teacher to check and save."""
        self.notice = ""
        self._fill(
            QuestionView(
                id="",
                course_id="",
                type=draft.type,
                prompt_markdown=draft.prompt,
                explanation_markdown=draft.explanation,
                points=float(draft.points),
                options=[OptionView("", o.body, o.is_correct, o.feedback) for o in draft.options],
                accepted_answers=list(draft.accepted_answers),
                numeric_answer=parse_number(draft.numeric_answer, "The answer", "numeric_answer"),
                numeric_tolerance=parse_number(
                    draft.numeric_tolerance, "The tolerance", "tolerance"
                ),
                case_sensitive=draft.case_sensitive,
                tags=list(draft.tags),
            )
        )
        self._origin = QuestionOrigin.DRAFTED.value  # edited or not, no teacher wrote it
        return focus_later(PROMPT_INPUT_ID)

    @rx.event
    @opens_page(signed_in=True)
    def load(self) -> None:
        """on_load: a blank form (it may still hold another course's question)."""
        self.notice = ""
        self._fill(None)

    @rx.event
    def new_question(self) -> rx.event.EventSpec:
        self.notice = ""
        self._fill(None)
        return focus_later(PROMPT_INPUT_ID)

    @rx.event
    async def edit_question(self, question_id: str) -> rx.event.EventSpec | None:
        bank = await self.get_state(QuestionBankState)
        question = bank._question(question_id)
        if question is None:
            return None
        self.notice = ""
        self._fill(question)
        return focus_later(PROMPT_INPUT_ID)

    @rx.event
    def forget(self, question_id: str) -> None:
        """The question was deleted: stop editing it."""
        if question_id == self.editing_id:
            self._fill(None)

    @rx.event
    def set_question_type(self, question_type: str) -> None:
        if question_type == "true_false":
            self.options = list(TRUE_FALSE_ROWS)
        elif self.question_type == "true_false" or len(self.options) < 2:
            self.options = [OptionRow() for _ in range(NEW_CHOICE_ROWS)]
        self.question_type = question_type

    @rx.event
    def set_option_body(self, index: int, body: str) -> None:
        if 0 <= index < len(self.options):
            row = self.options[index]
            self.options[index] = OptionRow(body, row.is_correct, row.feedback)

    @rx.event
    def set_option_feedback(self, index: int, feedback: str) -> None:
        if 0 <= index < len(self.options):
            row = self.options[index]
            self.options[index] = OptionRow(row.body, row.is_correct, feedback)

    @rx.event
    def set_option_correct(self, index: int, correct: bool) -> None:
        """Tick an option; with one correct answer allowed, ticking one unticks the others."""
        single = self.question_type in SINGLE_ANSWER_TYPES
        self.options = [
            OptionRow(
                row.body,
                correct if i == index else (row.is_correct and not single),
                row.feedback,
            )
            for i, row in enumerate(self.options)
        ]

    @rx.event
    def add_option(self) -> rx.event.EventSpec | None:
        if len(self.options) >= MAX_OPTIONS:
            return None
        self.options = [*self.options, OptionRow()]
        return focus_later(f"option-{len(self.options) - 1}")

    @rx.event
    def remove_option(self, index: int) -> None:
        self.options = [row for i, row in enumerate(self.options) if i != index]

    def _draft(self, form: dict[str, str | bool]) -> QuestionDraft:
        def text(name: str) -> str:
            return str(form.get(name) or "")

        choice = self.question_type in CHOICE_TYPES
        return QuestionDraft(
            type=self.question_type,
            prompt=text("prompt"),
            explanation=text("explanation"),
            points=text("points"),
            options=[OptionDraft(r.body, r.is_correct, r.feedback) for r in self.options]
            if choice
            else (),
            accepted_answers=text("accepted_answers").splitlines(),
            numeric_answer=text("numeric_answer"),
            numeric_tolerance=text("numeric_tolerance"),
            case_sensitive=is_checked(form, "case_sensitive"),
            tags=text("tags").split(","),
        )

    @rx.event
    async def save(self, form: dict[str, str | bool]) -> AsyncIterator[object]:
        self.busy, self.error, self.error_field, self.notice = True, "", "", ""
        yield
        draft = self._draft(form)
        try:
            if self.editing_id:
                saved = await self._fetch(
                    question_bank.update_question, question_id=self.editing_id, draft=draft
                )
            else:
                saved = await self._fetch(
                    question_bank.create_question,
                    course_id=route_arg(self, "course_id"),
                    draft=draft,
                    origin=QuestionOrigin(self._origin),
                )
        except InvalidInput as exc:
            self.error, self.error_field = str(exc), exc.field or ""
        except Exception as exc:
            self.error = describe_error(exc)
        else:
            created = not self.editing_id
            # A new question clears the form for the next one; an edited one stays open.
            self._fill(None if created else saved, remount=created)
            self.notice = (
                "The question is saved. Write the next one here, or pick one to edit."
                if created
                else "The question is saved."
            )
            bank = await self.get_state(QuestionBankState)
            await bank._reload()
        finally:
            self.busy = False
