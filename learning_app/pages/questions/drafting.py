"""The "Draft questions" section of `/teach/courses/[course_id]/exams`: the language model
proposes questions from a lesson or a document, and the teacher adds, edits or discards each.

Drafts wait in this state (server side; the browser sees only what they show) until the
teacher decides: nothing reaches the bank until "Add to bank", which goes through the same
service and checks as the question form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from learning_app.adapters.llm import chat_model
from learning_app.components.authoring import choice_options, question_type_badge, select_field
from learning_app.components.drafting import draft_item, drafting_section, source_picker
from learning_app.models.questions import QuestionOrigin
from learning_app.pages.questions.bank_state import QuestionBankState
from learning_app.pages.questions.form_state import QuestionFormState
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions import generation
from learning_app.services.questions.drafts import QuestionDraft, numeric_answer_text
from learning_app.services.questions.generation import DEFAULT_DRAFTS, MAX_DRAFTS
from learning_app.state.auth import AuthState
from learning_app.state.calls import call_model, call_with_session
from learning_app.state.drafting import Drafted, DraftingState

SOURCE_INPUT_ID = "draft-source"
COUNT_INPUT_ID = "draft-count"


@dataclass(frozen=True)
class DraftCard:
    """A drafted question as its card shows it (plain text: the model's words are not
    rendered as Markdown until a teacher saves them)."""

    key: str  # names the draft in events; stable while others come and go
    number: int
    type: str
    prompt: str
    choices: list[str]  # "✓ Paris" / "✗ Lyon"
    answer: str  # the accepted answers or the number, for the other types
    explanation: str


def draft_card(key: str, number: int, draft: QuestionDraft) -> DraftCard:
    if draft.type == "numeric":
        tolerance = float(draft.numeric_tolerance) if draft.numeric_tolerance else None
        answer = "Answer: " + numeric_answer_text(float(draft.numeric_answer or 0), tolerance)
    elif draft.accepted_answers:
        answer = "Accepted: " + " / ".join(draft.accepted_answers)
    else:
        answer = ""
    return DraftCard(
        key=key,
        number=number,
        type=draft.type,
        prompt=draft.prompt,
        choices=[f"{'✓' if o.is_correct else '✗'} {o.body}" for o in draft.options],
        answer=answer,
        explanation=draft.explanation,
    )


async def draft_questions(form: Mapping[str, str], *, token: str, course_id: str) -> Drafted:
    """The language model's questions (as many as the form asks) from the picked source."""
    source = await call_with_session(
        generation.drafting_source,
        token=token,
        course_id=course_id,
        source_key=form.get("source", ""),
        count=form.get("count", ""),
    )
    batch = await call_model(
        generation.draft_questions,
        source,
        count=form.get("count", ""),
        chat=chat_model(),
    )
    return Drafted(source.title, batch.drafts, batch.rejected)


class QuestionDraftingState(DraftingState, AuthState):
    """Drafting on the exams page: without a language model it is off, and says why
    (`off_reason`); a draft can also move into the question form (`edit`)."""

    rows: list[DraftCard] = []

    _added_notice: ClassVar[str] = "Added to the question bank."
    _bank = QuestionBankState
    _draft_from = staticmethod(draft_questions)
    _row = staticmethod(draft_card)

    async def _save(self, draft: QuestionDraft) -> None:
        await self._call(
            question_bank.create_question,
            course_id=self._course_id,
            draft=draft,
            origin=QuestionOrigin.DRAFTED,
        )

    @rx.event
    async def edit(self, key: str) -> rx.event.EventSpec | None:
        """Move the draft into the question form, to change it before saving; not over a bank
        question being edited there, which it would silently replace."""
        form = await self.get_state(QuestionFormState)
        if form.editing_id:
            self.notice = ""
            self.error = (
                "The question form holds a question you are editing: save it or press New "
                "question first."
            )
            return None
        draft = self._take(key)
        if draft is None:
            return None
        self.error, self.notice = "", "The draft is in the question form: save it from there."
        return form._fill_draft(draft)


S = QuestionDraftingState


def _card(card: DraftCard) -> rx.Component:
    number = card.number.to_string()
    return draft_item(
        number,
        question_type_badge(card.type),
        rx.text(card.prompt, white_space="pre-wrap"),
        rx.cond(
            card.choices.length() > 0,
            rx.el.ul(
                rx.foreach(card.choices, lambda c: rx.el.li(c)),
                aria_label="Options of draft " + number,
                padding_left="1rem",
                margin="0",
            ),
        ),
        rx.cond(card.answer != "", rx.text(card.answer, size="2")),
        rx.cond(
            card.explanation != "",
            rx.text(card.explanation, size="2", color_scheme="gray"),
        ),
        add_label="Add to bank",
        add_to="the bank",
        on_add=S.add(card.key),
        on_discard=S.discard(card.key),
        more_actions=[
            rx.button(
                "Edit in form",
                variant="soft",
                aria_label="Edit draft " + number + " in the question form",
                on_click=S.edit(card.key),
            ),
        ],
    )


def question_drafting_section() -> rx.Component:
    return drafting_section(
        "Draft questions with AI",
        "The language model proposes questions from a lesson or a file of this course. "
        "Nothing enters the bank until you add it.",
        chooser=rx.cond(
            S.off_reason != "",
            rx.callout(S.off_reason, icon="info", color_scheme="gray", width="100%"),
            source_picker(
                S.sources,
                select_field(
                    "How many",
                    *choice_options([(str(n), str(n)) for n in range(1, MAX_DRAFTS + 1)]),
                    input_id=COUNT_INPUT_ID,
                    name="count",
                    default_value=str(DEFAULT_DRAFTS),
                ),
                input_id=SOURCE_INPUT_ID,
                submit_label="Draft questions",
                drafting=S.drafting,
                on_submit=S.draft,
                unavailable=S.off_reason != "",
            ),
        ),
        drafting=S.drafting,
        status="The model is writing; this can take up to a minute.",
        error=S.error,
        notice=S.notice,
        drafts=S.rows,
        render=_card,
        drafts_label="Drafted questions",
    )
