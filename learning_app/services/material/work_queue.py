"""Course material work that runs later, as durable jobs: ingesting a lesson or a document, and
deleting an S3 object.

Each is enqueued in the caller's transaction (`defer_in_transaction`), so a save or an upload
that rolls back leaves no job, and one that commits is never forgotten. The tasks that run them
are in `learning_app.jobs.material`, under these names.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from learning_app.adapters.job_queue import defer_in_transaction

MATERIAL_QUEUE = "material"
INGEST_DOCUMENT_TASK = "material.ingest_document"
INGEST_LESSON_TASK = "material.ingest_lesson"
DELETE_OBJECT_TASK = "material.delete_object"


def ingest_document_later(session: Session, document_id: uuid.UUID) -> None:
    defer_in_transaction(
        session, INGEST_DOCUMENT_TASK, queue=MATERIAL_QUEUE, document_id=str(document_id)
    )


def ingest_lesson_later(session: Session, lesson_id: uuid.UUID) -> None:
    """Re-ingest a lesson body after it changed (one job per save; re-runs are cheap because
    unchanged passages keep their vectors)."""
    defer_in_transaction(
        session, INGEST_LESSON_TASK, queue=MATERIAL_QUEUE, lesson_id=str(lesson_id)
    )


def delete_object_later(session: Session, s3_key: str) -> None:
    defer_in_transaction(session, DELETE_OBJECT_TASK, queue=MATERIAL_QUEUE, s3_key=s3_key)
