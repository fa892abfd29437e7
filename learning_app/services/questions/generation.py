"""Draft quiz questions from a lesson or a document with the configured language model.

The model's reply is a suggestion, never a question: each draft it proposes goes through
`clean_question`, the check the question form uses, and a draft reaches the bank only when a
teacher adds it (`questions.bank.create_question`, which checks everything again). Loading the text
(`drafting_source`) and asking the model (`draft_questions`) are separate calls, so no database
transaction stays open while the model writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, select

from learning_app.adapters.llm import ChatError, ChatModel
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services import rate_limits
from learning_app.services.access.courses import ordered_lessons, require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import DomainError, InvalidInput
from learning_app.services.material.source_text import SourceText, source_text
from learning_app.services.model_replies import json_items
from learning_app.services.questions.drafts import OptionDraft, QuestionDraft, clean_question
from learning_app.settings import get_settings

DRAFTING_OFF = (
    "Drafting questions needs a language model: set OPENAI_API_KEY, or OPENAI_BASE_URL for a "
    "local OpenAI-compatible server."
)
SOURCE_NOT_FOUND = "Pick a lesson or a ready document of this course to draft from."
NO_USABLE_DRAFT = (
    "The language model's reply held no usable question. Try again, or pick another source."
)
DEFAULT_DRAFTS = 5
MAX_DRAFTS = 10
# About 1,500 tokens: with the instructions and a reply of MAX_DRAFTS questions the request
# stays within a 4k-token context.
MAX_SOURCE_CHARS = 6_000
# Passages are ~170 words: this many more than fill MAX_SOURCE_CHARS.
MAX_PASSAGES = 12
# Each request costs a model call (money, with OpenAI): a teacher reviewing drafts needs far
# fewer than this.
DRAFTS_PER_HOUR = 30
REPLY_TOKENS_PER_DRAFT = 220


@dataclass(frozen=True)
class DraftSource:
    """A lesson or document of the course, as the source picker lists it."""

    key: str  # "lesson:<id>" or "document:<id>"
    label: str


@dataclass(frozen=True)
class DraftBatch:
    drafts: list[QuestionDraft]
    rejected: int  # questions in the reply that failed the question check or repeated one


def drafting_off_reason() -> str:
    """Why drafting is off ("" when a chat model is configured)."""
    return "" if get_settings().chat_configured else DRAFTING_OFF


def drafting_sources(session: Session, *, token: str, course_id: str) -> list[DraftSource]:
    """The course's lessons, in course order, then its documents that are ready."""
    course = require_course_editor(session, require_viewer(session, token), course_id)
    lessons = [
        DraftSource(f"lesson:{lesson.id}", f"Lesson: {lesson.title}")
        for lesson, _ in ordered_lessons(session, course.id, include_drafts=True)
    ]
    documents = session.exec(
        select(Document)
        .where(Document.course_id == course.id, Document.status == DocumentStatus.READY)
        .order_by(col(Document.filename), col(Document.id))
    ).all()
    return lessons + [DraftSource(f"document:{d.id}", f"File: {d.filename}") for d in documents]


