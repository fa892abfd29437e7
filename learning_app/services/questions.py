"""The per-course question bank: teachers write, edit, tag and retire questions.

A question is checked for gradability when it is saved (the same `GradingKey` rules that grade
it later), so a broken question never reaches a student.

Once any attempt has shown a question, what grades it is locked: its type, points, correct
options and accepted answers. Wording (prompt, explanation, option text and feedback) and tags
can still change. To change the rest, a teacher archives it and writes a new one; archiving keeps
every grade that already used it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from learning_app.models import (
    AttemptAnswer,
    ExamAttempt,
    Question,
    QuestionOption,
    QuestionTag,
    QuestionType,
    Tag,
)
from learning_app.models.base import utc_now
from learning_app.services.course_access import parse_id, require_course_editor
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.grading import CHOICE_TYPES, GradingKey
from learning_app.services.permissions import require_viewer
from learning_app.services.text_input import is_blank, one_line, storable

QUESTION_NOT_FOUND = "We could not find that question."
MAX_PROMPT_LENGTH = 10_000
MAX_OPTION_LENGTH = 1_000
MAX_OPTIONS = 10
MAX_ACCEPTED_ANSWERS = 20
MAX_ANSWER_LENGTH = 200
MAX_TAGS = 10
MAX_TAG_LENGTH = 64
MAX_POINTS = 1_000.0
LOCKED_MESSAGE = (
    "Students have already seen this question, so its type, points and answers are locked. "
    "Archive it and write a new one to change them."
)


@dataclass(frozen=True)
class OptionDraft:
    body: str
    is_correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class QuestionDraft:
    """A question as a form submits it; numbers may arrive as text and are parsed here."""

    type: str
    prompt: str
    explanation: str = ""
    points: float | str = 1.0
    options: Sequence[OptionDraft] = ()
    accepted_answers: Sequence[str] = ()
    numeric_answer: float | str | None = None
    numeric_tolerance: float | str | None = None
    case_sensitive: bool = False
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class OptionView:
    id: str
    body: str
    is_correct: bool
    feedback: str


@dataclass(frozen=True)
class QuestionView:
    """A bank question for its teachers (includes the answers: never send it to students)."""

    id: str
    course_id: str
    type: str
    prompt_markdown: str
    explanation_markdown: str
    points: float
    options: list[OptionView] = field(default_factory=list)
    accepted_answers: list[str] = field(default_factory=list)
    numeric_answer: float | None = None
    numeric_tolerance: float | None = None
    case_sensitive: bool = False
    tags: list[str] = field(default_factory=list)
    archived: bool = False
    locked: bool = False


@dataclass(frozen=True)
class TagCount:
    name: str
    question_count: int  # questions with the tag that are not archived


def parse_number(raw: float | int | str | None, label: str, field_name: str) -> float | None:
    """A finite float from a form value; None when blank; InvalidInput otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{label} must be a number, like 2 or 0.5.", field=field_name) from None
    if not math.isfinite(number):
        raise InvalidInput(f"{label} must be a finite number.", field=field_name)
    return number


def _text(raw: str, label: str, field_name: str, limit: int, *, required: bool) -> str:
    value = storable((raw or "").strip(), label, field_name)
    if required and is_blank(value):
        raise InvalidInput(f"Enter the {label}.", field=field_name)
    if len(value) > limit:
        raise InvalidInput(f"Use at most {limit:,} characters for the {label}.", field=field_name)
    return value


@dataclass(frozen=True)
class _CleanQuestion:
    type: QuestionType
    prompt: str
    explanation: str
    points: float
    options: list[OptionDraft]
    accepted_answers: list[str]
    numeric_answer: float | None
    numeric_tolerance: float | None
    case_sensitive: bool
    tags: list[str]


