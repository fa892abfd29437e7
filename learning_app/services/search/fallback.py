"""Degraded search: Postgres full-text search when Typesense cannot answer.

It computes `to_tsvector` on the fly (no index to keep in sync; fine for the minutes an outage
lasts) and parses the query with `websearch_to_tsquery`, which accepts any text without syntax
errors. The visibility rules are the same as the Typesense filter's, written in SQL
(`search.visibility`, which the vector leg applies too). No typo tolerance and no facets;
course and type filters still apply. One hit per source, as in the index: a file shows its
best ranked passage (and links to its page), a lesson the passage holding most of the query's
words (and links to its section).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    func,
    literal,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, col, select

from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course, CourseLesson, Lesson
from learning_app.models.documents import Document as CourseFile
from learning_app.models.documents import DocumentStatus
from learning_app.models.questions import Question
from learning_app.models.review import Flashcard
from learning_app.services.search.document_shape import SearchKind
from learning_app.services.search.passages import lesson_passages
from learning_app.services.search.results import (
    Audience,
    SearchFilters,
    SearchHit,
    mark_terms,
    source_hit,
    term_pattern,
)
from learning_app.services.search.text import PREVIEW_CHARS, clean_text, plain_text
from learning_app.services.search.visibility import (
    Visibility,
    course_visible,
    lesson_visible,
    teaches,
)

TS_CONFIG = "simple"  # content comes in many languages: no stemming beats wrong stemming


def _no_place() -> tuple[Any, Any]:
    """The heading and page columns of kinds whose hits have none."""
    return literal("", String).label("heading"), literal(0, Integer).label("page")


def _matches(document: Any, tsquery: Any) -> tuple[ColumnElement[bool], Any]:
    vector = func.to_tsvector(TS_CONFIG, document)
    return vector.op("@@")(tsquery), func.ts_rank(vector, tsquery)


def _course_query(visibility: Visibility, tsquery: Any) -> Any:
    text = func.concat_ws(" ", Course.title, Course.description)
    matched, rank = _matches(text, tsquery)
    return select(
        literal("course", String).label("type"),
        col(Course.id).label("item_id"),
        col(Course.id).label("course_id"),
        col(Course.title).label("title"),
        col(Course.title).label("course_title"),
        col(Course.description).label("body"),
        *_no_place(),
        rank.label("rank"),
    ).where(matched, course_visible(visibility))


def _lesson_query(visibility: Visibility, tsquery: Any) -> Any:
    text = func.concat_ws(" ", Lesson.title, Lesson.summary, Lesson.body_markdown)
    matched, rank = _matches(text, tsquery)
    return (
        select(
            literal("lesson", String).label("type"),
            col(Lesson.id).label("item_id"),
            col(Course.id).label("course_id"),
            col(Lesson.title).label("title"),
            col(Course.title).label("course_title"),
            func.concat_ws("\n\n", Lesson.summary, Lesson.body_markdown).label("body"),
            *_no_place(),
            rank.label("rank"),
        )
        .join(CourseLesson, col(CourseLesson.lesson_id) == col(Lesson.id))
        .join(Course, col(Course.id) == col(CourseLesson.course_id))
        .where(matched, lesson_visible(visibility))
    )


def _question_query(visibility: Visibility, tsquery: Any) -> Any:
    text = func.concat_ws(" ", Question.prompt_markdown, Question.explanation_markdown)
    matched, rank = _matches(text, tsquery)
    visible = true() if visibility.is_admin else teaches(visibility)
    return (
        select(
            literal("question", String).label("type"),
            col(Question.id).label("item_id"),
            col(Course.id).label("course_id"),
            func.left(Question.prompt_markdown, 200).label("title"),
            col(Course.title).label("course_title"),
            col(Question.prompt_markdown).label("body"),
            *_no_place(),
            rank.label("rank"),
        )
        .join(Course, col(Course.id) == col(Question.course_id))
        .where(matched, visible, col(Question.archived_at).is_(None))
    )


def _flashcard_query(visibility: Visibility, tsquery: Any) -> Any:
    """A course's cards in use, for its teachers (personal cards are never searched)."""
    text = func.concat_ws(" ", Flashcard.front_markdown, Flashcard.back_markdown)
    matched, rank = _matches(text, tsquery)
    visible = true() if visibility.is_admin else teaches(visibility)
    return (
        select(
            literal("flashcard", String).label("type"),
            col(Flashcard.id).label("item_id"),
            col(Course.id).label("course_id"),
            func.left(Flashcard.front_markdown, 200).label("title"),
            col(Course.title).label("course_title"),
            func.concat_ws("\n\n", Flashcard.front_markdown, Flashcard.back_markdown).label("body"),
            *_no_place(),
            rank.label("rank"),
        )
        .join(Course, col(Course.id) == col(Flashcard.course_id))
        .where(
            matched,
            visible,
            col(Flashcard.archived_at).is_(None),
            col(Flashcard.owner_id).is_(None),
        )
    )