def drafting_source(
    session: Session, *, token: str, course_id: str, source_key: str, count: int | str
) -> SourceText:
    """The text to draft `count` questions from, if the viewer edits the course and the source
    belongs to it. A request that passes every check counts against the viewer's hourly
    allowance; one refused for its own fault does not."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    if reason := drafting_off_reason():
        raise DomainError(reason)
    _count(count)
    source = source_text(
        session,
        course.id,
        source_key,
        not_found=SOURCE_NOT_FOUND,
        drafts="questions",
        max_passages=MAX_PASSAGES,
    )
    rate_limits.hit("question_drafting", viewer.user_id, limit=DRAFTS_PER_HOUR, window_seconds=3600)
    return replace(source, text=source.text[:MAX_SOURCE_CHARS])


def drafting_messages(source: SourceText, count: int) -> list[dict[str, str]]:
    system = (
        "You write quiz questions for a teacher. Use ONLY the material below; never ask about "
        "anything it does not say. Reply with JSON only, no prose, in this shape:\n"
        '{"questions": [{"type": "single_choice", "prompt": "...", "options": '
        '[{"text": "...", "correct": true}, {"text": "...", "correct": false}], '
        '"explanation": "..."}]}\n'
        "type is one of single_choice (exactly one correct option), multiple_choice (one or "
        'more correct), true_false (give "answer": true or false instead of options), '
        'short_answer (give "accepted_answers": ["..."]) or numeric (give "answer": a number '
        'and "tolerance": a number). Give each question 3 to 5 options when it has options, '
        "and a one-sentence explanation that quotes the material."
    )
    user = f"Material: {source.title}\n\n{source.text}\n\nWrite {count} questions."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def draft_questions(source: SourceText, *, count: int | str, chat: ChatModel | None) -> DraftBatch:
    """Ask the model for `count` questions about `source` and keep the ones that pass the
    question check. Raises a DomainError with a message for the teacher when there are none."""
    if chat is None:
        raise DomainError(DRAFTING_OFF)
    wanted = _count(count)
    try:
        reply = "".join(
            chat.stream(
                drafting_messages(source, wanted), max_tokens=REPLY_TOKENS_PER_DRAFT * wanted
            )
        )
    except ChatError as exc:
        raise DomainError(f"No drafts this time: {exc}. Try again in a moment.") from exc
    batch = parse_drafts(reply, wanted)
    if not batch.drafts:
        raise DomainError(NO_USABLE_DRAFT)
    return batch


def _count(raw: int | str) -> int:
    try:
        count = int(str(raw).strip())
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_DRAFTS:
        raise InvalidInput(f"Ask for 1 to {MAX_DRAFTS} questions.", field="count")
    return count


def parse_drafts(reply: str, limit: int) -> DraftBatch:
    """The first `limit` usable questions of a model's reply: JSON found anywhere in it
    (models wrap it in prose or code fences), each item checked like a teacher's form, repeats
    dropped. `rejected` counts the items that failed the check or repeated one."""
    drafts: list[QuestionDraft] = []
    seen: set[str] = set()
    rejected = 0
    for item in json_items(reply, "questions"):
        if len(drafts) >= limit:
            break
        draft = _draft(item)
        if draft is None or draft.prompt.casefold() in seen:
            rejected += 1
            continue
        seen.add(draft.prompt.casefold())
        drafts.append(draft)
    return DraftBatch(drafts=drafts, rejected=rejected)


def _draft(item: Any) -> QuestionDraft | None:
    """A checked QuestionDraft from one item of the reply, or None if it is not a question."""
    if not isinstance(item, dict):
        return None
    qtype = _string(item.get("type")).lower()
    options = [o for o in map(_option, _list(item.get("options"))) if o is not None]
    if qtype == "true_false" and isinstance(item.get("answer"), bool):
        options = [OptionDraft("True", item["answer"]), OptionDraft("False", not item["answer"])]
    draft = QuestionDraft(
        type=qtype,
        prompt=_string(item.get("prompt")),
        explanation=_string(item.get("explanation")),
        options=options,
        accepted_answers=[_string(a) for a in _list(item.get("accepted_answers"))],
        numeric_answer=_number(item.get("answer")) if qtype == "numeric" else None,
        numeric_tolerance=_number(item.get("tolerance")) if qtype == "numeric" else None,
    )
    try:
        clean = clean_question(draft)
    except (DomainError, TypeError, ValueError, OverflowError):
        return None
    return QuestionDraft(
        type=clean.type.value,
        prompt=clean.prompt,
        explanation=clean.explanation,
        points=clean.points,
        options=clean.options,
        accepted_answers=clean.accepted_answers,
        numeric_answer=clean.numeric_answer,
        numeric_tolerance=clean.numeric_tolerance,
    )


def _option(raw: Any) -> OptionDraft | None:
    if isinstance(raw, str):
        return OptionDraft(raw)
    if isinstance(raw, dict):
        correct = raw.get("correct", raw.get("is_correct", False))
        return OptionDraft(_string(raw.get("text", raw.get("body"))), correct is True)
    return None


def _list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def _string(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        return float(raw)
    except (ValueError, OverflowError):  # "many"; an integer beyond a float's range
        return None
