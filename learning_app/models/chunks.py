"""Retrieval material for the AI tutor: text chunks of lessons and documents with embeddings.

See `LessonChunk` for why the vector column has no fixed dimension and how it is indexed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlmodel import Field, SQLModel, col

from learning_app.models.base import HNSW_INDEX_PREFIX, created_at_field, uuid_pk

# pgvector 0.6 can build HNSW indexes on `vector` of at most 2000 dimensions.
HNSW_MAX_DIMENSIONS = 2000
# Build parameters of new indexes. pgvector's defaults (16, 64) gave recall@10 0.91 at
# ef_search 100 on 100k topic-clustered chunks: clusters were poorly linked to each other.
# 24 and 128 gave 1.00 at the same p95, for twice the build time (`bench retrieval`).
HNSW_M = 24
HNSW_EF_CONSTRUCTION = 128


class EmbeddingModel(SQLModel, table=True):
    """An embedding model whose vectors are stored in `lesson_chunk`.

    `name` is `<provider>/<model>`, e.g. `local/all-MiniLM-L6-v2-int8` (384 dimensions) or
    `openai/text-embedding-3-small` (1536). At most one model is active: the one questions are
    embedded with and searched against. Switching models is: register the new model (which
    creates its HNSW index, see `hnsw_index_ddl`), embed every chunk with it while the old one
    keeps serving, flip `is_active`, then delete the old model's chunks and drop its index.
    """

    __tablename__ = "embedding_model"
    __table_args__ = (
        sa.CheckConstraint(
            f"dimensions > 0 AND dimensions <= {HNSW_MAX_DIMENSIONS}", name="dimensions_range"
        ),
        sa.Index(
            "ux_embedding_model_one_active",
            "is_active",
            unique=True,
            postgresql_where=sa.text("is_active"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200, unique=True)
    dimensions: int
    is_active: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = created_at_field(index=False)


class LessonChunk(SQLModel, table=True):
    """A passage of a lesson body or of an uploaded document, with its embedding.

    Mixed dimensions, one column. Our default local model (all-MiniLM-L6-v2) gives 384
    dimensions, OpenAI's text-embedding-3-small 1536, and vectors from different models must
    never be compared (not even two models with equal dimensions). Following pgvector's
    documented approach for several dimensions in one table:

    * `embedding` is an untyped `vector` column (no dimension), and every row records the
      model that produced it in `embedding_model_id` (NOT NULL).
    * Each model gets its own partial expression HNSW index, created when the model is
      registered (`hnsw_index_ddl`):
      `CREATE INDEX ... ON lesson_chunk USING hnsw ((embedding::vector(<dims>))
      vector_cosine_ops) WHERE embedding_model_id = '<model uuid>'`.
      An HNSW index needs a fixed dimension, which the cast supplies, and the WHERE keeps
      the other models' rows out. Once the index exists, inserting a row whose vector has the
      wrong dimension for its model fails, so the index also guards the data.
    * Queries repeat the same cast and the same filter, so the planner can use that index and
      can only ever rank vectors of one model:
      `ORDER BY embedding::vector(<dims>) <=> :query WHERE embedding_model_id = '<uuid>'`
      (`embedding_as(dims)` and `of_model(model_id)` build both parts).

    These indexes are not part of the Alembic metadata (their names start with
    `ix_lesson_chunk_hnsw_`, which `alembic_include_object` skips).

    Scope: exactly one of `course_id` (material attached to a course) or `lesson_id` (a
    lesson's body, or material attached to the lesson) is set. `document_id` is set when the
    text comes from an uploaded file. A course's retrievable chunks are those with its
    `course_id` plus those of the lessons it contains (via `course_lesson`). Every parent is
    ON DELETE CASCADE: chunks are derived data, rebuilt from their source.

    `content_sha256` lets re-chunking reuse an existing vector for unchanged text.
    """

    __tablename__ = "lesson_chunk"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(course_id, lesson_id) = 1", name="one_scope"),
        sa.CheckConstraint(
            "course_id IS NULL OR document_id IS NOT NULL", name="course_chunk_from_document"
        ),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
        sa.CheckConstraint("page IS NULL OR page > 0", name="page_positive"),
        sa.CheckConstraint("word_count >= 0", name="word_count_not_negative"),
        sa.CheckConstraint("content_sha256 ~ '^[0-9a-f]{64}$'", name="content_sha256_hex"),
        # One row per (model, source, position): embedding jobs can upsert idempotently.
        sa.UniqueConstraint(
            "embedding_model_id",
            "lesson_id",
            "document_id",
            "position",
            name="uq_lesson_chunk_model_source_position",
            postgresql_nulls_not_distinct=True,
        ),
        sa.Index("ix_lesson_chunk_model_content_sha256", "embedding_model_id", "content_sha256"),
        # The tutor counts a course's chunks of one model to choose its search plan: with the
        # model in the index that count is an index-only scan (100k chunks: ~95 ms -> a few).
        sa.Index("ix_lesson_chunk_course_model", "course_id", "embedding_model_id"),
        sa.Index("ix_lesson_chunk_lesson_model", "lesson_id", "embedding_model_id"),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID | None = Field(
        default=None, foreign_key="course.id", ondelete="CASCADE", index=True
    )
    lesson_id: uuid.UUID | None = Field(
        default=None, foreign_key="lesson.id", ondelete="CASCADE", index=True
    )
    document_id: uuid.UUID | None = Field(
        default=None, foreign_key="document.id", ondelete="CASCADE", index=True
    )
    source_label: str = Field(max_length=300)
    page: int | None = Field(default=None)
    heading: str | None = Field(default=None, max_length=500)
    position: int
    text: str = Field(sa_type=sa.Text)
    word_count: int
    content_sha256: str = Field(sa_type=sa.CHAR(64))
    # A numpy array when loaded; lists of floats are accepted on write.
    embedding: Any = Field(sa_type=Vector(), nullable=False)
    # RESTRICT: a model's vectors are deleted (and its index dropped) before the model.
    # (Its index is the prefix of uq_lesson_chunk_model_source_position.)
    embedding_model_id: uuid.UUID = Field(foreign_key="embedding_model.id", ondelete="RESTRICT")
    created_at: datetime = created_at_field()


class ChunkSentence(SQLModel, table=True):
    """One sentence of a chunk, with its own vector (same model as the chunk's).

    The tutor ranks a chunk by the best pair of adjacent sentences in it, not by the chunk's
    single vector: a 170-word chunk's vector is the average of everything it says, while a
    question asks about one thing (`services/tutor/ranking.py` has the measurements). The
    best pair is also the span a citation highlights. `start`/`end` are character offsets
    into the chunk's text. Rows die with their chunk (derived data, rebuilt with it).
    """

    __tablename__ = "chunk_sentence"
    __table_args__ = (sa.CheckConstraint('start >= 0 AND "end" > start', name="span_valid"),)

    chunk_id: uuid.UUID = Field(foreign_key="lesson_chunk.id", ondelete="CASCADE", primary_key=True)
    position: int = Field(primary_key=True)
    start: int
    end: int
    # A numpy array when loaded; lists of floats are accepted on write.
    embedding: Any = Field(sa_type=Vector(), nullable=False)


def _checked_dimensions(dims: int) -> int:
    if isinstance(dims, bool) or not isinstance(dims, int):
        raise TypeError(f"dimensions must be an int, not {type(dims).__name__}")
    if not 1 <= dims <= HNSW_MAX_DIMENSIONS:
        raise ValueError(f"dimensions must be between 1 and {HNSW_MAX_DIMENSIONS}, not {dims}")
    return dims


def hnsw_index_name(model_id: uuid.UUID) -> str:
    """Name of the HNSW index serving one embedding model (fits in 63 characters)."""
    return f"{HNSW_INDEX_PREFIX}{uuid.UUID(str(model_id)).hex}"


def hnsw_index_name_of(model_id: Any) -> sa.ColumnElement[str]:
    """`hnsw_index_name` in SQL, for a model id a statement reads (a uuid's hex is its text
    without the dashes)."""
    return sa.literal(HNSW_INDEX_PREFIX) + sa.func.replace(sa.cast(model_id, sa.Text), "-", "")


def hnsw_index_ddl(
    model_id: uuid.UUID,
    dims: int,
    *,
    concurrently: bool = False,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> str:
    """`CREATE INDEX` statement for one model's partial HNSW cosine index on lesson_chunk.

    Run it when the model is registered (the table has no rows of that model yet, so the build
    is instant and can share the registering transaction). `concurrently=True` is for building
    on a populated table without blocking writes; it must run outside a transaction.
    Arguments are validated (a UUID and integers only), so the string is safe to execute.
    """
    model_uuid = uuid.UUID(str(model_id))
    dimensions = _checked_dimensions(dims)
    if not (2 <= int(m) <= 100 and 4 <= int(ef_construction) <= 1000):
        raise ValueError("m must be in 2..100 and ef_construction in 4..1000")
    return (
        f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}IF NOT EXISTS "
        f"{hnsw_index_name(model_uuid)} ON lesson_chunk USING hnsw "
        f"((embedding::vector({dimensions})) vector_cosine_ops) "
        f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)}) "
        f"WHERE embedding_model_id = '{model_uuid}'"
    )


def drop_hnsw_index_ddl(model_id: uuid.UUID) -> str:
    """`DROP INDEX` statement for one model's HNSW index (when the model is retired)."""
    return f"DROP INDEX IF EXISTS {hnsw_index_name(model_id)}"


def embedding_as(dims: int) -> sa.ColumnElement[Any]:
    """`embedding::vector(dims)`: the indexed expression; use its `.cosine_distance(q)`."""
    return sa.cast(col(LessonChunk.embedding), Vector(_checked_dimensions(dims)))


def of_model(model_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """`embedding_model_id = '<uuid>'` with the id inlined into the SQL.

    Inlined rather than bound so that the planner can always match the partial index's
    predicate, even when a driver reuses a generic prepared plan.
    """
    literal = sa.literal(uuid.UUID(str(model_id)), sa.Uuid(), literal_execute=True)
    return col(LessonChunk.embedding_model_id) == literal
