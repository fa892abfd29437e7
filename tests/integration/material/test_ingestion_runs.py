"""Ingestion runs that go wrong: two at once, a failing embedding provider, a killed worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import func, select

from learning_app.adapters.embeddings import EmbeddingError, get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.jobs.material import retry_stalled_material_jobs
from learning_app.jobs.runner import job_app
from learning_app.models.chunks import LessonChunk
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services.material import documents, ingestion
from tests.integration.material.helpers import drain_material_queue, ingest, upload
from tests.integration.people import new_course

WORDS = ["tide", "moon", "ocean", "wave", "coast", "orbit", "water", "shore", "salt"]


def _notes(sections: int) -> bytes:
    """Markdown of `sections` headed sections, one ~150-word chunk each."""
    rng = np.random.default_rng(3)
    parts = [
        f"# Part {n}\n\n" + " ".join(rng.choice(WORDS, 150)).capitalize() + "."
        for n in range(sections)
    ]
    return "\n\n".join(parts).encode()


class Observed:
    """The real embedder, slowed down and watched: how many `embed` calls overlap."""

    def __init__(self) -> None:
        self._inner = get_embedder()
        self.name, self.dimensions = self._inner.name, self._inner.dimensions
        self.active = self.most_active = 0
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            time.sleep(0.3)
            return self._inner.embed(texts)
        finally:
            with self._lock:
                self.active -= 1


class Unreachable:
    """An embedding provider that is down."""

    name, dimensions = get_embedder().name, get_embedder().dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise EmbeddingError("the embedding service failed: Connection refused")


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    return new_course(teacher, "Oceans")


def _document(document_id: str) -> Document:
    with session_scope() as session:
        document = session.get(Document, uuid.UUID(document_id))
        assert document is not None
        return document


def _chunk_positions(document_id: str) -> list[int]:
    with session_scope() as session:
        return list(
            session.execute(
                select(LessonChunk.position).where(
                    LessonChunk.document_id == uuid.UUID(document_id)  # type: ignore[arg-type]
                )
            ).scalars()
        )


def test_two_ingestions_of_one_document_take_turns(teacher: str, course: str) -> None:
    document_id = upload(teacher, course, "tides.md", _notes(6)).document.id
    embedder = Observed()
    results: list[DocumentStatus] = []

    def run() -> None:
        results.append(ingestion.ingest_document(uuid.UUID(document_id), embedder, get_s3()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [DocumentStatus.READY, DocumentStatus.READY]
    assert embedder.most_active == 1  # the second run waited for the first
    assert _document(document_id).status == DocumentStatus.READY
    assert sorted(_chunk_positions(document_id)) == list(range(6))


def test_a_redelivered_job_leaves_a_ready_document_alone(teacher: str, course: str) -> None:
    document_id = upload(teacher, course, "tides.md", _notes(2)).document.id
    assert ingest(document_id) == "ready"
    again = ingestion.ingest_document(
        uuid.UUID(document_id), Unreachable(), get_s3(), pending_only=True
    )
    assert again == DocumentStatus.READY  # the provider was never asked
    assert _document(document_id).status == DocumentStatus.READY


def test_a_failing_embedding_provider_fails_the_document_and_retry_recovers(
    teacher: str, course: str
) -> None:
    document_id = upload(teacher, course, "tides.md", _notes(3)).document.id
    status = ingestion.ingest_document(uuid.UUID(document_id), Unreachable(), get_s3())
    assert status == DocumentStatus.FAILED
    failed = _document(document_id)
    assert failed.status == DocumentStatus.FAILED
    assert failed.error == "EmbeddingError: the embedding service failed: Connection refused"
    assert _chunk_positions(document_id) == []
    with session_scope() as session:
        view = documents.retry_document(session, token=teacher, document_id=document_id)
    assert view.status == "queued"
    drain_material_queue()  # the provider works again
    assert _document(document_id).status == DocumentStatus.READY
    assert sorted(_chunk_positions(document_id)) == list(range(3))


def test_a_worker_killed_mid_ingest_is_retried_without_duplicates(
    teacher: str, course: str
) -> None:
    sections = 200  # long enough to embed (several seconds) that the kill lands mid-run
    document_id = upload(teacher, course, "long.md", _notes(sections)).document.id
    worker = subprocess.Popen(
        [sys.executable, "-m", "learning_app.cli", "worker", "--queues", "material"],
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _document(document_id).status != DocumentStatus.PROCESSING:
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        time.sleep(2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    assert _document(document_id).status == DocumentStatus.PROCESSING
    assert _chunk_positions(document_id) == []  # nothing half-written

    time.sleep(1.5)  # the dead worker's last heartbeat is now older than the threshold below
    assert asyncio.run(_retry_stalled(seconds_since_heartbeat=1)) == 1
    drain_material_queue()
    assert _document(document_id).status == DocumentStatus.READY
    assert sorted(_chunk_positions(document_id)) == list(range(sections))
    with session_scope() as session:
        total = session.execute(select(func.count()).select_from(LessonChunk)).scalar_one()
    assert total == sections


async def _retry_stalled(*, seconds_since_heartbeat: float) -> int:
    async with job_app.open_async():
        return await retry_stalled_material_jobs(seconds_since_heartbeat)
