"""The shape every search document shares (see `documents` for what each kind holds): the
collections' fields, `Scope` and `SearchKind`, the opaque keys filters use, and what every
builder adds to a document (its course's fields, its teachers, its content hash)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from learning_app.models.content import Course, CourseTeacher
from learning_app.services.search.text import clean_text

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
    """Which documents of a kind to build or read: those whose `field` is one of `values` (one
    entity's, or one course's, or the courses of a part of the catalogue)."""

    field: str  # "entity_id" | "course_id"
    values: tuple[uuid.UUID, ...]

    def filter_by(self) -> str:
        """The same documents as a Typesense filter (field names and UUIDs: never user input)."""
        return f"{self.field}:=[{','.join(map(str, self.values))}]"


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


def finish(doc: Document) -> Document:
    body = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    doc["content_hash"] = hashlib.sha256(body.encode()).hexdigest()[:32]
    return doc


def teachers_of(session: Session, course_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
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


def course_fields(course: Course, teachers: dict[uuid.UUID, list[str]]) -> Document:
    title = clean_text(course.title)
    return {
        "course_id": str(course.id),
        "course_title": title,
        "course_key": course_key(course.id, title),
        "course_public": bool(course.is_public),
        "teacher_ids": teachers.get(course.id, []),
    }


def in_scope(query: Any, scope: Scope | None, entity_id: Any) -> Any:
    """`query` limited to `scope`: entities (their id column is `entity_id`) or courses."""
    if scope is None:
        return query
    column = entity_id if scope.field == "entity_id" else Course.id
    return query.where(col(column).in_(scope.values))
