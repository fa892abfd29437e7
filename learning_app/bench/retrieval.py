"""`learning-app bench retrieval`: HNSW search among N synthetic chunks (100k by default).

Synthetic chunks (`--vectors`):

* `topics` (default), a model of real embeddings: 300 topic centroids; each chunk is its
  topic's centroid plus a offset along 16 directions of that topic (how its passages differ),
  plus a little noise in all 384 dimensions, normalised. Two chunks of a topic have cosine
  about 0.6, of different topics about 0, and a query is a chunk moved along its topic's
  directions (a paraphrase). Real sentence embeddings behave like this: they cluster by
  topic and vary along few directions (low intrinsic dimension), which is what lets an ANN
  graph navigate them.
* `isotropic`: 200 centroids with noise in all 384 dimensions (the model measured first):
  inside a cluster the points are spread like uniform random vectors, so the true top 10
  among ~500 nearly equidistant points is hard for any ANN index.
* `uniform`: uniform random unit vectors, the worst case, kept so the hard case stays visible.

They are loaded with binary COPY into one scratch course (so the course filter keeps them
all) under a scratch embedding model, indexed with the same DDL and build parameters as real
models unless told otherwise. Queries run through `tutor.retrieval.nearest` with the index
(ef_search from settings unless given) and exactly, in the same run and on the same data, for
recall@10. Everything the run created is deleted.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, text

from learning_app.adapters.postgres import session_scope
from learning_app.bench import RETRIEVAL_VECTORS
from learning_app.bench.bulk import copy_rows
from learning_app.bench.fixtures import vacuum_analyze
from learning_app.bench.stats import percentile
from learning_app.models.chunks import (
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    EmbeddingModel,
    LessonChunk,
    drop_hnsw_index_ddl,
    hnsw_index_ddl,
)
from learning_app.models.content import Course
from learning_app.models.documents import Document
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.tutor.retrieval import nearest, scope_filter
from learning_app.settings import get_settings

DIMENSIONS = 384
TOPICS, TOPIC_DIRECTIONS, TOPIC_SPREAD, TOPIC_NOISE = 300, 16, 0.8, 0.1
# A question is a passage moved along its topic to cosine ~0.83 with it (a paraphrase).
TOPIC_QUERY_SHIFT = 0.9
ISOTROPIC_CLUSTERS, ISOTROPIC_SPREAD = 200, 0.6
# Added before normalising, to vectors of norm ~20: cosine ~0.97 with the source chunk.
QUERY_SHIFT = 0.3


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class TopicModel:
    """The `topics` vectors: topic centres and each topic's directions of variation."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.centres = _unit(rng.normal(size=(TOPICS, DIMENSIONS)))
        # Rows of about unit length: a topic's directions of variation.
        self.directions = rng.normal(size=(TOPICS, TOPIC_DIRECTIONS, DIMENSIONS)) / np.sqrt(
            DIMENSIONS
        )

    def along_topic(self, topics: np.ndarray, scale: float) -> np.ndarray:
        """An offset for each row along its topic's directions, plus a little noise."""
        weights = self.rng.normal(size=(len(topics), TOPIC_DIRECTIONS)) / np.sqrt(TOPIC_DIRECTIONS)
        moved = np.zeros((len(topics), DIMENSIONS))
        for topic in np.unique(topics):  # a topic at a time: no (rows, 16, 384) array
            rows = topics == topic
            moved[rows] = weights[rows] @ self.directions[topic]
        noise = self.rng.normal(size=(len(topics), DIMENSIONS)) / np.sqrt(DIMENSIONS)
        return scale * moved + TOPIC_NOISE * noise

    def chunks(self, topics: np.ndarray) -> np.ndarray:
        """Unnormalised chunk vectors of these topics."""
        return self.centres[topics] + self.along_topic(topics, TOPIC_SPREAD)

    def question(self, topic: int) -> np.ndarray:
        """A unit query vector of a topic, as a question about one of its passages would be."""
        topics = np.array([topic])
        return _unit(self.chunks(topics) + self.along_topic(topics, TOPIC_QUERY_SHIFT))[0]


