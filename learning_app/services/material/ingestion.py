"""Turning lessons and uploaded documents into embedded chunks (run by background jobs).

Idempotent by construction: a source's chunks are replaced in ONE transaction (delete then
insert, under a lock on the source row), so a re-run, a retry or a worker killed half-way
never leaves duplicates or a half-indexed source. Vectors of unchanged text are reused
(`content_sha256`), so re-ingesting an edited lesson only embeds the passages that changed.

Runs of one document never overlap: each holds an advisory lock on the document for its
whole length (`_document_lock`), so a Retry click, a re-delivered job or the CLI waits for
the run in progress instead of racing its status writes. A lesson run holds its row lock
for its whole length, which serialises it the same way.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlmodel import Session, col

from learning_app.adapters.embeddings import Embedder
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.s3_store import ObjectStore
from learning_app.models.base import utc_now
from learning_app.models.chunks import (
    ChunkSentence,
    EmbeddingModel,
    LessonChunk,
    drop_hnsw_index_ddl,
    hnsw_index_ddl,
    hnsw_index_name,
)
from learning_app.models.content import Lesson
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services import held_facts
from learning_app.services.errors import DomainError
from learning_app.services.material.chunking import ChunkDraft, chunk_sections, sentence_spans
from learning_app.services.material.extraction import (
    IMAGE_MIME_TYPES,
    MIME_TYPES,
    extract_sections,
    markdown_sections,
)
from learning_app.settings import get_settings

# pg_advisory_lock(namespace, key): the namespace of document-ingestion locks.
DOCUMENT_LOCK_NAMESPACE = 5105
NO_TEXT = "No text was found in this file (a scanned PDF needs text recognition first)."
MAX_ERROR_LENGTH = 500


def register_model(session: Session, embedder: Embedder) -> EmbeddingModel:
    """The embedder's model row, created with its HNSW index on first use.

    The first model ever registered becomes the active one; later models are activated by
    `learning-app reembed` once every chunk has a vector of theirs. A row the unit's first
    statement read (`held_facts`: the tutor's course) is not read again.
    """
    if (held := held_facts.held_model(session, embedder.name)) is not None:
        model_id, dimensions = held
        known = EmbeddingModel(id=model_id, name=embedder.name, dimensions=dimensions)
        ensure_index(session, known)
        return known
    model = session.exec(  # type: ignore[call-overload]
        select(EmbeddingModel).where(col(EmbeddingModel.name) == embedder.name)
    ).scalar_one_or_none()
    if model is None:
        has_active = session.exec(  # type: ignore[call-overload]
            select(EmbeddingModel.id).where(col(EmbeddingModel.is_active))
        ).first()
        model = EmbeddingModel(
            name=embedder.name, dimensions=embedder.dimensions, is_active=has_active is None
        )
        session.add(model)
        session.flush()
    ensure_index(session, model)
    return model


# The models whose HNSW index this worker has seen (one it makes is remembered when it is next
# seen: the transaction that made it may yet roll back). An index goes only with its model's
# row (`reembed` retires both), and a model's id is never used again, so once seen it need not
# be looked for on every question.
_INDEXED: set[uuid.UUID] = set()


def ensure_index(session: Session, model: EmbeddingModel) -> None:
    if model.id in _INDEXED:
        return
    exists = session.execute(
        text("SELECT 1 FROM pg_indexes WHERE indexname = :name"),
        {"name": hnsw_index_name(model.id)},
    ).first()
    if exists is None:
        session.execute(text(hnsw_index_ddl(model.id, model.dimensions)))
    else:
        _INDEXED.add(model.id)


def model_id_for(embedder: Embedder) -> uuid.UUID:
    with session_scope() as session:
        return register_model(session, embedder).id


@dataclass(frozen=True)
class EmbeddedChunk:
    """A draft's vector and its sentences' `(start, end, vector)`."""

    vector: np.ndarray
    sentences: list[tuple[int, int, np.ndarray]]


def texts_to_embed(drafts: list[ChunkDraft]) -> list[str]:
    """Everything ingestion embeds for these drafts when nothing can be reused: each chunk's
    text and each of its sentences (`bench ingest` times the raw embedder on the same)."""
    return [
        piece
        for draft in drafts
        for piece in [draft.text, *(draft.text[a:b] for a, b in sentence_spans(draft.text))]
    ]


def _known_vectors(
    session: Session, model_id: uuid.UUID, shas: set[str]
) -> dict[str, EmbeddedChunk]:
    """Vectors this model already made for these texts: a chunk's and its sentences'.
    A chunk stored before sentences existed (0006) is not reused, so it gains them."""
    chunks = session.execute(  # type: ignore[call-overload]
        select(LessonChunk.content_sha256, LessonChunk.id, LessonChunk.embedding)
        .where(
            col(LessonChunk.embedding_model_id) == model_id,
            col(LessonChunk.content_sha256).in_(shas),
        )
        .ext(distinct_on(col(LessonChunk.content_sha256)))
    ).all()
    sentences: dict[uuid.UUID, list[tuple[int, int, np.ndarray]]] = {}
    if chunks:
        rows = session.execute(  # type: ignore[call-overload]
            select(ChunkSentence.chunk_id, ChunkSentence.start, ChunkSentence.end)
            .add_columns(ChunkSentence.embedding)
            .where(col(ChunkSentence.chunk_id).in_([row.id for row in chunks]))
            .order_by(col(ChunkSentence.chunk_id), col(ChunkSentence.position))
        ).all()
        for chunk_id, start, end, vector in rows:
            sentences.setdefault(chunk_id, []).append(
                (start, end, np.asarray(vector, dtype=np.float32))
            )
    return {
        sha: EmbeddedChunk(np.asarray(vector, dtype=np.float32), sentences[chunk_id])
        for sha, chunk_id, vector in chunks
        if chunk_id in sentences
    }


def embed_chunks(
    session: Session, embedder: Embedder, model_id: uuid.UUID, drafts: list[ChunkDraft]
) -> list[EmbeddedChunk]:
    """Each draft's vector and sentence vectors; text this model already embedded reuses its
    stored vectors. Everything new goes to the embedder in one call (it batches)."""
    known = _known_vectors(session, model_id, {draft.content_sha256 for draft in drafts})
    missing = [draft for draft in drafts if draft.content_sha256 not in known]
    vectors = iter(embedder.embed(texts_to_embed(missing)) if missing else [])
    fresh = {}
    for draft in missing:
        vector = next(vectors)
        spans = sentence_spans(draft.text)
        fresh[draft.content_sha256] = EmbeddedChunk(
            vector, [(a, b, next(vectors)) for a, b in spans]
        )
    return [known.get(d.content_sha256) or fresh[d.content_sha256] for d in drafts]


def _write_chunks(
    session: Session,
    drafts: list[ChunkDraft],
    embedded: list[EmbeddedChunk],
    model_id: uuid.UUID,
    **source: Any,
) -> None:
    chunks: list[LessonChunk] = []
    sentences: list[dict[str, Any]] = []
    for position, (draft, vectors) in enumerate(zip(drafts, embedded, strict=True)):
        chunk = LessonChunk(
            **source,
            id=uuid.uuid4(),
            page=draft.page,
            heading=(draft.heading or "")[:500] or None,
            position=position,
            text=draft.text,
            word_count=draft.word_count,
            content_sha256=draft.content_sha256,
            embedding=vectors.vector.tolist(),
            embedding_model_id=model_id,
        )
        chunks.append(chunk)
        sentences.extend(
            {"chunk_id": chunk.id, "position": number, "start": a, "end": b, "embedding": vector}
            for number, (a, b, vector) in enumerate(vectors.sentences)
        )
    session.add_all(chunks)
    session.flush()  # the chunks first: their sentences refer to them
    if sentences:
        # One multi-row INSERT: ~10 sentences per chunk made ORM objects the slow part.
        session.execute(insert(ChunkSentence), sentences)


def ingest_lesson(lesson_id: uuid.UUID, embedder: Embedder) -> int:
    """Replace the lesson body's chunks; returns how many there are now (0 if it is gone)."""
    model_id = model_id_for(embedder)
    with session_scope() as session:
        lesson = session.get(Lesson, lesson_id, with_for_update=True)
        if lesson is None:
            return 0
        drafts = chunk_sections(markdown_sections(lesson.body_markdown or ""))
        vectors = embed_chunks(session, embedder, model_id, drafts)
        session.execute(
            delete(LessonChunk).where(
                col(LessonChunk.lesson_id) == lesson_id, col(LessonChunk.document_id).is_(None)
            )
        )
        _write_chunks(
            session, drafts, vectors, model_id, lesson_id=lesson_id, source_label=lesson.title[:300]
        )
        return len(drafts)


def _set_status(document_id: uuid.UUID, status: DocumentStatus, error: str | None = None) -> None:
    with session_scope() as session:
        session.execute(
            update(Document)
            .where(col(Document.id) == document_id)
            .values(status=status, error=error, updated_at=utc_now())
        )


@contextmanager
def _downloaded(s3: ObjectStore, key: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ingest-") as folder:
        path = Path(folder) / "object"
        s3.download_file(get_settings().s3_bucket, key, str(path))
        yield path


@contextmanager
def _document_lock(document_id: uuid.UUID) -> Iterator[None]:
    """Postgres's session advisory lock on the document, held until the block ends; a second
    ingestion of the same document waits here. It lives on a connection of its own, outside
    any transaction, so a worker killed mid-run releases it with its connection."""
    key = {"namespace": DOCUMENT_LOCK_NAMESPACE, "id": str(document_id)}
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:namespace, hashtext(:id))"), key)
        try:
            yield
        finally:
            # Pooled connections keep session locks: release it before the pool takes it back.
            conn.execute(text("SELECT pg_advisory_unlock(:namespace, hashtext(:id))"), key)


def ingest_document(
    document_id: uuid.UUID, embedder: Embedder, s3: ObjectStore, *, pending_only: bool = False
) -> DocumentStatus:
    """Extract, chunk and embed one document; its status ends `ready` or `failed` + reason.

    Failures are recorded on the document (the teacher sees the reason and a Retry button)
    rather than raised, so the job is not retried blindly on a file that cannot be read.
    `pending_only` (the job) leaves a document that is already ready alone: the job was
    delivered twice, or the CLI ingested the upload meanwhile.
    """
    with _document_lock(document_id):
        with session_scope() as session:
            document = session.get(Document, document_id)
            if document is None:
                return DocumentStatus.FAILED
            if pending_only and document.status == DocumentStatus.READY:
                return DocumentStatus.READY
            if document.mime_type in IMAGE_MIME_TYPES.values():
                return DocumentStatus(document.status)  # pictures for lessons hold no text
            key, kind = document.s3_key, _kind_of(document.mime_type)
        return _ingest_locked(document_id, key, kind, embedder, s3)


def _ingest_locked(
    document_id: uuid.UUID, key: str, kind: str, embedder: Embedder, s3: ObjectStore
) -> DocumentStatus:
    _set_status(document_id, DocumentStatus.PROCESSING)
    try:
        with _downloaded(s3, key) as path:
            sections, page_count = extract_sections(path, kind)
        drafts = chunk_sections(sections)
        if not drafts:
            raise DomainError(NO_TEXT)
        model_id = model_id_for(embedder)
        # Embedding is the slow part: done before the writing transaction opens.
        with session_scope() as session:
            vectors = embed_chunks(session, embedder, model_id, drafts)
        with session_scope() as session:
            document = session.get(Document, document_id, with_for_update=True)
            if document is None:  # deleted while we worked
                return DocumentStatus.FAILED
            session.execute(delete(LessonChunk).where(col(LessonChunk.document_id) == document_id))
            _write_chunks(
                session,
                drafts,
                vectors,
                model_id,
                course_id=document.course_id,
                lesson_id=document.lesson_id,
                document_id=document_id,
                source_label=document.filename[:300],
            )
            document.status, document.error = DocumentStatus.READY, None
            document.page_count, document.processed_at = page_count, utc_now()
            session.add(document)
        return DocumentStatus.READY
    except Exception as exc:
        reason = str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        _set_status(document_id, DocumentStatus.FAILED, reason[:MAX_ERROR_LENGTH])
        return DocumentStatus.FAILED


def _kind_of(mime_type: str) -> str:
    return next((kind for kind, mime in MIME_TYPES.items() if mime == mime_type), "txt")


def reembed_everything(embedder: Embedder, s3: ObjectStore) -> tuple[int, int]:
    """Move every lesson and document to `embedder`'s model, then make it the active one and
    retire the others (their chunks and HNSW indexes). Returns (lessons, documents) done.

    Each source is replaced in its own transaction, as ingestion always does, so a run that
    stops half-way can simply be started again.
    """
    model_id = model_id_for(embedder)
    with session_scope() as session:
        lesson_ids = list(session.exec(select(Lesson.id)).scalars())  # type: ignore[call-overload]
        document_ids = list(session.exec(select(Document.id)).scalars())  # type: ignore[call-overload]
    for lesson_id in lesson_ids:
        ingest_lesson(lesson_id, embedder)
    for document_id in document_ids:
        ingest_document(document_id, embedder, s3)
    with session_scope() as session:
        retired = (
            session.exec(  # type: ignore[call-overload]
                select(EmbeddingModel).where(col(EmbeddingModel.id) != model_id)
            )
            .scalars()
            .all()
        )
        session.execute(update(EmbeddingModel).values(is_active=False))
        session.flush()
        for model in retired:
            session.execute(
                delete(LessonChunk).where(col(LessonChunk.embedding_model_id) == model.id)
            )
            session.execute(text(drop_hnsw_index_ddl(model.id)))
            session.delete(model)
        session.flush()
        session.execute(
            update(EmbeddingModel).where(col(EmbeddingModel.id) == model_id).values(is_active=True)
        )
    return len(lesson_ids), len(document_ids)