def _file_query(visibility: Visibility, tsquery: Any) -> Any:
    """Ready course files by name and extracted text: each chunk matches on its own, and a
    file ranks by, and shows, its best chunk."""
    text = func.concat_ws(" ", CourseFile.filename, LessonChunk.text)
    matched, rank = _matches(text, tsquery)

    def best(column: Any, type_: Any) -> Any:
        return func.array_agg(aggregate_order_by(column, rank.desc()), type_=ARRAY(type_))[1]

    return (
        select(
            literal("document", String).label("type"),
            col(CourseFile.id).label("item_id"),
            col(Course.id).label("course_id"),
            col(CourseFile.filename).label("title"),
            col(Course.title).label("course_title"),
            best(LessonChunk.text, String).label("body"),
            func.coalesce(best(LessonChunk.heading, String), "").label("heading"),
            func.coalesce(best(LessonChunk.page, Integer), 0).label("page"),
            func.max(rank).label("rank"),
        )
        .join(Course, col(Course.id) == col(CourseFile.course_id))
        .join(LessonChunk, col(LessonChunk.document_id) == col(CourseFile.id))
        .where(matched, course_visible(visibility), CourseFile.status == DocumentStatus.READY)
        .group_by(col(CourseFile.id), col(Course.id))
    )


_QUERIES = {
    "course": _course_query,
    "lesson": _lesson_query,
    "question": _question_query,
    "flashcard": _flashcard_query,
    "document": _file_query,
}


def fallback_search(
    session: Session,
    audience: Audience,
    text: str,
    kinds: list[SearchKind],
    filters: SearchFilters | None,
    limit: int,
) -> list[SearchHit]:
    """Best `limit` matches of `text` among `kinds` (already narrowed to what the audience may
    search), by full-text rank."""
    tsquery = func.websearch_to_tsquery(TS_CONFIG, text)
    course_id = uuid.UUID(filters.course_id) if filters and filters.course_id else None
    visibility = Visibility.of(audience)
    parts = []
    for kind in kinds:
        query = _QUERIES[kind.type](visibility, tsquery)
        if course_id is not None:
            query = query.where(col(Course.id) == course_id)
        parts.append(query)
    union = parts[0].union_all(*parts[1:]).subquery()
    rows = session.execute(
        select(union).order_by(union.c.rank.desc(), union.c.title).limit(limit)
    ).all()
    terms = text.split()
    return [_hit(row, terms) for row in rows]


def _best_lesson_passage(body_markdown: str, terms: list[str]) -> tuple[str, str]:
    """(text, heading) of the lesson passage holding the most distinct query words, or of the
    lesson's opening when none holds any (it matched by its title or summary)."""
    pattern = term_pattern(terms)
    best, most = ("", ""), 0
    for passage in lesson_passages(body_markdown) if pattern else []:
        found = {match.group(1).casefold() for match in pattern.finditer(passage.text)}
        if len(found) > most:
            best, most = (passage.text, passage.heading), len(found)
    return best


def _hit(row: Any, terms: list[str]) -> SearchHit:
    body, heading, page = row.body or "", row.heading or "", int(row.page or 0)
    if row.type == "lesson":
        text, heading = _best_lesson_passage(body, terms)
        text = text or plain_text(body)
    elif row.type == "document":
        text = clean_text(body)[:PREVIEW_CHARS]
    else:
        text = plain_text(body)
    snippet = mark_terms(text, terms)
    course_id, item_id = str(row.course_id), str(row.item_id)
    return source_hit(
        type_=row.type,
        item_id=item_id,
        title=plain_text(row.title, 200) if row.type in ("question", "flashcard") else row.title,
        course_id=course_id,
        course_title=row.course_title,
        parts=snippet,
        heading=heading,
        page=page,
    )
