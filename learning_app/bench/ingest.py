"""`learning-app bench ingest`: chunks per second through ingestion vs the raw embedder.

The raw side embeds exactly what ingestion embeds: each chunk's text and each of its
sentences (the tutor ranks by sentence windows, `services/tutor/ranking.py`).

A scratch teacher uploads generated Markdown documents through `upload_document` (not timed),
then `material.ingestion.ingest_document` runs on each one: S3 download, extraction, chunking,
embedding, the chunk write. Just before each, the raw embedder alone embeds that document's
chunk texts, in the same process, after a warm-up. The embedder is the configured one under
a scratch model name, so nothing is reused from earlier runs (`content_sha256`) and no real
model's rows are touched. Everything the run created is deleted at the end (objects by the
same durable jobs as in the app).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlmodel import col

from learning_app.adapters.embeddings import Embedder, get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.models.chunks import EmbeddingModel, LessonChunk, drop_hnsw_index_ddl
from learning_app.models.users import User, UserRole
from learning_app.services.accounts import sessions, users
from learning_app.services.courses import authoring
from learning_app.services.material import ingestion
from learning_app.services.material.chunking import chunk_sections
from learning_app.services.material.documents import upload_document
from learning_app.services.material.extraction import markdown_sections
from learning_app.services.material.ingestion import texts_to_embed
from learning_app.services.material.spool import UploadSpool

WORDS = [
    "water",
    "energy",
    "cell",
    "plant",
    "light",
    "river",
    "mountain",
    "number",
    "function",
    "market",
    "history",
    "language",
    "planet",
    "signal",
    "memory",
    "network",
    "protein",
    "climate",
    "theory",
    "music",
    "trade",
    "empire",
    "engine",
    "circuit",
    "pressure",
    "volume",
    "surface",
    "ocean",
    "forest",
    "city",
    "law",
    "vote",
    "price",
    "tool",
    "layer",
    "rock",
    "wave",
    "field",
]


class ScratchModel:
    """The configured embedder under another name: its vectors are the bench's own."""

    def __init__(self, inner: Embedder, tag: str) -> None:
        self._inner = inner
        self.name = f"bench/{tag}"
        self.dimensions = inner.dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.embed(texts)


def _document(rng: np.random.Generator, sections: int) -> str:
    """Markdown of `sections` headed sections of a few paragraphs of generated sentences."""
    parts = []
    for number in range(sections):
        parts.append(f"# Part {number + 1}: {' '.join(rng.choice(WORDS, 3))}")
        for _ in range(int(rng.integers(2, 5))):
            sentences = [
                " ".join(rng.choice(WORDS, int(rng.integers(8, 20)))).capitalize() + "."
                for _ in range(int(rng.integers(3, 7)))
            ]
            parts.append(" ".join(sentences))
    return "\n\n".join(parts)


def run_ingest_bench(*, documents: int, sections: int) -> dict[str, float | int]:
    rng = np.random.default_rng(5)
    tag = uuid.uuid4().hex[:8]
    bodies = [_document(rng, sections) for _ in range(documents)]
    drafts_of = [chunk_sections(markdown_sections(body)) for body in bodies]
    # What ingestion embeds: each chunk and each of its sentences (for the tutor's ranking).
    texts_of = [texts_to_embed(drafts) for drafts in drafts_of]
    chunk_count = sum(len(drafts) for drafts in drafts_of)
    embedder = ScratchModel(get_embedder(), tag)
    with session_scope() as session:
        viewer = users.create_user(
            session,
            email=f"bench-ingest-{tag}@example.test",
            password=uuid.uuid4().hex,
            display_name="Bench",
            role=UserRole.TEACHER,
        )
    token = sessions.create_session(uuid.UUID(viewer.user_id), client_ip="", user_agent="bench")
    course_id = ""
    try:
        with session_scope() as session:
            course_id = authoring.create_course(
                session, token=token, title=f"Bench ingest {tag}", description=""
            ).id
        document_ids = []
        for number, body in enumerate(bodies):
            spool = UploadSpool(f"bench-{number}.md")
            spool.write(body.encode())
            upload = upload_document(token=token, course_id=course_id, spool=spool, s3=get_s3())
            document_ids.append(uuid.UUID(upload.document.id))
        embedder.embed(texts_of[0][:16])  # warm-up: the first ONNX runs are slower
        # A model's first use builds its HNSW index (a scan of every chunk): once per model,
        # not per document, so it is done before the clock starts.
        ingestion.model_id_for(embedder)
        # Document by document, the raw embedder on its texts then its ingestion: on a shared,
        # noisy machine both sides then see the same load.
        raw_s = pipeline_s = 0.0
        for document_id, document_texts in zip(document_ids, texts_of, strict=True):
            raw_s += _timed(embedder.embed, document_texts)
            pipeline_s += _timed(ingestion.ingest_document, document_id, embedder, get_s3())
        with session_scope() as session:
            written = session.execute(
                select(func.count()).where(col(LessonChunk.document_id).in_(document_ids))
            ).scalar_one()
    finally:
        _clean_up(token, course_id, embedder.name, viewer.user_id)
    if written != chunk_count:
        raise RuntimeError(f"ingestion wrote {written} chunks, expected {chunk_count}")
    pipeline, raw = chunk_count / pipeline_s, chunk_count / raw_s
    return {
        "chunks": chunk_count,
        "texts_embedded": sum(len(texts) for texts in texts_of),
        "pipeline_chunks_per_s": round(pipeline, 2),
        "raw_chunks_per_s": round(raw, 2),
        "ratio": round(pipeline / raw, 3),
    }


def _timed(work: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def _clean_up(token: str, course_id: str, model_name: str, user_id: str) -> None:
    if course_id:
        with session_scope() as session:
            authoring.delete_course(session, token=token, course_id=course_id)
    with session_scope() as session:
        model = session.execute(
            select(EmbeddingModel).where(col(EmbeddingModel.name) == model_name)
        ).scalar_one_or_none()
        if model is not None:
            session.execute(
                delete(LessonChunk).where(col(LessonChunk.embedding_model_id) == model.id)
            )
            session.execute(text(drop_hnsw_index_ddl(model.id)))
            session.delete(model)
        session.execute(delete(User).where(col(User.id) == uuid.UUID(user_id)))
    sessions.end_session(token)
