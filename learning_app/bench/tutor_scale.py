"""`learning-app bench tutor-scale`: the tutor's cost per question in a course of 100k chunks.

The chunks are `bench retrieval`'s topic-clustered vectors in one scratch course, each with a
text of `SENTENCES` generated sentences and one stored vector per sentence (its chunk's vector
moved a little: windows then score about as real ones do). Per question, timed together in
the service: embedding the question with the configured embedder, `find_evidence` (the
course's passages the reader may read, HNSW, re-ranking by sentence windows, the tier) and
the extractive answer. The query vector is the synthetic probe (a real question's vector
would be meaningless among synthetic chunks); the embedding is timed on the real question
text so its cost is counted. Everything the run created is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
from sqlalchemy import text
from sqlmodel import col, select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.bench.bulk import copy_rows
from learning_app.bench.retrieval import DIMENSIONS, Scratch, scratch_chunks, synthetic_vectors
from learning_app.bench.stats import percentile
from learning_app.models.chunks import HNSW_EF_CONSTRUCTION, HNSW_M, LessonChunk
from learning_app.models.content import Course
from learning_app.services.material.chunking import sentence_spans
from learning_app.services.tutor.answering import (
    MAX_CITATIONS,
    TutorContext,
    citations_of,
    extractive_answer,
    find_evidence,
)
from learning_app.services.tutor.ranking import Tier

SENTENCES = 6
SENTENCE_NOISE = 0.6  # a sentence vector has cosine ~0.85 with its chunk's
WORDS = "water energy cell plant light river number market history signal memory protein"
QUESTIONS = [
    "Why does the river carry more energy after the spring rains?",
    "How does a cell decide which protein to make next?",
    "What did the market do when the signal changed?",
    "Which plant stores light as chemical energy, and how?",
    "How is memory related to the history of a number?",
]


def _texts(count: int, rng: np.random.Generator) -> list[str]:
    words = WORDS.split()
    return [
        " ".join(" ".join(rng.choice(words, 14)).capitalize() + "." for _ in range(SENTENCES))
        for _ in range(count)
    ]


def _load_sentences(scratch: Scratch, texts: list[str], vectors: np.ndarray) -> None:
    rng = np.random.default_rng(12)
    with session_scope() as session:
        ids = dict(
            session.execute(
                select(LessonChunk.position, LessonChunk.id).where(
                    col(LessonChunk.embedding_model_id) == scratch.model.id
                )
            ).all()
        )

    def rows() -> Iterator[tuple[object, ...]]:
        for position, (body, vector) in enumerate(zip(texts, vectors, strict=True)):
            spans = sentence_spans(body)
            noise = rng.normal(size=(len(spans), DIMENSIONS)) / np.sqrt(DIMENSIONS)
            moved = vector + SENTENCE_NOISE * noise
            moved /= np.linalg.norm(moved, axis=1, keepdims=True)
            for number, ((start, end), row) in enumerate(zip(spans, moved, strict=True)):
                yield (ids[position], number, start, end, row.astype(np.float32))

    copy_rows(
        "chunk_sentence",
        ["chunk_id", "position", "start", '"end"', "embedding"],
        rows(),
        binary_types=["uuid", "int4", "int4", "int4", "vector"],
    )
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE chunk_sentence"))  # as autovacuum would after a load


def run_tutor_scale_bench(*, chunks: int, queries: int) -> dict[str, object]:
    rng = np.random.default_rng(11)
    data, probes = synthetic_vectors("topics", chunks, queries, rng)
    texts = _texts(chunks, rng)
    embedder = get_embedder()
    embedder.embed(QUESTIONS)  # warm-up
    timings, tiers = [], []
    with scratch_chunks(
        data, m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION, texts=texts
    ) as scratch:
        _load_sentences(scratch, texts, data)
        for number, probe in enumerate(probes):
            question = QUESTIONS[number % len(QUESTIONS)]
            with session_scope() as session:
                course = session.get(Course, scratch.course_id)
                assert course is not None
                started = time.perf_counter()
                embedder.embed([question])
                tier, ranked = find_evidence(
                    session,
                    viewer=None,
                    course=course,
                    model=scratch.model,
                    question=question,
                    vector=probe,
                )
                if tier == Tier.ANSWERED:
                    context = TutorContext(
                        str(course.id), "", "", question, tier, citations_of(ranked[:MAX_CITATIONS])
                    )
                    extractive_answer(context)
                timings.append((time.perf_counter() - started) * 1000)
                tiers.append(tier.value)
    return {
        "chunks": chunks,
        "sentences": chunks * SENTENCES,
        "queries": queries,
        "tutor_p50_ms": round(percentile(timings, 0.5), 1),
        "tutor_p95_ms": round(percentile(timings, 0.95), 1),
        "answered": round(tiers.count("answered") / len(tiers), 3),
    }
