"""Finding the passages of a course nearest to a question (pgvector, cosine).

Only what the asking user may read is searched: the course's own documents plus the bodies
and attachments of its lessons (published ones, unless they teach it; not those a prerequisite
still locks for them). Two plans:

* A course with at most `EXACT_SCAN_LIMIT` chunks is searched exactly: a few thousand
  distances cost a couple of milliseconds and recall is 1.0.
* A bigger scope uses the model's HNSW index (m=16, ef_construction=64) with
  `hnsw.ef_search` from settings. pgvector 0.6 has no iterative scan: it takes the
  ef_search nearest chunks of the whole model and filters them by scope afterwards, so a
  scope holding a share s of the model's chunks keeps only about s * ef_search candidates.
  `hnsw_ef_search` therefore raises ef_search to ef / s, and when that passes pgvector's
  maximum (1000) the scope is searched exactly instead: slower, never short of results.
  (pgvector >= 0.8 could use `hnsw.iterative_scan` here instead.)

`learning-app bench retrieval` measures the indexed plan at 100k chunks; see the README for
the figures and for why the synthetic vectors model topics.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from learning_app.adapters.embeddings import VectorLike, as_query_vector
from learning_app.models.chunks import (
    EmbeddingModel,
    LessonChunk,
    embedding_as,
    hnsw_index_name,
    of_model,
)
from learning_app.models.content import Course
from learning_app.services import held_facts
from learning_app.services.access.courses import can_edit_course, ordered_lesson_ids
from learning_app.services.access.prerequisites import course_locks
from learning_app.services.accounts.viewers import Viewer
from learning_app.settings import get_settings

EXACT_SCAN_LIMIT = 20_000
HNSW_MAX_EF_SEARCH = 1000  # pgvector's upper bound for hnsw.ef_search


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    text: str
    source_label: str
    heading: str
    page: int
    lesson_id: str
    document_id: str
    score: float  # cosine similarity, 1.0 = same direction


def readable_lesson_ids(session: Session, viewer: Viewer | None, course: Course) -> list[uuid.UUID]:
    """The course's lessons whose chunks the viewer's questions may use: published ones (all
    for its editors), less those a prerequisite still locks for the viewer, so the tutor
    never quotes a lesson the student cannot open. The lesson order and the locks come from
    the question's first statement when it read them (`held_facts`)."""
    editor = can_edit_course(session, viewer, course)
    lesson_ids = ordered_lesson_ids(session, course.id, include_drafts=editor)
    locked = course_locks(session, viewer, course.id, editor=editor).lessons
    return [lesson_id for lesson_id in lesson_ids if lesson_id not in locked]


def scope_filter(course_id: uuid.UUID, lesson_ids: Sequence[uuid.UUID]) -> sa.ColumnElement[bool]:
    in_course = col(LessonChunk.course_id) == course_id
    if not lesson_ids:
        return in_course
    return sa.or_(in_course, col(LessonChunk.lesson_id).in_(list(lesson_ids)))


def hnsw_ef_search(in_scope: int, indexed: int, ef_search: int) -> int | None:
    """The ef_search that leaves about `ef_search` in-scope candidates after the scope filter
    (see the module notes), or None when the scope is to be searched exactly: it is small,
    or so small a share of the index that no allowed ef_search would find its top k."""
    if in_scope <= EXACT_SCAN_LIMIT:
        return None
    share = in_scope / max(indexed, in_scope)
    needed = math.ceil(ef_search / share)
    return needed if needed <= HNSW_MAX_EF_SEARCH else None


def indexed_chunks(session: Session, model: EmbeddingModel) -> int:
    """How many chunks the model's HNSW index holds, as Postgres last estimated it (kept by
    ANALYZE and autovacuum): free to read, unlike a count over every chunk of the model. The
    tutor's course statement read it too (`access.viewing`, `held_facts`)."""
    estimate = held_facts.held_index_estimate(session, model.id)
    if estimate is None:
        estimate = session.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = :name"),
            {"name": hnsw_index_name(model.id)},
        ).scalar()
    return max(int(estimate or 0), 0)


def nearest(
    session: Session,
    *,
    model: EmbeddingModel,
    vector: VectorLike,
    where: sa.ColumnElement[bool],
    k: int,
    exact: bool,
    ef_search: int | None = None,
) -> list[Passage]:
    """The k chunks of `model` matching `where`, nearest to `vector` first."""
    distance = embedding_as(model.dimensions).cosine_distance(as_query_vector(vector))
    if exact:
        # `+ 0` makes the ORDER BY differ from the indexed expression: a sequential scan.
        order = distance + 0
    else:
        order = distance
        session.execute(
            sa.text("SELECT set_config('hnsw.ef_search', :ef, true)"),
            {"ef": str(ef_search or get_settings().tutor_ef_search)},
        )
    rows = session.execute(
        sa.select(
            LessonChunk.id,
            LessonChunk.text,
            LessonChunk.source_label,
            LessonChunk.heading,
            LessonChunk.page,
            LessonChunk.lesson_id,
            LessonChunk.document_id,
            distance.label("distance"),
        )
        .where(of_model(model.id), where)
        .order_by(order)
        .limit(k)
    ).all()
    return [
        Passage(
            chunk_id=str(row.id),
            text=row.text,
            source_label=row.source_label,
            heading=row.heading or "",
            page=row.page or 0,
            lesson_id=str(row.lesson_id or ""),
            document_id=str(row.document_id or ""),
            score=round(1.0 - float(row.distance), 4),
        )
        for row in rows
    ]


def search_course(
    session: Session,
    *,
    viewer: Viewer | None,
    course: Course,
    model: EmbeddingModel,
    vector: VectorLike,
    k: int = 8,
) -> list[Passage]:
    """The course passages the viewer may read, nearest to `vector` (caller checked that the
    viewer may read the course)."""
    where = scope_filter(course.id, readable_lesson_ids(session, viewer, course))
    in_scope = session.execute(
        sa.select(sa.func.count()).select_from(LessonChunk).where(of_model(model.id), where)
    ).scalar_one()
    ef_search = hnsw_ef_search(
        in_scope, indexed_chunks(session, model), get_settings().tutor_ef_search
    )
    return nearest(
        session,
        model=model,
        vector=vector,
        where=where,
        k=k,
        exact=ef_search is None,
        ef_search=ef_search,
    )
