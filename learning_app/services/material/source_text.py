"""The text of a lesson or a ready course file, named by a source key ("lesson:<id>" or
"document:<id>", as `questions.generation.drafting_sources` lists them), for drafting
questions or flashcards from it.

It checks only that the source belongs to the course and has text: the callers check first
that the viewer edits the course, and count the request against their own hourly allowance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from learning_app.models.chunks import LessonChunk
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services.access.courses import lesson_place, load_lesson
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.values import parse_id


@dataclass(frozen=True)
class SourceText:
    title: str
    text: str
    lesson_id: str = ""  # set when the source is a lesson: what is drafted from it belongs to it


def source_text(
    session: Session,
    course_id: uuid.UUID,
    source_key: str,
    *,
    not_found: str,
    drafts: str,
    max_passages: int,
) -> SourceText:
    """The whole text of the lesson, or the first `max_passages` passages of the file, that
    `source_key` names in the course. `not_found` is the message for a key that names nothing
    of this course; `drafts` names what is drafted ("cards", "questions") in the message for
    a source without text."""
    kind, _, raw_id = (source_key or "").partition(":")
    if kind == "lesson":
        lesson = load_lesson(session, parse_id(raw_id, not_found))
        lesson_place(session, course_id, lesson.id)
        source = SourceText(lesson.title, lesson.body_markdown, str(lesson.id))
    elif kind == "document":
        source = _file_text(session, course_id, raw_id, not_found, max_passages)
    else:
        raise NotFound(not_found)
    if not source.text.strip():
        raise InvalidInput(f"“{source.title}” has no text to draft {drafts} from yet.")
    return source


def _file_text(
    session: Session, course_id: uuid.UUID, raw_id: str, not_found: str, max_passages: int
) -> SourceText:
    document = session.get(Document, parse_id(raw_id, not_found))
    if document is None or document.course_id != course_id:
        raise NotFound(not_found)
    if document.status != DocumentStatus.READY:
        raise InvalidInput(f"“{document.filename}” is not ready yet: wait until it is processed.")
    rows = session.exec(
        select(LessonChunk.position, LessonChunk.text)
        .where(LessonChunk.document_id == document.id, LessonChunk.position < max_passages)
        .order_by(col(LessonChunk.position))
    ).all()
    # A position has one row per embedding model that read it; neighbouring passages overlap
    # by a few words, which a model does not mind and the cards' de-duplication drops.
    return SourceText(document.filename, "\n\n".join(dict(rows).values()))