def clean_tags(raw: Sequence[str]) -> list[str]:
    """Trimmed, de-duplicated ignoring case, first spelling kept; at most 10 of 64 characters."""
    tags: dict[str, str] = {}
    for name in raw:
        tag = one_line(" ".join((name or "").split()), "tag", "tags")
        if is_blank(tag):
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"Keep tags under {MAX_TAG_LENGTH} characters.", field="tags")
        tags.setdefault(tag.casefold(), tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"Use at most {MAX_TAGS} tags.", field="tags")
    return list(tags.values())


def _clean(draft: QuestionDraft) -> _CleanQuestion:
    try:
        qtype = QuestionType(draft.type)
    except ValueError:
        raise InvalidInput("Choose a question type.", field="type") from None
    points = parse_number(draft.points, "Points", "points")
    if points is None or not 0 < points <= MAX_POINTS:
        raise InvalidInput(f"Points must be above 0 and at most {MAX_POINTS:g}.", field="points")
    options: list[OptionDraft] = []
    if qtype in CHOICE_TYPES:
        options = [
            OptionDraft(
                body=_text(o.body, "option text", "options", MAX_OPTION_LENGTH, required=False),
                is_correct=bool(o.is_correct),
                feedback=_text(
                    o.feedback, "option feedback", "options", MAX_OPTION_LENGTH, required=False
                ),
            )
            for o in draft.options
        ]
        options = [o for o in options if o.body]
        if qtype is QuestionType.TRUE_FALSE and len(options) != 2:
            raise InvalidInput("A true/false question has exactly two options.", field="options")
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(f"Give between 2 and {MAX_OPTIONS} options.", field="options")
    accepted: list[str] = []
    if qtype is QuestionType.SHORT_ANSWER:
        accepted = [
            _text(a, "accepted answer", "accepted_answers", MAX_ANSWER_LENGTH, required=False)
            for a in draft.accepted_answers
        ]
        accepted = list(dict.fromkeys(a for a in accepted if a))
        if len(accepted) > MAX_ACCEPTED_ANSWERS:
            raise InvalidInput(
                f"Give at most {MAX_ACCEPTED_ANSWERS} accepted answers.", field="accepted_answers"
            )
    numeric = qtype is QuestionType.NUMERIC
    clean = _CleanQuestion(
        type=qtype,
        prompt=_text(draft.prompt, "question", "prompt", MAX_PROMPT_LENGTH, required=True),
        explanation=_text(
            draft.explanation, "explanation", "explanation", MAX_PROMPT_LENGTH, required=False
        ),
        points=points,
        options=options,
        accepted_answers=accepted,
        numeric_answer=parse_number(draft.numeric_answer, "The answer", "numeric_answer")
        if numeric
        else None,
        numeric_tolerance=parse_number(draft.numeric_tolerance, "The tolerance", "tolerance")
        if numeric
        else None,
        case_sensitive=bool(draft.case_sensitive) and qtype is QuestionType.SHORT_ANSWER,
        tags=clean_tags(draft.tags),
    )
    if numeric and clean.numeric_answer is None:
        raise InvalidInput("Enter the correct answer, as a number.", field="numeric_answer")
    _check_gradable(clean)
    return clean


def _check_gradable(clean: _CleanQuestion) -> None:
    """The grading rules' own check, phrased for the form."""
    ids = [str(i) for i in range(len(clean.options))]
    try:
        GradingKey(
            type=clean.type,
            points=clean.points,
            option_ids=frozenset(ids),
            correct_option_ids=frozenset(
                i for i, o in zip(ids, clean.options, strict=True) if o.is_correct
            ),
            accepted_answers=tuple(clean.accepted_answers),
            case_sensitive=clean.case_sensitive,
            numeric_answer=clean.numeric_answer,
            numeric_tolerance=clean.numeric_tolerance,
        )
    except ValueError as exc:
        field_name = {
            QuestionType.SHORT_ANSWER: "accepted_answers",
            QuestionType.NUMERIC: "numeric_answer",
        }.get(clean.type, "options")
        raise InvalidInput(str(exc), field=field_name) from None


