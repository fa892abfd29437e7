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

import uuid

from sqlalchemy import ARRAY, Uuid, bindparam, func, true
from sqlmodel import Session, col, select

from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course, CourseLesson, Lesson, PublishStatus
from learning_app.models.documents import Document as CourseFile
from learning_app.models.documents import DocumentStatus
from learning_app.services.search.bank_documents import flashcard_documents, question_documents
from learning_app.services.search.document_shape import (
    PASSAGE_FIELDS,
    TITLE_CHARS,
    Document,
    Scope,
    SearchKind,
    course_fields,
    finish,
    in_scope,
    teachers_of,
)
from learning_app.services.search.passages import PassageText, file_passages, lesson_passages
from learning_app.services.search.text import PREVIEW_CHARS, clean_text, document_text


def course_documents(session: Session, scope: Scope | None) -> list[Document]:
    courses = session.exec(in_scope(select(Course), scope, Course.id)).all()
    teachers = teachers_of(session, (c.id for c in courses))
    return [
        finish(
            {
                "id": str(course.id),
                "type": "course",
                "entity_id": str(course.id),
                **course_fields(course, teachers),
                "published": course.status == PublishStatus.PUBLISHED,
                "title": clean_text(course.title)[:TITLE_CHARS],
                "preview": document_text(course.description),
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
    return list(session.exec(in_scope(query, scope, Lesson.id)).all())


def _lesson_fields(
    lesson: Lesson, course: Course, teachers: dict[uuid.UUID, list[str]]
) -> Document:
    return {
        "type": "lesson",
        "entity_id": str(lesson.id),
        "lesson_id": str(lesson.id),
        **course_fields(course, teachers),
        "published": lesson.status == PublishStatus.PUBLISHED
        and course.status == PublishStatus.PUBLISHED,
        "title": clean_text(lesson.title)[:TITLE_CHARS],
        "tags": [],
        "tag_keys": [],
    }


def lesson_documents(session: Session, scope: Scope | None) -> list[Document]:
    rows = _lesson_places(session, scope)
    teachers = teachers_of(session, (course.id for _, course in rows))
    return [
        finish(
            {
                "id": f"{lesson.id}.{course.id}",
                **_lesson_fields(lesson, course, teachers),
                "preview": document_text(f"{lesson.summary}\n\n{lesson.body_markdown}"),
            }
        )
        for lesson, course in rows
    ]


def _ready_files(session: Session, scope: Scope | None) -> list[tuple[CourseFile, Course]]:
    """Course files that are ready (ingested), limited to `scope` (a file or a course)."""
    query = (
        select(CourseFile, Course)
        .join(Course, col(Course.id) == col(CourseFile.course_id))
        .where(CourseFile.status == DocumentStatus.READY)
    )
    return list(session.exec(in_scope(query, scope, CourseFile.id)).all())


def _file_fields(
    file: CourseFile, course: Course, teachers: dict[uuid.UUID, list[str]]
) -> Document:
    return {
        "type": "document",
        "entity_id": str(file.id),
        **course_fields(course, teachers),
        "published": course.status == PublishStatus.PUBLISHED,
        "title": clean_text(file.filename)[:TITLE_CHARS],
        "tags": [],
        "tag_keys": [],
    }


OPENING_CHUNKS = 4  # a file's preview is the start of its text: its first chunks

# The first chunks of each file, for every file at once (one statement, not one a file): a
# lateral join, so each file's chunks are read in order through its index and cut at four.
_FILES = (
    func.unnest(bindparam("file_ids", type_=ARRAY(Uuid())))
    .table_valued("file_id")
    .render_derived(name="files")
)
_OPENING = (
    select(LessonChunk.text, LessonChunk.page, LessonChunk.position)
    .where(LessonChunk.document_id == _FILES.c.file_id)
    .order_by(col(LessonChunk.page), col(LessonChunk.position))
    .limit(OPENING_CHUNKS)
    .lateral("opening")
)
_OPENINGS = (
    select(_FILES.c.file_id, _OPENING.c.text)
    .select_from(_FILES)
    .join(_OPENING, true())
    .order_by(_FILES.c.file_id, _OPENING.c.page, _OPENING.c.position)
)


def _openings(session: Session, file_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {}
    if file_ids:
        for file_id, text in session.execute(_OPENINGS, {"file_ids": file_ids}):
            found.setdefault(file_id, []).append(text)
    return found


def file_documents(session: Session, scope: Scope | None) -> list[Document]:
    """Course files that are ready (ingested): their name and the start of their text."""
    rows = _ready_files(session, scope)
    teachers = teachers_of(session, (course.id for _, course in rows))
    openings = _openings(session, [file.id for file, _ in rows])
    docs = []
    for file, course in rows:
        opening = openings.get(file.id, [])
        docs.append(
            finish(
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
    return finish(
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
    teachers = teachers_of(session, [course.id for _, course in places + files])
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
