"""Course material for tests: small real PDF, DOCX and Markdown files, uploaded and ingested
through the real services."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.models.documents import Document
from learning_app.services.material import ingestion
from learning_app.services.material.documents import UploadResult, upload_document
from learning_app.services.material.spool import UploadSpool
from learning_app.settings import get_settings


def upload(
    token: str, course_id: str, filename: str, data: bytes, *, s3: object = None
) -> UploadResult:
    spool = UploadSpool(filename)
    for start in range(0, len(data), 64 * 1024):
        spool.write(data[start : start + 64 * 1024])
    return upload_document(token=token, course_id=course_id, spool=spool, s3=s3 or get_s3())


def ingest(document_id: str) -> str:
    return ingestion.ingest_document(uuid.UUID(document_id), get_embedder(), get_s3()).value


def stored(course_id: str) -> tuple[int, list[str]]:
    """What a course holds: its `document` rows and its objects in the bucket."""
    with session_scope() as session:
        rows = session.exec(
            select(func.count()).select_from(Document).where(Document.course_id == course_id)
        ).one()
    listing = get_s3().list_objects_v2(
        Bucket=get_settings().s3_bucket, Prefix=f"material/{course_id}/"
    )
    return int(rows), sorted(o["Key"] for o in listing.get("Contents", []))
