"""Course material for tests: small real PDF, DOCX and Markdown files, uploaded and ingested
through the real services."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from botocore.exceptions import ClientError
from sqlalchemy import func, text
from sqlmodel import select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.models.documents import Document
from learning_app.services.material import ingestion
from learning_app.services.material.documents import UploadResult, upload_document
from learning_app.services.material.spool import UploadSpool
from learning_app.services.material.work_queue import MATERIAL_QUEUE
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


def object_exists(key: str) -> bool:
    try:
        get_s3().head_object(Bucket=get_settings().s3_bucket, Key=key)
    except ClientError:
        return False
    return True


def drain_material_queue() -> None:
    """Run a real worker process until the material queue has nothing due."""
    subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "worker", "--once", "--queues", MATERIAL_QUEUE],
        env=dict(os.environ),
        check=True,
        timeout=120,
        capture_output=True,
    )
    with get_engine().connect() as conn:
        failed = conn.execute(
            # The material queue only: other tests' apps run periodic jobs on other queues,
            # and one may have failed on purpose (a store stopped by a fault test).
            text(
                "SELECT count(*) FROM procrastinate_jobs"
                " WHERE status = 'failed' AND queue_name = :queue"
            ),
            {"queue": MATERIAL_QUEUE},
        ).scalar_one()
    assert failed == 0
