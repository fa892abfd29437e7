"""`learning-app bench retrieval`: HNSW search among N synthetic chunks (100k by default).

The chunks are clustered random 384-dimension unit vectors of a scratch embedding model in one
scratch course (so the course filter keeps them all), loaded with binary COPY, indexed with the
same DDL as real models (m=16, ef_construction=64). Queries are perturbed chunks; each is run
through `retrieval.nearest` with the index (ef_search from settings) and exactly, in the same
run, for recall@10. Everything the run created is deleted at the end.
"""

from __future__ import annotations

import time
import uuid

import numpy as np
from pgvector.psycopg import register_vector
from sqlalchemy import delete, text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.bench.stats import percentile
from learning_app.models import (
    Course,
    Document,
    EmbeddingModel,
    LessonChunk,
    User,
    UserProfile,
    UserRole,
    drop_hnsw_index_ddl,
)
from learning_app.services.ingestion import ensure_index
from learning_app.services.retrieval import nearest, scope_filter
from learning_app.settings import get_settings

DIMENSIONS = 384
CLUSTERS = 200


def _load(
    course_id: uuid.UUID, document_id: uuid.UUID, model_id: uuid.UUID, vectors: np.ndarray
) -> None:
    raw = get_engine().raw_connection()
    try:
        connection = raw.driver_connection
        register_vector(connection)
        columns = "id, course_id, document_id, source_label, position, text, word_count, "
        columns += "content_sha256, embedding, embedding_model_id"
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY lesson_chunk ({columns}) FROM STDIN WITH (FORMAT BINARY)") as copy,
        ):
            copy.set_types(
                [
                    "uuid",
                    "uuid",
                    "uuid",
                    "varchar",
                    "int4",
                    "text",
                    "int4",
                    "text",
                    "vector",
                    "uuid",
                ]
            )
            for i, vector in enumerate(vectors):
                copy.write_row(
                    (
                        uuid.uuid4(),
                        course_id,
                        document_id,
                        "bench",
                        i,
                        "",
                        0,
                        f"{i:064x}",
                        vector,
                        model_id,
                    )
                )
        connection.commit()
    finally:
        raw.close()


def run_retrieval_bench(*, chunks: int, queries: int) -> dict[str, float | int]:
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(CLUSTERS, DIMENSIONS))
    vectors = centres[rng.integers(0, CLUSTERS, chunks)] + 0.6 * rng.normal(
        size=(chunks, DIMENSIONS)
    )
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    tag = uuid.uuid4().hex[:8]
    owner, course_id, document_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with session_scope() as session:
        session.add(User(id=owner, email=f"bench-retrieval-{tag}@example.test"))
        session.flush()
        session.add(UserProfile(user_id=owner, role=UserRole.TEACHER, display_name="Bench"))
        session.add(
            Course(
                id=course_id, owner_id=owner, title="Bench retrieval", slug=f"bench-retrieval-{tag}"
            )
        )
        session.flush()
        session.add(
            Document(
                id=document_id,
                owner_id=owner,
                course_id=course_id,
                s3_key=f"bench/{tag}",
                filename="bench.txt",
                size_bytes=0,
                mime_type="text/plain",
                sha256="0" * 64,
            )
        )
        model = EmbeddingModel(name=f"bench/{tag}", dimensions=DIMENSIONS)
        session.add(model)
    try:
        _load(course_id, document_id, model.id, vectors)
        with session_scope() as session:
            session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            ensure_index(session, model)
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE lesson_chunk"))  # fresh statistics, as autovacuum would
        probes = vectors[rng.integers(0, chunks, queries)] + 0.3 * rng.normal(
            size=(queries, DIMENSIONS)
        )
        where = scope_filter(course_id, [])
        timings: list[float] = []
        found = 0
        for probe in probes:
            with session_scope() as session:
                started = time.perf_counter()
                approx = nearest(session, model=model, vector=probe, where=where, k=10, exact=False)
                timings.append((time.perf_counter() - started) * 1000)
                exact = nearest(session, model=model, vector=probe, where=where, k=10, exact=True)
            found += len({p.chunk_id for p in approx} & {p.chunk_id for p in exact})
    finally:
        with session_scope() as session:
            session.execute(delete(LessonChunk).where(LessonChunk.embedding_model_id == model.id))  # type: ignore[arg-type]
            session.execute(text(drop_hnsw_index_ddl(model.id)))
            session.execute(delete(EmbeddingModel).where(EmbeddingModel.id == model.id))  # type: ignore[arg-type]
            session.execute(delete(Course).where(Course.id == course_id))  # type: ignore[arg-type]
            session.execute(delete(UserProfile).where(UserProfile.user_id == owner))  # type: ignore[arg-type]
            session.execute(delete(User).where(User.id == owner))  # type: ignore[arg-type]
    return {
        "chunks": chunks,
        "ef_search": get_settings().tutor_ef_search,
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "recall_at_10": round(found / (10 * queries), 3),
    }
