"""What the search index holds: one Typesense document per searchable thing, built from Postgres.

Six kinds, each in its own collection: courses, lessons (one document per place of a lesson in
a course, so a hit links to that course and carries that course's visibility), questions and
flashcards (teachers only; a student's personal cards are never indexed), course files
(uploaded material once it is ingested, searched by name and by the start of its extracted
text) and passages: every passage of every lesson place and of every ready course file, so a
term explained on page 3 is found, and found there. A new kind is
a `SearchKind` with its builder in `KINDS`: the index, the sync job, the drift check and the
search service pick it up.

Passages are cut as ingestion cuts them for the tutor (`markdown_sections` + `chunk_sections`):
a lesson's straight from its body when the lesson is saved, without waiting for its embedding
job; a file's are its `LessonChunk` rows, written when ingestion marks it ready. A passage
document carries its source (`entity_id`, `type` "lesson" or "document", `lesson_id`), the
source's title, `heading`, `page` (0: none), `text`, and `source_key` ("<source>.<course>", one
per hit: search groups passages by it). Its id is `<source>.<course>.<position>`.

Every document carries the same fields, so one query shape and one visibility filter serve all
kinds:
- `entity_id`: the course, lesson, question or flashcard it stands for (what a sync job replaces);
- `course_id`, `course_title`, `course_key` ("<id> <title>", the course facet);
- `published`: readers may see it (course published; for a lesson, lesson and course published);
- `course_public` and `teacher_ids`: who may see it (see `search.visibility_filter`);
- `title`, `preview` (plain text, the first `PREVIEW_CHARS` of the content; passages have
  `text` instead), `tags`;
- `content_hash`: stored, not indexed; `search-check` compares it with Postgres.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course, CourseLesson, CourseTeacher, Lesson, PublishStatus
from learning_app.models.documents import Document as CourseFile
from learning_app.models.documents import DocumentStatus
from learning_app.models.questions import Question, QuestionTag, Tag
from learning_app.models.review import Flashcard, FlashcardTag
from learning_app.services.search.passages import PassageText, file_passages, lesson_passages
from learning_app.services.search.text import PREVIEW_CHARS, clean_text, plain_text

# Bump when a schema below changes: `learning-app reindex` then builds collections of the new
# shape behind the same aliases.
SCHEMA_VERSION = 2
TITLE_CHARS = 200

Document = dict[str, object]

FIELDS: list[dict[str, object]] = [
    {"name": "type", "type": "string", "facet": True},
    {"name": "entity_id", "type": "string"},
    {"name": "course_id", "type": "string"},
    {"name": "course_title", "type": "string"},
    {"name": "course_key", "type": "string", "facet": True},
    {"name": "lesson_id", "type": "string", "optional": True},
    {"name": "published", "type": "bool"},
    {"name": "course_public", "type": "bool"},
    {"name": "teacher_ids", "type": "string[]"},
    {"name": "title", "type": "string"},
    {"name": "preview", "type": "string"},
    {"name": "tags", "type": "string[]", "facet": True},
    {"name": "tag_keys", "type": "string[]"},
]
PASSAGE_FIELDS: list[dict[str, object]] = [
    *(field for field in FIELDS if field["name"] != "preview"),
    {"name": "source_key", "type": "string", "facet": True},
    {"name": "heading", "type": "string"},
    {"name": "page", "type": "int32"},
    {"name": "text", "type": "string"},
]


@dataclass(frozen=True)
class Scope:
    """Which documents of a kind one entity owns: those whose `field` equals `value`."""

    field: str  # "entity_id" | "course_id"
    value: uuid.UUID


@dataclass(frozen=True)
class SearchKind:
    """One collection: its name, who may search it, and how its documents are built."""

    name: str  # "courses" | "lessons" | "questions" | ...; also the alias name (after the prefix)
    type: str  # what `type` holds in its documents and in results ("passage": lesson|document)
    teachers_only: bool
    build: Callable[[Session, Scope | None], list[Document]]
    fields: list[dict[str, object]] = dataclasses.field(default_factory=lambda: FIELDS)


def tag_key(name: str) -> str:
    """The opaque token a tag filter uses: tag names are user text and never reach filter_by."""
    return hashlib.sha256(" ".join(name.split()).casefold().encode()).hexdigest()[:20]


def course_key(course_id: uuid.UUID, title: str) -> str:
    return f"{course_id} {title}"


def _finish(doc: Document) -> Document:
    body = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    doc["content_hash"] = hashlib.sha256(body.encode()).hexdigest()[:32]
    return doc


def _teachers(session: Session, course_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    ids = list(set(course_ids))
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not ids:
        return found
    rows = session.exec(
        select(CourseTeacher.course_id, CourseTeacher.user_id).where(
            col(CourseTeacher.course_id).in_(ids)
        )
    ).all()
    for course_id, user_id in rows:
        found[course_id].append(str(user_id))
    for teachers in found.values():
        teachers.sort()
    return found


def _course_fields(course: Course, teachers: dict[uuid.UUID, list[str]]) -> Document:
    title = clean_text(course.title)
    return {
        "course_id": str(course.id),
        "course_title": title,
        "course_key": course_key(course.id, title),
        "course_public": bool(course.is_public),
        "teacher_ids": teachers.get(course.id, []),
    }


def _in_scope(query: Any, scope: Scope | None, entity_id: Any) -> Any:
    """`query` limited to `scope`: one entity (its id column is `entity_id`) or one course."""
    if scope is None:
        return query
    column = entity_id if scope.field == "entity_id" else Course.id
    return query.where(col(column) == scope.value)


def course_documents(session: Session, scope: Scope | None) -> list[Document]:
    courses = session.exec(_in_scope(select(Course), scope, Course.id)).all()
    teachers = _teachers(session, (c.id for c in courses))
    return [
        _finish(
            {
                "id": str(course.id),
                "type": "course",
                "entity_id": str(course.id),
                **_course_fields(course, teachers),
                "published": course.status == PublishStatus.PUBLISHED,
                "title": clean_text(course.title)[:TITLE_CHARS],
                "preview": plain_text(course.description),
                "tags": [],
                "tag_keys": [],
            }
        )
        for course in courses
    ]


def _lesson_places(session: Session, scope: Scope | None) -> list[tuple[Lesson, Course]]:
    """Each (lesson, course) a lesson sits in, limited to `scope` (a lesson or a course)."""
    query = (
        select(Lesson, Course)
        .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
        .join(Course, col(Course.id) == col(CourseLesson.course_id))
    )
    return list(session.exec(_in_scope(query, scope, Lesson.id)).all())


def _lesson_fields(
    lesson: Lesson, course: Course, teachers: dict[uuid.UUID, list[str]]
) -> Document:
    return {
        "type": "lesson",
        "entity_id": str(lesson.id),
        "lesson_id": str(lesson.id),
        **_course_fields(course, teachers),
        "published": lesson.status == PublishStatus.PUBLISHED
        and course.status == PublishStatus.PUBLISHED,
        "title": clean_text(lesson.title)[:TITLE_CHARS],
        "tags": [],
        "tag_keys": [],
    }


def lesson_documents(session: Session, scope: Scope | None) -> list[Document]:
    rows = _lesson_places(session, scope)
    teachers = _teachers(session, (course.id for _, course in rows))
    return [
        _finish(
            {
                "id": f"{lesson.id}.{course.id}",
                **_lesson_fields(lesson, course, teachers),
                "preview": plain_text(f"{lesson.summary}\n\n{lesson.body_markdown}"),
            }
        )
        for lesson, course in rows
    ]


def _question_tags(session: Session, question_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not question_ids:
        return tags
    rows = session.exec(
        select(QuestionTag.question_id, Tag.name)
        .join(Tag, col(Tag.id) == col(QuestionTag.tag_id))
        .where(col(QuestionTag.question_id).in_(question_ids))
        .order_by(func.lower(Tag.name))
    ).all()
    for question_id, name in rows:
        tags[question_id].append(clean_text(name))
    return tags


def question_documents(session: Session, scope: Scope | None) -> list[Document]:
    """Questions in use (archived ones are retired and leave the index)."""
    query = (
        select(Question, Course)
        .join(Course, col(Course.id) == col(Question.course_id))
        .where(col(Question.archived_at).is_(None))
    )
    rows = session.exec(_in_scope(query, scope, Question.id)).all()
    teachers = _teachers(session, (course.id for _, course in rows))
    tags = _question_tags(session, [question.id for question, _ in rows])
    docs = []
    for question, course in rows:
        prompt = plain_text(question.prompt_markdown)
        names = tags.get(question.id, [])
        docs.append(
            _finish(
                {
                    "id": str(question.id),
                    "type": "question",
                    "entity_id": str(question.id),
                    **_course_fields(course, teachers),
                    # Only teachers search questions, so "published" means "in use".
                    "published": True,
                    "title": prompt[:TITLE_CHARS] or "Question",
                    "preview": plain_text(
                        f"{question.prompt_markdown}\n\n{question.explanation_markdown}"
                    ),
                    "tags": names,
                    "tag_keys": [tag_key(name) for name in names],
                }
            )
        )
    return docs


def _flashcard_tags(session: Session, card_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not card_ids:
        return tags
    rows = session.exec(
        select(FlashcardTag.flashcard_id, Tag.name)
        .join(Tag, col(Tag.id) == col(FlashcardTag.tag_id))
        .where(col(FlashcardTag.flashcard_id).in_(card_ids))
        .order_by(func.lower(Tag.name))
    ).all()
    for card_id, name in rows:
        tags[card_id].append(clean_text(name))
    return tags


def flashcard_documents(session: Session, scope: Scope | None) -> list[Document]:
    """A course's cards in use: archived ones leave the index, and a student's personal cards
    (`owner_id` set) never enter it."""
    query = (
        select(Flashcard, Course)
        .join(Course, col(Course.id) == col(Flashcard.course_id))
        .where(col(Flashcard.archived_at).is_(None), col(Flashcard.owner_id).is_(None))
    )
    rows = session.exec(_in_scope(query, scope, Flashcard.id)).all()
    teachers = _teachers(session, (course.id for _, course in rows))
    tags = _flashcard_tags(session, [card.id for card, _ in rows])
    docs = []
    for card, course in rows:
        names = tags.get(card.id, [])
        docs.append(
            _finish(
                {
                    "id": str(card.id),
                    "type": "flashcard",
                    "entity_id": str(card.id),
                    **_course_fields(course, teachers),
                    # Only teachers search cards, so "published" means "in use".
                    "published": True,
                    "title": plain_text(card.front_markdown)[:TITLE_CHARS] or "Flashcard",
                    "preview": plain_text(f"{card.front_markdown}\n\n{card.back_markdown}"),
                    "tags": names,
                    "tag_keys": [tag_key(name) for name in names],
                }
            )
        )
    return docs


def _ready_files(session: Session, scope: Scope | None) -> list[tuple[CourseFile, Course]]:
    """Course files that are ready (ingested), limited to `scope` (a file or a course)."""
    query = (
        select(CourseFile, Course)
        .join(Course, col(Course.id) == col(CourseFile.course_id))
        .where(CourseFile.status == DocumentStatus.READY)
    )
    return list(session.exec(_in_scope(query, scope, CourseFile.id)).all())


def _file_fields(
    file: CourseFile, course: Course, teachers: dict[uuid.UUID, list[str]]
) -> Document:
    return {
        "type": "document",
        "entity_id": str(file.id),
        **_course_fields(course, teachers),
        "published": course.status == PublishStatus.PUBLISHED,
        "title": clean_text(file.filename)[:TITLE_CHARS],
        "tags": [],
        "tag_keys": [],
    }


def file_documents(session: Session, scope: Scope | None) -> list[Document]:
    """Course files that are ready (ingested): their name and the start of their text."""
    rows = _ready_files(session, scope)
    teachers = _teachers(session, (course.id for _, course in rows))
    docs = []
    for file, course in rows:
        opening = session.exec(
            select(LessonChunk.text)
            .where(LessonChunk.document_id == file.id)
            .order_by(col(LessonChunk.page), col(LessonChunk.position))
            .limit(4)
        ).all()
        docs.append(
            _finish(
                {
                    "id": str(file.id),
                    **_file_fields(file, course, teachers),
                    "preview": clean_text(" ".join(opening))[:PREVIEW_CHARS],
                }
            )
        )
    return docs


def _passage(source: Document, position: int, passage: PassageText) -> Document:
    key = f"{source['entity_id']}.{source['course_id']}"
    return _finish(
        {
            "id": f"{key}.{position}",
            **source,
            "source_key": key,
            "heading": passage.heading,
            "page": passage.page,
            "text": passage.text,
        }
    )


def passage_documents(session: Session, scope: Scope | None) -> list[Document]:
    """Every passage of every lesson place and ready course file in `scope`. The scope's
    `entity_id` is a lesson's or a file's id (ids are UUIDs: it can only be one of them)."""
    places = _lesson_places(session, scope)
    files = _ready_files(session, scope)
    teachers = _teachers(session, [course.id for _, course in places + files])
    docs: list[Document] = []
    cut: dict[uuid.UUID, list[PassageText]] = {}  # a lesson in two courses is cut once
    for lesson, course in places:
        if lesson.id not in cut:
            cut[lesson.id] = lesson_passages(lesson.body_markdown)
        source = _lesson_fields(lesson, course, teachers)
        docs += [_passage(source, n, passage) for n, passage in enumerate(cut[lesson.id])]
    chunks = file_passages(session, [file.id for file, _ in files])
    for file, course in files:
        source = _file_fields(file, course, teachers)
        docs += [_passage(source, n, passage) for n, passage in enumerate(chunks[file.id])]
    return docs


KINDS: dict[str, SearchKind] = {
    kind.name: kind
    for kind in (
        SearchKind("courses", "course", teachers_only=False, build=course_documents),
        SearchKind("lessons", "lesson", teachers_only=False, build=lesson_documents),
        SearchKind("questions", "question", teachers_only=True, build=question_documents),
        SearchKind("documents", "document", teachers_only=False, build=file_documents),
        SearchKind("flashcards", "flashcard", teachers_only=True, build=flashcard_documents),
        SearchKind(
            "passages",
            "passage",
            teachers_only=False,
            build=passage_documents,
            fields=PASSAGE_FIELDS,
        ),
    )
}
PASSAGES = KINDS["passages"]
PASSAGE_TYPES = ("lesson", "document")  # the sources whose passages are indexed
# The types a result can have, each with the kind that holds its own documents.
KIND_BY_TYPE = {kind.type: kind for kind in KINDS.values() if kind is not PASSAGES}