def load_question(
    session: Session, question_id: str | uuid.UUID, *, lock: bool = False
) -> Question:
    query = select(Question).where(Question.id == parse_id(question_id, QUESTION_NOT_FOUND))
    if lock:
        query = query.with_for_update()
    question = session.exec(query).first()
    if question is None:
        raise NotFound(QUESTION_NOT_FOUND)
    return question


def is_locked(session: Session, question_id: uuid.UUID) -> bool:
    """Whether any attempt has shown (or answered) the question."""
    shown = ExamAttempt.question_order.contains(  # type: ignore[attr-defined]
        [{"question_id": str(question_id)}]
    )
    answered = exists().where(AttemptAnswer.question_id == question_id)
    return bool(session.exec(select(or_(answered, exists().where(shown)))).one())


def _options(session: Session, question_id: uuid.UUID) -> list[QuestionOption]:
    return list(
        session.exec(
            select(QuestionOption)
            .where(QuestionOption.question_id == question_id)
            .order_by(col(QuestionOption.position))
        ).all()
    )


def _tags_of(session: Session, question_id: uuid.UUID) -> list[str]:
    return list(
        session.exec(
            select(Tag.name)
            .join(QuestionTag, col(QuestionTag.tag_id) == col(Tag.id))
            .where(QuestionTag.question_id == question_id)
            .order_by(func.lower(Tag.name))
        ).all()
    )


def question_view(session: Session, question: Question) -> QuestionView:
    return QuestionView(
        id=str(question.id),
        course_id=str(question.course_id),
        type=QuestionType(question.type).value,
        prompt_markdown=question.prompt_markdown,
        explanation_markdown=question.explanation_markdown,
        points=question.points,
        options=[
            OptionView(
                id=str(o.id), body=o.body, is_correct=o.is_correct, feedback=o.feedback or ""
            )
            for o in _options(session, question.id)
        ],
        accepted_answers=list(question.accepted_answers or []),
        numeric_answer=question.numeric_answer,
        numeric_tolerance=question.numeric_tolerance,
        case_sensitive=question.case_sensitive,
        tags=_tags_of(session, question.id),
        archived=question.archived_at is not None,
        locked=is_locked(session, question.id),
    )


