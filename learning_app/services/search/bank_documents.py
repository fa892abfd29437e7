"""Search documents of the teachers-only kinds: a course's questions and flashcards in use,
with their tags."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.models.content import Course
from learning_app.models.questions import Question, QuestionTag, Tag
from learning_app.models.review import Flashcard, FlashcardTag
from learning_app.services.search.document_shape import (
    TITLE_CHARS,
    Document,
    Scope,
    course_fields,
    finish,
    in_scope,
    tag_key,
    teachers_of,
)
from learning_app.services.search.text import clean_text, document_text

_QUESTION_TAGS = (col(QuestionTag.question_id), col(QuestionTag.tag_id))
_FLASHCARD_TAGS = (col(FlashcardTag.flashcard_id), col(FlashcardTag.tag_id))


def _tags(session: Session, link: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The tag names of each of `ids`, through `link`'s (owner id, tag id) columns, A to Z."""
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not ids:
        return tags
    owner, tag_id = link
    rows = session.exec(
        select(owner, Tag.name)
        .join(Tag, col(Tag.id) == tag_id)
        .where(owner.in_(ids))
        .order_by(func.lower(Tag.name))
    ).all()
    for owner_id, name in rows:
        tags[owner_id].append(clean_text(name))
    return tags


def question_documents(session: Session, scope: Scope | None) -> list[Document]:
    """Questions in use (archived ones are retired and leave the index)."""
    query = (
        select(Question, Course)
        .join(Course, col(Course.id) == col(Question.course_id))
        .where(col(Question.archived_at).is_(None))
    )
    rows = session.exec(in_scope(query, scope, Question.id)).all()
    teachers = teachers_of(session, (course.id for _, course in rows))
    tags = _tags(session, _QUESTION_TAGS, [question.id for question, _ in rows])
    docs = []
    for question, course in rows:
        prompt = document_text(question.prompt_markdown)
        names = tags.get(question.id, [])
        docs.append(
            finish(
                {
                    "id": str(question.id),
                    "type": "question",
                    "entity_id": str(question.id),
                    **course_fields(course, teachers),
                    # Only teachers search questions, so "published" means "in use".
                    "published": True,
                    "title": prompt[:TITLE_CHARS] or "Question",
                    "preview": document_text(
                        f"{question.prompt_markdown}\n\n{question.explanation_markdown}"
                    ),
                    "tags": names,
                    "tag_keys": [tag_key(name) for name in names],
                }
            )
        )
    return docs


def flashcard_documents(session: Session, scope: Scope | None) -> list[Document]:
    """A course's cards in use: archived ones leave the index, and a student's personal cards
    (`owner_id` set) never enter it."""
    query = (
        select(Flashcard, Course)
        .join(Course, col(Course.id) == col(Flashcard.course_id))
        .where(col(Flashcard.archived_at).is_(None), col(Flashcard.owner_id).is_(None))
    )
    rows = session.exec(in_scope(query, scope, Flashcard.id)).all()
    teachers = teachers_of(session, (course.id for _, course in rows))
    tags = _tags(session, _FLASHCARD_TAGS, [card.id for card, _ in rows])
    docs = []
    for card, course in rows:
        names = tags.get(card.id, [])
        docs.append(
            finish(
                {
                    "id": str(card.id),
                    "type": "flashcard",
                    "entity_id": str(card.id),
                    **course_fields(course, teachers),
                    # Only teachers search cards, so "published" means "in use".
                    "published": True,
                    "title": document_text(card.front_markdown)[:TITLE_CHARS] or "Flashcard",
                    "preview": document_text(f"{card.front_markdown}\n\n{card.back_markdown}"),
                    "tags": names,
                    "tag_keys": [tag_key(name) for name in names],
                }
            )
        )
    return docs
