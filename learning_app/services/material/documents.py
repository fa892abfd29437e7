"""Course material files: upload to S3, list, serve to their readers, delete.

The bytes go to S3 under a key made from their SHA-256 (`material/<course>/<sha256>.<kind>`),
so the same file uploaded twice to a course is stored once and listed once. The key is per
course rather than global so that deleting one course's copy can never pull the object from
under another course (no reference counting needed).

Order of writes on upload: the permit (`upload_permit`: may this viewer upload here, with how
much quota left) before a byte is spooled; the bytes are checked (size and quota while
streaming, type from the content), stored in S3, and only then is the `document` row written,
together with its ingestion job, in one transaction. An S3 failure therefore leaves no row; a
crash after the put leaves only an orphan object that the next identical upload reuses.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import OBJECT_STORE_ERRORS, ObjectStore
from learning_app.models.base import utc_now
from learning_app.models.documents import Document, DocumentStatus
from learning_app.services.access.courses import (
    can_edit_course,
    optional_viewer,
    require_course_reader,
)
from learning_app.services.access.documents import (
    require_course_uploader,
    require_document_editor,
    require_document_reader,
)
from learning_app.services.access.roles import require_viewer
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import DomainError, InvalidInput
from learning_app.services.material import quota
from learning_app.services.material.extraction import IMAGE_MIME_TYPES, MIME_TYPES, sniff_kind
from learning_app.services.material.spool import UploadSpool
from learning_app.services.material.work_queue import delete_object_later, ingest_document_later
from learning_app.services.progress import events
from learning_app.services.values import iso, size_label
from learning_app.settings import get_settings

STORAGE_DOWN = "File storage is unavailable right now, so nothing was saved. Try again shortly."
STORAGE_DOWN_READING = "File storage is unavailable right now. Try again shortly."
READ_CHUNK_BYTES = 64 * 1024
STATUS_LABELS = {
    DocumentStatus.UPLOADED: "queued",
    DocumentStatus.PROCESSING: "processing",
    DocumentStatus.READY: "ready",
    DocumentStatus.FAILED: "failed",
}


class StorageUnavailable(DomainError):
    default_message = STORAGE_DOWN


@dataclass(frozen=True)
class DocumentView:
    id: str
    filename: str
    kind: str
    size_label: str
    status: str  # queued | processing | ready | failed
    error: str
    page_count: int
    uploaded_at: str
    is_image: bool  # a picture for lessons, shown as `![...](/files/<id>)`


@dataclass(frozen=True)
class UploadResult:
    document: DocumentView
    duplicate: bool  # the course already had these exact bytes


def _view(document: Document) -> DocumentView:
    kind = next((k for k, mime in MIME_TYPES.items() if mime == document.mime_type), "txt")
    return DocumentView(
        id=str(document.id),
        filename=document.filename,
        kind=kind,
        size_label=size_label(document.size_bytes),
        status=STATUS_LABELS[DocumentStatus(document.status)],
        error=document.error or "",
        page_count=document.page_count or 0,
        uploaded_at=iso(document.created_at),
        is_image=is_image(document),
    )


def object_key(course_id: uuid.UUID, sha256: str, kind: str) -> str:
    return f"material/{course_id}/{sha256}.{kind}"


def _existing(session: Session, key: str) -> Document | None:
    return session.exec(select(Document).where(Document.s3_key == key)).first()


@dataclass(frozen=True)
class UploadPermit:
    """What `upload_permit` allows: files for one course, up to `room` bytes in all (None: the
    uploader has no quota)."""

    course_id: str
    room: int | None

    def spool(self, filename: str) -> UploadSpool:
        return UploadSpool(filename, room=self.room)


def upload_permit(session: Session, *, token: str | None, course_id: str) -> UploadPermit:
    """May the viewer upload files to this course, and how many bytes? Asked before a byte of
    an upload is spooled, so a visitor or a student never gets a temporary file written."""
    viewer = require_viewer(session, token)
    course = require_course_uploader(session, viewer, course_id)
    room = quota.room_left(session, viewer)
    if room == 0:
        raise quota.quota_full()
    return UploadPermit(str(course.id), room)


def upload_document(
    *, token: str, course_id: str, spool: UploadSpool, s3: ObjectStore
) -> UploadResult:
    """Store a finished upload as course material and queue its ingestion.

    Runs its own short transactions around the S3 put (no transaction stays open while
    megabytes travel). Always removes the spool's temporary file.
    """
    try:
        spool.finish()
        with session_scope() as session:
            course = require_course_uploader(session, require_viewer(session, token), course_id)
        if spool.size == 0:
            raise InvalidInput(f"{spool.filename} is empty.", field="file")
        kind = sniff_kind(spool.path, spool.filename)
        require_allowed_kind(kind)
        key = object_key(course.id, spool.sha256, kind)
        with session_scope() as session:
            found = _existing(session, key)
            if found is not None:
                return UploadResult(_view(found), duplicate=True)
            viewer = require_viewer(session, token)
            quota.require_room(session, viewer, spool.filename, spool.size)
        put_object(s3, spool.path, key, MIME_TYPES[kind])
        try:
            return _record(token, course.id, spool, key, MIME_TYPES[kind])
        except DomainError:
            # Refused after the put (the quota taken meanwhile by another upload, the course
            # taken away): the object must not stay behind.
            _forget_unused_object(key)
            raise
    finally:
        spool.discard()


def _forget_unused_object(key: str) -> None:
    with session_scope() as session:
        if _existing(session, key) is None:
            delete_object_later(session, key)


def require_allowed_kind(kind: str) -> None:
    """The kinds settings accept: material to ingest, and pictures for lessons."""
    settings = get_settings()
    allowed = (*settings.upload_allowed_types, *settings.upload_image_types)
    if kind not in allowed:
        names = ", ".join(allowed)
        raise InvalidInput(f"{kind.upper()} files are not accepted here ({names}).", field="file")


def is_image(document: Document) -> bool:
    return document.mime_type in IMAGE_MIME_TYPES.values()


def put_object(s3: ObjectStore, path: Path, key: str, mime_type: str) -> None:
    """Multipart above 8 MB (boto3's transfer manager), so big files stream in parts."""
    try:
        s3.upload_file(
            str(path), get_settings().s3_bucket, key, ExtraArgs={"ContentType": mime_type}
        )
    except OBJECT_STORE_ERRORS as exc:
        raise StorageUnavailable() from exc


def add_document(
    session: Session,
    viewer: Viewer,
    course_id: uuid.UUID,
    spool: UploadSpool,
    key: str,
    mime_type: str,
) -> Document:
    """The row of a file stored under `key`, with its ingestion job in the same transaction
    (the caller checked who may, and the quota)."""
    document = Document(
        owner_id=uuid.UUID(viewer.user_id),
        course_id=course_id,
        s3_key=key,
        filename=spool.filename,
        size_bytes=spool.size,
        mime_type=mime_type,
        sha256=spool.sha256,
    )
    if is_image(document):
        # A picture for lessons: nothing to read, ready as soon as it is stored.
        document.status, document.processed_at = DocumentStatus.READY, utc_now()
    session.add(document)
    session.flush()
    if not is_image(document):
        ingest_document_later(session, document.id)
    return document


def _record(
    token: str, course_id: uuid.UUID, spool: UploadSpool, key: str, mime_type: str
) -> UploadResult:
    try:
        with session_scope() as session:
            viewer = require_viewer(session, token)
            require_course_uploader(session, viewer, course_id)
            quota.lock_account(session, viewer)
            quota.require_room(session, viewer, spool.filename, spool.size)
            document = add_document(session, viewer, course_id, spool, key, mime_type)
            events.record_event(
                "document_uploaded",
                user_id=viewer.user_id,
                course_id=course_id,
                context={"document_id": str(document.id), "size_bytes": spool.size},
                session=session,
            )
            return UploadResult(_view(document), duplicate=False)
    except IntegrityError:
        # The same bytes arrived twice at once: the other upload's row stands.
        with session_scope() as session:
            found = _existing(session, key)
            if found is None:
                raise
            return UploadResult(_view(found), duplicate=True)


def list_documents(session: Session, *, token: str | None, course_id: str) -> list[DocumentView]:
    """The course's files, newest first; students see only those ready to read."""
    viewer = optional_viewer(session, token)
    course = require_course_reader(session, viewer, course_id)
    query = select(Document).where(Document.course_id == course.id)
    if not can_edit_course(session, viewer, course):
        query = query.where(Document.status == DocumentStatus.READY)
    rows = session.exec(query.order_by(col(Document.created_at).desc())).all()
    return [_view(document) for document in rows]


def file_url(document_id: str | uuid.UUID, page: int | None = None) -> str:
    """Where a course file is read: the backend's `/files/<id>`, which checks the reader and
    streams the bytes (a PDF opens at `page`)."""
    base = get_settings().backend_url.rstrip("/")
    return f"{base}/files/{document_id}" + (f"#page={page}" if page else "")


def download_url(session: Session, *, token: str | None, document_id: str) -> str:
    """The link to a file, for someone who may read it (others get NotFound here, where the
    page can say so, rather than at the link)."""
    document = require_document_reader(session, optional_viewer(session, token), document_id)
    return file_url(document.id)


@dataclass(frozen=True)
class ServedFile:
    """A course file on its way to a reader: the headers to send, and its bytes from S3."""

    headers: dict[str, str]
    chunks: Iterator[bytes]


def open_course_file(
    session: Session, *, token: str | None, document_id: str, s3: ObjectStore
) -> ServedFile:
    """The file for someone who may read it, streamed from S3 through the backend.

    Not a presigned S3 link: S3 and R2 cannot add `X-Content-Type-Options: nosniff` to what
    they serve (presigned URLs override only Content-Type, -Disposition, -Encoding, -Language,
    Cache-Control and Expires; object metadata only comes back as `x-amz-meta-*`). Here the
    type is the one checked from the bytes at upload, and the browser may not guess another.
    """
    document = require_document_reader(session, optional_viewer(session, token), document_id)
    try:
        stored = s3.get_object(Bucket=get_settings().s3_bucket, Key=document.s3_key)
    except OBJECT_STORE_ERRORS as exc:
        raise StorageUnavailable(STORAGE_DOWN_READING) from exc
    headers = {
        "Content-Type": document.mime_type,
        "Content-Length": str(stored["ContentLength"]),
        "Content-Disposition": f'inline; filename="{_quoted(document.filename)}"',
        "X-Content-Type-Options": "nosniff",
        # Kept by this browser only: a reader who loses access stops getting it within 5 min.
        "Cache-Control": "private, max-age=300",
    }
    return ServedFile(headers, stored["Body"].iter_chunks(READ_CHUNK_BYTES))


def delete_document(session: Session, *, token: str, document_id: str) -> None:
    """Remove the file's row and chunks now, and its S3 object through a durable job."""
    viewer = require_viewer(session, token)
    document = require_document_editor(session, viewer, document_id)
    key = document.s3_key
    session.delete(document)  # its chunks go with it (ON DELETE CASCADE)
    session.flush()
    delete_object_later(session, key)


def delete_course_objects_later(session: Session, course_id: uuid.UUID) -> None:
    """Queue the S3 deletes of a course's files in the transaction that deletes the course
    (their rows and chunks go by cascade; keys are per course, so no other course uses them)."""
    keys = session.exec(select(Document.s3_key).where(Document.course_id == course_id)).all()
    for key in keys:
        delete_object_later(session, key)


def retry_document(session: Session, *, token: str, document_id: str) -> DocumentView:
    """Queue the file's ingestion again (after a failure, or to refresh it)."""
    viewer = require_viewer(session, token)
    document = require_document_editor(session, viewer, document_id)
    if is_image(document):  # a picture has nothing to ingest
        return _view(document)
    document.status, document.error = DocumentStatus.UPLOADED, None
    session.add(document)
    session.flush()
    ingest_document_later(session, document.id)
    return _view(document)


def _quoted(filename: str) -> str:
    """The name inside a Content-Disposition header: ASCII only, no quotes."""
    return filename.encode("ascii", "replace").decode().replace('"', "'")