def synthetic_vectors(
    kind: str, chunks: int, queries: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(chunk vectors, query vectors) of one of `RETRIEVAL_VECTORS`, unit length."""
    picks = rng.integers(0, chunks, queries)
    if kind == "topics":
        model = TopicModel(rng)
        topic = rng.integers(0, TOPICS, chunks)
        raw = model.chunks(topic)
        probes = raw[picks] + model.along_topic(topic[picks], TOPIC_QUERY_SHIFT)
        return _unit(raw), _unit(probes)
    raw = rng.normal(size=(chunks, DIMENSIONS))
    if kind == "isotropic":
        centres = rng.normal(size=(ISOTROPIC_CLUSTERS, DIMENSIONS))
        raw = centres[rng.integers(0, ISOTROPIC_CLUSTERS, chunks)] + ISOTROPIC_SPREAD * raw
    elif kind != "uniform":
        raise ValueError(f"vectors must be one of {', '.join(RETRIEVAL_VECTORS)}")
    probes = raw[picks] + QUERY_SHIFT * rng.normal(size=(queries, DIMENSIONS))
    return _unit(raw), _unit(probes)


def _load(
    course_id: uuid.UUID,
    document_id: uuid.UUID,
    model_id: uuid.UUID,
    vectors: np.ndarray,
    texts: list[str] | None,
) -> None:
    columns = "id, course_id, document_id, source_label, position, text, word_count, "
    columns += "content_sha256, embedding, embedding_model_id"
    types = ["uuid", "uuid", "uuid", "varchar", "int4", "text", "int4", "text", "vector", "uuid"]
    copy_rows(
        "lesson_chunk",
        columns.split(", "),
        (
            (
                uuid.uuid4(),
                course_id,
                document_id,
                "bench",
                i,
                texts[i] if texts else "",
                len(texts[i].split()) if texts else 0,
                f"{i:064x}",
                vector,
                model_id,
            )
            for i, vector in enumerate(vectors)
        ),
        binary_types=types,
    )


@dataclass(frozen=True)
class Scratch:
    """The bench's own course and embedding model, holding the loaded chunks."""

    course_id: uuid.UUID
    model: EmbeddingModel


@contextmanager
def scratch_chunks(
    vectors: np.ndarray, *, m: int, ef_construction: int, texts: list[str] | None = None
) -> Iterator[Scratch]:
    """`vectors` (and `texts`) as chunks of a scratch course and model with its HNSW index;
    removed after."""
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
        _load(course_id, document_id, model.id, vectors, texts)
        with session_scope() as session:
            session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            ddl = hnsw_index_ddl(model.id, DIMENSIONS, m=m, ef_construction=ef_construction)
            session.execute(text(ddl))
        vacuum_analyze(["lesson_chunk"])  # autovacuum vacuums insert-only tables too (PG >= 13)
        yield Scratch(course_id, model)
    finally:
        with session_scope() as session:
            session.execute(delete(LessonChunk).where(LessonChunk.embedding_model_id == model.id))  # type: ignore[arg-type]
            session.execute(text(drop_hnsw_index_ddl(model.id)))
            session.execute(delete(EmbeddingModel).where(EmbeddingModel.id == model.id))  # type: ignore[arg-type]
            session.execute(delete(Course).where(Course.id == course_id))  # type: ignore[arg-type]
            session.execute(delete(UserProfile).where(UserProfile.user_id == owner))  # type: ignore[arg-type]
            session.execute(delete(User).where(User.id == owner))  # type: ignore[arg-type]


def exact_top10(scratch: Scratch, probes: np.ndarray) -> list[set[str]]:
    where = scope_filter(scratch.course_id, [])
    with session_scope() as session:
        return [
            {
                p.chunk_id
                for p in nearest(
                    session, model=scratch.model, vector=probe, where=where, k=10, exact=True
                )
            }
            for probe in probes
        ]


def measure(
    scratch: Scratch, probes: np.ndarray, exact: list[set[str]], ef_search: int
) -> dict[str, float]:
    """p50/p95 of the indexed search at `ef_search`, and its recall@10 against `exact`."""
    where = scope_filter(scratch.course_id, [])
    timings: list[float] = []
    found = 0
    for probe, truth in zip(probes, exact, strict=True):
        with session_scope() as session:
            started = time.perf_counter()
            approx = nearest(
                session,
                model=scratch.model,
                vector=probe,
                where=where,
                k=10,
                exact=False,
                ef_search=ef_search,
            )
            timings.append((time.perf_counter() - started) * 1000)
        found += len({p.chunk_id for p in approx} & truth)
    return {
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "recall_at_10": round(found / (10 * len(probes)), 3),
    }


def run_retrieval_bench(
    *,
    chunks: int,
    queries: int,
    vectors: str = "topics",
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
    ef_search: int | None = None,
) -> dict[str, float | int | str]:
    ef = ef_search or get_settings().tutor_ef_search
    data, probes = synthetic_vectors(vectors, chunks, queries, np.random.default_rng(11))
    with scratch_chunks(data, m=m, ef_construction=ef_construction) as scratch:
        result = measure(scratch, probes, exact_top10(scratch, probes), ef)
    return {
        "chunks": chunks,
        "vectors": vectors,
        "m": m,
        "ef_construction": ef_construction,
        "ef_search": ef,
        **result,
    }
