"""Course material for tests: small real PDF, DOCX and Markdown files, uploaded and ingested
through the real services."""

from __future__ import annotations

import io
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


def pdf_bytes(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page (offsets computed, so pypdf
    reads it without repairs)."""
    objects: list[bytes] = []
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    font_id = 3 + 2 * count
    for i, text in enumerate(pages):
        content = f"BT /F1 11 Tf 40 750 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx_bytes(sections: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    for heading, paragraph in sections:
        document.add_heading(heading, level=1)
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


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