def ensure_tags(
    session: Session, course_id: uuid.UUID, names: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The course's tags with these names (matched ignoring case), creating missing ones.

    Returns {casefolded name: tag id}.
    """
    if not names:
        return {}
    session.execute(
        pg_insert(Tag)
        .values([{"id": uuid.uuid4(), "course_id": course_id, "name": n} for n in names])
        .on_conflict_do_nothing()
    )
    wanted = {n.casefold() for n in names}
    rows = session.exec(select(Tag.id, Tag.name).where(Tag.course_id == course_id)).all()
    return {name.casefold(): tag_id for tag_id, name in rows if name.casefold() in wanted}


def _write_tags(session: Session, question: Question, names: list[str]) -> None:
    tag_ids = ensure_tags(session, question.course_id, names)
    session.execute(delete(QuestionTag).where(col(QuestionTag.question_id) == question.id))
    session.add_all(QuestionTag(question_id=question.id, tag_id=t) for t in tag_ids.values())


def _write_options(session: Session, question: Question, options: list[OptionDraft]) -> None:
    session.execute(delete(QuestionOption).where(col(QuestionOption.question_id) == question.id))
    session.add_all(
        QuestionOption(
            question_id=question.id,
            body=o.body,
            is_correct=o.is_correct,
            feedback=o.feedback or None,
            position=i,
        )
        for i, o in enumerate(options)
    )


def _apply(question: Question, clean: _CleanQuestion) -> None:
    question.type = clean.type
    question.prompt_markdown = clean.prompt
    question.explanation_markdown = clean.explanation
    question.points = clean.points
    question.accepted_answers = clean.accepted_answers or None
    question.numeric_answer = clean.numeric_answer
    question.numeric_tolerance = clean.numeric_tolerance
    question.case_sensitive = clean.case_sensitive


def list_question_bank(
    session: Session, *, token: str, course_id: str, include_archived: bool = False
) -> list[QuestionView]:
    """The course's questions, newest first, for its teachers."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    query = select(Question).where(Question.course_id == course.id)
    if not include_archived:
        query = query.where(col(Question.archived_at).is_(None))
    rows = session.exec(query.order_by(col(Question.created_at).desc(), col(Question.id))).all()
    return [question_view(session, q) for q in rows]


def list_tags(session: Session, *, token: str, course_id: str) -> list[TagCount]:
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    live = (QuestionTag.question_id == Question.id) & col(Question.archived_at).is_(None)
    rows = session.exec(
        select(Tag.name, func.count(col(Question.id)))
        .join(QuestionTag, col(QuestionTag.tag_id) == col(Tag.id), isouter=True)
        .join(Question, live, isouter=True)
        .where(Tag.course_id == course.id)
        .group_by(col(Tag.id), col(Tag.name))
        .order_by(func.lower(Tag.name))
    ).all()
    return [TagCount(name=name, question_count=count) for name, count in rows]


def create_question(
    session: Session, *, token: str, course_id: str, draft: QuestionDraft
) -> QuestionView:
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    clean = _clean(draft)
    question = Question(
        course_id=course.id,
        author_id=uuid.UUID(viewer.user_id),
        type=clean.type,
        prompt_markdown=clean.prompt,
    )
    _apply(question, clean)
    session.add(question)
    session.flush()
    _write_options(session, question, clean.options)
    _write_tags(session, question, clean.tags)
    session.flush()
    return question_view(session, question)


def _grading_unchanged(session: Session, question: Question, clean: _CleanQuestion) -> bool:
    current = _options(session, question.id)
    return (
        clean.type == question.type
        and clean.points == question.points
        and clean.accepted_answers == list(question.accepted_answers or [])
        and clean.numeric_answer == question.numeric_answer
        and clean.numeric_tolerance == question.numeric_tolerance
        and clean.case_sensitive == question.case_sensitive
        and [o.is_correct for o in clean.options] == [o.is_correct for o in current]
    )


def update_question(
    session: Session, *, token: str, question_id: str, draft: QuestionDraft
) -> QuestionView:
    """Save new content; a locked question keeps its option ids (answers refer to them)."""
    viewer = require_viewer(session, token)
    question = load_question(session, question_id, lock=True)
    require_course_editor(session, viewer, question.course_id)
    clean = _clean(draft)
    if is_locked(session, question.id):
        if not _grading_unchanged(session, question, clean):
            raise InvalidInput(LOCKED_MESSAGE)
        for option, edit in zip(_options(session, question.id), clean.options, strict=True):
            option.body, option.feedback = edit.body, edit.feedback or None
            session.add(option)
    else:
        _write_options(session, question, clean.options)
    _apply(question, clean)
    question.updated_at = utc_now()
    session.add(question)
    _write_tags(session, question, clean.tags)
    session.flush()
    return question_view(session, question)


def set_question_archived(
    session: Session, *, token: str, question_id: str, archived: bool
) -> QuestionView:
    """Archive (retire from new exams and draws, keep for grades) or restore a question."""
    viewer = require_viewer(session, token)
    question = load_question(session, question_id, lock=True)
    require_course_editor(session, viewer, question.course_id)
    question.archived_at = utc_now() if archived else None
    session.add(question)
    session.flush()
    return question_view(session, question)


def delete_question(session: Session, *, token: str, question_id: str) -> bool:
    """Delete a question no attempt has used; archive one that was used. True if deleted."""
    viewer = require_viewer(session, token)
    question = load_question(session, question_id, lock=True)
    require_course_editor(session, viewer, question.course_id)
    if is_locked(session, question.id):
        question.archived_at = question.archived_at or utc_now()
        session.add(question)
        session.flush()
        return False
    session.execute(delete(Question).where(col(Question.id) == question.id))
    session.expunge(question)
    return True
