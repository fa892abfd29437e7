"""The vector leg of search: passages near the query's meaning, so a query that shares no word
with the text (a synonym, a description, a paraphrase) still finds it.

Where the vectors live: pgvector, over the `LessonChunk` rows ingestion already embeds for the
tutor. Typesense 0.24 could hold them too (vector fields + `vector_query`), but it keeps
everything in memory: the 500k passages of `bench search` would add ~0.8 GB of float32 (3 GB
with OpenAI's 1536 dimensions) to every Typesense node, a second copy of each vector to keep in
sync, and a second place to switch models. Postgres has them, with one HNSW index per model,
and the visibility rules are already written in SQL (`search.visibility`). Measured by
`bench search` (50k lessons, 500k passages, 2 busy cores): this leg alone p50 25 / p95 37 ms
and the query's embedding p50 4 / p95 7 ms, against Typesense's own p50 29 / p95 73 ms for the
words; both legs run at once, and the whole service came to p95 1.26x raw Typesense.

Visibility, with pgvector 0.6 (no iterative scan; a filtered HNSW scan filters its ef_search
candidates afterwards, see `tutor.retrieval`):
- without a course filter, the HNSW index gives the `CANDIDATES` nearest chunks of the whole
  model, and the visibility rules then keep what the viewer may read. Public published content
  is most of a catalogue, so that is most candidates;
- the courses a signed-in user is enrolled in or teaches can be a tiny share of the index,
  which that filter would starve: they are searched exactly (a few courses' chunks: a few ms),
  and the two candidate lists merge;
- a course filter searches that course exactly, as the tutor does for small courses.
Lesson chunks count once per course the lesson sits in (each place is a result); course files
count when ready. Chunks of files attached to a lesson are not searched, as the index has no
such files either.

A chunk must reach `MIN_SIMILARITY` to count: the nearest neighbours of any query exist, and
without a floor every search would return something. The query's vector is cached per
process (`embeddings.query_vector`; its note says why not in Redis). Any failure of the
embedder, or no vectors of its model, costs only this leg: search answers from its lexical leg,
and the log says why.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlmodel import Session, col, select

from learning_app.adapters.embeddings import Embedder, query_vector
from learning_app.adapters.postgres import HNSW_EF_SEARCH
from learning_app.models.chunks import EmbeddingModel, LessonChunk, embedding_as, of_model
from learning_app.models.content import Course, CourseLesson, CourseTeacher, Lesson
from learning_app.models.documents import Document as CourseFile
from learning_app.models.documents import DocumentStatus
from learning_app.services import held_facts
from learning_app.services.search.fusion import Evidence, per_source
from learning_app.services.search.passages import PASSAGE_CHARS
from learning_app.services.search.results import (
    Audience,
    mark_terms,
    source_hit,
)
from learning_app.services.search.text import clean_text, plain_text
from learning_app.services.search.visibility import Visibility, course_visible, lesson_visible

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 on our own fixtures: paraphrases of a passage scored 0.32-0.68 against it,
# unrelated pairs at most 0.2 (typo'd single words included).
MIN_SIMILARITY = 0.3
# Nearest chunks taken from the HNSW index: every connection's ef_search (set when it opens, so
# no statement per search sets it), the tutor's default, which gave recall@10 1.00 at 100k
# chunks in `bench retrieval`.
CANDIDATES = HNSW_EF_SEARCH
# Forms of the vector leg's statement kept built: per model, the types searched, course scope
# and audience form (`Visibility.form`); a handful are in use at a time.
STATEMENT_FORMS = 256


def _nearest(model_id: uuid.UUID, query: Any, where: Any, *, exact: bool) -> Any:
    """The CANDIDATES chunks of the model matching `where` nearest to `query` (a CTE)."""
    distance = embedding_as(query.type.dim).cosine_distance(query)
    return (
        select(
            col(LessonChunk.lesson_id),
            col(LessonChunk.document_id),
            col(LessonChunk.text),
            col(LessonChunk.heading),
            col(LessonChunk.page),
            distance.label("distance"),
        )
        .where(of_model(model_id), where)
        # `+ 0` makes the ORDER BY differ from the indexed expression: an exact scan.
        .order_by(distance + 0 if exact else distance)
        .limit(CANDIDATES)
        .cte()  # read by a lesson and a file branch: a CTE runs the scan once
    )


def _in_courses(course_ids: Any) -> Any:
    """Chunks of these courses: their files' and their lessons' (a subquery or a list)."""
    lessons = select(CourseLesson.lesson_id).where(col(CourseLesson.course_id).in_(course_ids))
    return sa.or_(
        col(LessonChunk.course_id).in_(course_ids), col(LessonChunk.lesson_id).in_(lessons)
    )


def _visible_sources(
    near: Any, visibility: Visibility, types: Sequence[str], course_id: Any
) -> list[Any]:
    """The candidates the audience may read, as rows of their source (one per lesson place)."""
    close_enough = near.c.distance <= 1 - MIN_SIMILARITY
    in_course = [col(Course.id) == course_id] if course_id is not None else []
    parts = []
    if "lesson" in types:
        parts.append(
            select(
                sa.literal("lesson").label("type"),
                col(Lesson.id).label("item_id"),
                col(Lesson.title).label("title"),
                *_source_columns(near),
            )
            .select_from(near)
            .join(CourseLesson, col(CourseLesson.lesson_id) == near.c.lesson_id)
            .join(Lesson, col(Lesson.id) == near.c.lesson_id)
            .join(Course, col(Course.id) == col(CourseLesson.course_id))
            .where(
                near.c.document_id.is_(None), close_enough, lesson_visible(visibility), *in_course
            )
        )
    if "document" in types:
        parts.append(
            select(
                sa.literal("document").label("type"),
                col(CourseFile.id).label("item_id"),
                col(CourseFile.filename).label("title"),
                *_source_columns(near),
            )
            .select_from(near)
            .join(CourseFile, col(CourseFile.id) == near.c.document_id)
            .join(Course, col(Course.id) == col(CourseFile.course_id))
            .where(
                CourseFile.status == DocumentStatus.READY,
                close_enough,
                course_visible(visibility),
                *in_course,
            )
        )
    return parts


def _source_columns(near: Any) -> list[Any]:
    return [
        col(Course.id).label("course_id"),
        col(Course.title).label("course_title"),
        near.c.text,
        near.c.heading,
        near.c.page,
        near.c.distance,
    ]


def _own_courses(visibility: Visibility) -> Any | None:
    """The courses that may be too small a share of the index for the HNSW scan to reach:
    those the user is enrolled in or teaches (None: a visitor, or an admin who reads all)."""
    if visibility.user_id is None or visibility.is_admin:
        return None
    own = []
    if visibility.enrolled is not None:
        own.append(select(Course.id).where(col(Course.id).in_(visibility.enrolled)))
    if visibility.is_teacher:
        own.append(
            select(CourseTeacher.course_id).where(CourseTeacher.user_id == visibility.user_id)
        )
    return sa.union_all(*own) if own else None


_MODEL_NAMED = select(EmbeddingModel).where(EmbeddingModel.name == sa.bindparam("name"))


@lru_cache(maxsize=STATEMENT_FORMS)
def _search_statement(
    model_id: uuid.UUID,
    dimensions: int,
    types: tuple[str, ...],
    in_course: bool,
    form: tuple[bool, ...],
) -> Any:
    """The vector leg's statement for one form of search, built once: the query's vector, the
    course and the audience's values are bind parameters (`query`, `course_id`, and
    `Visibility.values`). None when it can find nothing (no type it searches)."""
    visibility = Visibility.placeholders(form)
    query = sa.bindparam("query", type_=Vector(dimensions))
    course_id = sa.bindparam("course_id", type_=sa.Uuid()) if in_course else None
    if course_id is not None:
        scans = [_nearest(model_id, query, _in_courses([course_id]), exact=True)]
    else:
        scans = [_nearest(model_id, query, sa.true(), exact=False)]
        own = _own_courses(visibility)
        if own is not None:
            scans.append(_nearest(model_id, query, _in_courses(own), exact=True))
    parts = [
        part for near in scans for part in _visible_sources(near, visibility, types, course_id)
    ]
    if not parts:
        return None
    union = sa.union_all(*parts).subquery()
    return select(union).order_by(union.c.distance)


def _hit(row: Any, terms: list[str]) -> Evidence:
    text = plain_text(row.text, PASSAGE_CHARS) if row.type == "lesson" else clean_text(row.text)
    parts = mark_terms(text, terms)
    course_id, item_id = str(row.course_id), str(row.item_id)
    heading, page = row.heading or "", int(row.page or 0)
    hit = source_hit(
        type_=row.type,
        item_id=item_id,
        title=row.title,
        course_id=course_id,
        course_title=row.course_title,
        parts=parts,
        heading=heading,
        page=page,
    )
    return Evidence(hit, 1.0 - float(row.distance), passage=True)


def semantic_search(
    session: Session,
    audience: Audience,
    text: str,
    embedder: Embedder,
    *,
    types: Sequence[str],
    course_id: uuid.UUID | None,
    limit: int,
) -> list[Evidence]:
    """The `limit` sources (lesson places, course files) of `types` whose passages are nearest
    in meaning to `text` among those the audience may read, best first; [] when this leg
    cannot answer (see the module notes)."""
    if not types:
        return []
    # The viewer's statement read the model's row (`held_facts`); a visitor's search reads it.
    model = held_facts.held_model(session, embedder.name)
    if model is None:
        row = session.exec(_MODEL_NAMED, params={"name": embedder.name}).first()
        model = None if row is None else (row.id, row.dimensions)
    if model is None:
        log.info("no vectors of %s yet: search is lexical only", embedder.name)
        return []
    model_id, dimensions = model
    try:
        vector = query_vector(embedder, text)
    except Exception:  # any provider failure; the lexical leg still answers
        log.warning("could not embed a search query: search is lexical only", exc_info=True)
        return []
    visibility = Visibility.of(audience)
    statement = _search_statement(
        model_id, dimensions, tuple(sorted(types)), course_id is not None, visibility.form
    )
    if statement is None:
        return []
    params = {"query": vector, **visibility.values}
    if course_id is not None:
        params["course_id"] = course_id
    rows = session.execute(statement, params).all()
    terms = text.split()
    return per_source(_hit(row, terms) for row in rows)[:limit]
