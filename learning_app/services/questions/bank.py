"""The per-course question bank: teachers write, edit, tag and retire questions.

A question is checked for gradability when it is saved (the same `GradingKey` rules that grade
it later), so a broken question never reaches a student.

Once any attempt has shown a question, what grades it is locked: its type, points, correct
options and accepted answers. Wording (prompt, explanation, option text and feedback) and tags
can still change. To change the rest, a teacher archives it and writes a new one; archiving keeps
every grade that already used it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.exams import AttemptAnswer
from learning_app.models.questions import (
    Question,
    QuestionOption,
    QuestionOrigin,
    QuestionShown,
    QuestionTag,
    QuestionType,
    Tag,
)
from learning_app.services.access.courses import require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.questions.drafts import (
    CleanQuestion,
    OptionDraft,
    QuestionDraft,
    clean_question,
)
from learning_app.services.rows import RowLoader

QUESTION_NOT_FOUND = "We could not find that question."
LOCKED_MESSAGE = (
    "Students have already seen this question, so its type, points and answers are locked. "
    "Archive it and write a new one to change them."
)


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


load_question = RowLoader(Question, QUESTION_NOT_FOUND)


def locked_question_ids(session: Session, question_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these questions an attempt has shown (`QuestionShown`) or answered: locked.
    One statement, of key lookups, however many questions and attempts there are."""
    if not question_ids:
        return set()
    ids = list(question_ids)
    shown = select(QuestionShown.question_id).where(col(QuestionShown.question_id).in_(ids))
    answered = select(AttemptAnswer.question_id).where(col(AttemptAnswer.question_id).in_(ids))
    return set(session.execute(union(shown, answered)).scalars().all())


def is_locked(session: Session, question_id: uuid.UUID) -> bool:
    """Whether any attempt has shown (or answered) the question."""
    return question_id in locked_question_ids(session, [question_id])


def _options(session: Session, question_id: uuid.UUID) -> list[QuestionOption]:
    return question_options(session, [question_id]).get(question_id, [])


def question_options(
    session: Session, question_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[QuestionOption]]:
    """Each question's options in display order; one statement (a question without options
    is missing)."""
    rows = session.exec(
        select(QuestionOption)
        .where(col(QuestionOption.question_id).in_(question_ids))
        .order_by(col(QuestionOption.question_id), col(QuestionOption.position))
    ).all()
    found: dict[uuid.UUID, list[QuestionOption]] = defaultdict(list)
    for option in rows:
        found[option.question_id].append(option)
    return found


def tag_names(
    session: Session,
    owner_id: InstrumentedAttribute[uuid.UUID],
    tag_id: InstrumentedAttribute[uuid.UUID],
    owner_ids: list[uuid.UUID],
) -> dict[uuid.UUID, list[str]]:
    """Each owner's tag names, alphabetically, through a link table's (`owner_id`, `tag_id`)
    columns (`QuestionTag`, `FlashcardTag`); one statement, none for no owners."""
    names: dict[uuid.UUID, list[str]] = {owner: [] for owner in owner_ids}
    if not owner_ids:
        return names
    rows = session.exec(
        select(owner_id, Tag.name)
        .join(Tag, col(Tag.id) == col(tag_id))
        .where(col(owner_id).in_(owner_ids))
        .order_by(func.lower(Tag.name))
    ).all()
    for owner, name in rows:
        names[owner].append(name)
    return names


def question_views(session: Session, questions: Sequence[Question]) -> list[QuestionView]:
    """The questions as the bank shows them: their options, tags and locks read in one
    statement each, not three per question."""
    if not questions:
        return []
    ids = [question.id for question in questions]
    options = question_options(session, ids)
    tags = tag_names(session, QuestionTag.question_id, QuestionTag.tag_id, ids)
    locked = locked_question_ids(session, ids)
    return [
        QuestionView(
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
                for o in options.get(question.id, [])
            ],
            accepted_answers=list(question.accepted_answers or []),
            numeric_answer=question.numeric_answer,
            numeric_tolerance=question.numeric_tolerance,
            case_sensitive=question.case_sensitive,
            tags=tags[question.id],
            archived=question.archived_at is not None,
            locked=question.id in locked,
        )
        for question in questions
    ]


def question_view(session: Session, question: Question) -> QuestionView:
    [view] = question_views(session, [question])
    return view


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


def _apply(question: Question, clean: CleanQuestion) -> None:
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
    return question_views(session, rows)


def list_tags(
    session: Session, *, token: str, course_id: str, used_only: bool = False
) -> list[TagCount]:
    """The course's tags by name, each with its count of live questions. The course has one
    tag list for its questions and flashcards: `used_only` leaves out the tags no question
    (archived ones included) carries, as the bank's filter wants; the exam editor lists them
    all, so a draw rule's tag stays among its choices."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    live = (QuestionTag.question_id == Question.id) & col(Question.archived_at).is_(None)
    query = (
        select(Tag.name, func.count(col(Question.id)))
        .join(QuestionTag, col(QuestionTag.tag_id) == col(Tag.id), isouter=True)
        .join(Question, live, isouter=True)
        .where(Tag.course_id == course.id)
        .group_by(col(Tag.id), col(Tag.name))
        .order_by(func.lower(Tag.name))
    )
    if used_only:
        query = query.having(func.count(col(QuestionTag.question_id)) > 0)
    rows = session.exec(query).all()
    return [TagCount(name=name, question_count=count) for name, count in rows]


def create_question(
    session: Session,
    *,
    token: str,
    course_id: str,
    draft: QuestionDraft,
    origin: QuestionOrigin = QuestionOrigin.WRITTEN,
) -> QuestionView:
    """Add a question to the course's bank; `origin` says whether a teacher wrote it or kept
    what the language model drafted (set by the server's handler, never by the browser)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    clean = clean_question(draft)
    question = add_question(session, course.id, uuid.UUID(viewer.user_id), clean, origin)
    return question_view(session, question)


def add_question(
    session: Session,
    course_id: uuid.UUID,
    author_id: uuid.UUID,
    clean: CleanQuestion,
    origin: QuestionOrigin = QuestionOrigin.WRITTEN,
) -> Question:
    """Write a checked question with its options and tags (the caller checked who may)."""
    question = Question(
        course_id=course_id,
        author_id=author_id,
        type=clean.type,
        prompt_markdown=clean.prompt,
        origin=origin,
    )
    _apply(question, clean)
    session.add(question)
    session.flush()
    _write_options(session, question, clean.options)
    _write_tags(session, question, clean.tags)
    session.flush()
    return question


def _grading_unchanged(session: Session, question: Question, clean: CleanQuestion) -> bool:
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
    clean = clean_question(draft)
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
