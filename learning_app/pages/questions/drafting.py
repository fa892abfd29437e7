"""The "Draft questions" section of `/teach/courses/[course_id]/exams`: the language model
proposes questions from a lesson or a document, and the teacher adds, edits or discards each.

Drafts wait in this state (server side; the browser sees only what they show) until the
teacher decides: nothing reaches the bank until "Add to bank", which goes through the same
service and checks as the question form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import reflex as rx

from learning_app.adapters.llm import chat_model
from learning_app.components.authoring import choice_options, question_type_badge, select_field
from learning_app.components.drafting import draft_item, drafting_section, source_picker
from learning_app.pages.questions.bank_state import QuestionBankState
from learning_app.pages.questions.form_state import QuestionFormState
from learning_app.services.errors import DomainError
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions import generation
from learning_app.services.questions.drafts import QuestionDraft, numeric_answer_text
from learning_app.services.questions.generation import DEFAULT_DRAFTS, MAX_DRAFTS, DraftSource
from learning_app.services.values import count_label
from learning_app.state.auth import AuthState
from learning_app.state.calls import ServiceCalls, call_service, call_with_session, describe_error
from learning_app.state.course_pages import route_arg

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


class QuestionDraftingState(ServiceCalls, AuthState):
    sources: list[DraftSource] = []
    off_reason: str = ""  # why drafting is unavailable ("" when it is available)
    drafting: bool = False
    cards: list[DraftCard] = []
    # The drafts themselves stay on the server, by key: events name a draft by its key, so a
    # double click can never act on the draft that moved into its place.
    _drafts: dict[str, QuestionDraft] = {}
    _course_id: str = ""  # the course of the page the drafts were made on, and belong to

    @rx.event
    async def load(self) -> None:
        """on_load, after the bank: the sources to draft from. A page that is not found or not
        allowed says so in the bank's place; only other failures show here."""
        self.error, self.notice, self.cards, self._drafts = "", "", [], {}
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

    def _show(self, drafts: dict[str, QuestionDraft]) -> None:
        self._drafts = drafts
        self.cards = [draft_card(k, n, d) for n, (k, d) in enumerate(drafts.items(), start=1)]

    @rx.event(background=True)
    async def draft(self, form: dict[str, str]) -> None:
        async with self:
            if self.drafting:
                return
            self.drafting, self.error, self.notice = True, "", ""
            token, course_id = self.session_token, self._course_id
        try:
            source = await call_with_session(
                generation.drafting_source,
                token=token,
                course_id=course_id,
                source_key=form.get("source", ""),
                count=form.get("count", ""),
            )
            batch = await call_service(
                generation.draft_questions,
                source,
                count=form.get("count", ""),
                chat=chat_model(),
            )
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
                self.notice = (
                    f"{count_label(len(batch.drafts), 'draft')} from “{source.title}”{skipped}. "
                    "Check each one before adding it."
                )
        finally:
            async with self:
                if self._course_id == course_id:
                    self.drafting = False

    def _take(self, key: str) -> QuestionDraft | None:
        """Remove the draft from the list and return it (None if there is no such draft)."""
        draft = self._drafts.get(key)
        if draft is not None:
            self._show({k: d for k, d in self._drafts.items() if k != key})
        return draft

    @rx.event
    async def add(self, key: str) -> None:
        if key not in self._drafts:
            self.error, self.notice = "", ""
            return
        await self._call(
            question_bank.create_question, course_id=self._course_id, draft=self._drafts[key]
        )
        if self.error:
            return
        self._take(key)
        self.notice = "Added to the question bank."
        bank = await self.get_state(QuestionBankState)
        await bank._reload()

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

    @rx.event
    def discard(self, key: str) -> None:
        self.error, self.notice = "", ""
        self._take(key)


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
        drafts=S.cards,
        render=_card,
        drafts_label="Drafted questions",
    )
