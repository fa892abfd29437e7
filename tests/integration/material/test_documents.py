"""Course material: uploads to the real S3 (SeaweedFS), rows and chunks in the real Postgres."""

from __future__ import annotations

import io
import uuid
import zipfile

import boto3
import pytest
from botocore.config import Config
from sqlalchemy import func
from sqlmodel import select
from starlette.testclient import TestClient

from learning_app.adapters.postgres import session_scope
from learning_app.bench.sample_files import docx_bytes, pdf_bytes
from learning_app.health_api import build_http_api
from learning_app.models.chunks import LessonChunk
from learning_app.models.documents import Document
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.services.courses import authoring, reading
from learning_app.services.errors import InvalidInput, PermissionDenied
from learning_app.services.material import documents
from learning_app.services.material.documents import StorageUnavailable
from learning_app.services.material.spool import UploadSpool, clean_filename
from learning_app.settings import get_settings
from learning_app.stack.processes import free_port
from tests.integration.material.helpers import drain_material_queue, ingest, object_exists, upload
from tests.integration.people import new_course, publish

NOTES = b"# Tides\n\nThe moon's gravity pulls the oceans, which makes the tides rise and fall.\n"


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    return new_course(teacher, "Oceans")


def _count(model: type, **where: object) -> int:
    with session_scope() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.execute(query).scalar_one())


def _key_of(document_id: str) -> str:
    with session_scope() as session:
        document = session.get(Document, uuid.UUID(document_id))
        assert document is not None
        return document.s3_key


def test_a_pdf_name_on_text_content_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match=r"named \.pdf but its content is not a PDF"):
        upload(teacher, course, "notes.pdf", b"just some text, not a PDF at all")
    assert _count(Document) == 0


def test_an_unknown_binary_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match="not a PDF, Word"):
        upload(teacher, course, "program.txt", b"\x7fELF\x02\x01\x01\x00\x00binary")
    with pytest.raises(InvalidInput, match=r"named \.txt but"):  # a picture dressed as text
        upload(teacher, course, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary")


def test_an_empty_file_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match="is empty"):
        upload(teacher, course, "empty.md", b"")
    assert _count(Document) == 0


def test_an_oversized_upload_is_refused_while_it_streams() -> None:
    spool = UploadSpool("big.txt", max_bytes=1000)
    spool.write(b"a" * 600)
    with pytest.raises(InvalidInput, match="larger than the limit"):
        spool.write(b"a" * 600)
    assert not spool.path.exists()  # the partial file is gone at once


def test_file_names_lose_folders_and_control_characters() -> None:
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("..\\notes\x00\x1b[31m.md") == "notes[31m.md"
    assert clean_filename("\x07") == "upload"
    assert len(clean_filename("a" * 300 + ".pdf")) == 255


def test_the_same_bytes_are_stored_once(teacher: str, course: str) -> None:
    first = upload(teacher, course, "tides.md", NOTES)
    second = upload(teacher, course, "tides-copy.md", NOTES)
    assert not first.duplicate and second.duplicate
    assert second.document.id == first.document.id
    assert _count(Document) == 1
    key = _key_of(first.document.id)
    assert key.endswith(".md") and object_exists(key)


def test_no_row_when_s3_is_down(teacher: str, course: str) -> None:
    dead = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        region_name="auto",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
    )
    with pytest.raises(StorageUnavailable, match="nothing was saved"):
        upload(teacher, course, "tides.md", NOTES, s3=dead)
    assert _count(Document) == 0


def test_a_student_cannot_upload(student: str, teacher: str, course: str) -> None:
    publish(teacher, course)
    with pytest.raises(PermissionDenied):
        upload(student, course, "tides.md", NOTES)


def test_pdf_chunks_keep_their_pages_and_reingest_never_duplicates(
    teacher: str, course: str
) -> None:
    data = pdf_bytes(["Waves are made by wind blowing over the sea.", "Tsunamis come from quakes."])
    document_id = upload(teacher, course, "waves.pdf", data).document.id
    assert ingest(document_id) == "ready"
    with session_scope() as session:
        rows = session.exec(
            select(LessonChunk.page, LessonChunk.source_label, LessonChunk.text).order_by(
                LessonChunk.position
            )
        ).all()
    assert [(page, label) for page, label, _ in rows] == [(1, "waves.pdf"), (2, "waves.pdf")]
    assert "Tsunamis" in rows[1][2]
    assert ingest(document_id) == "ready"
    assert _count(LessonChunk) == 2
    with session_scope() as session:
        assert session.get(Document, uuid.UUID(document_id)).page_count == 2  # type: ignore[union-attr]


def test_docx_and_markdown_chunks_keep_their_headings(teacher: str, course: str) -> None:
    word = docx_bytes([("Currents", "The Gulf Stream carries warm water north.")])
    ingest(upload(teacher, course, "currents.docx", word).document.id)
    ingest(upload(teacher, course, "tides.md", NOTES).document.id)
    with session_scope() as session:
        headings = set(session.exec(select(LessonChunk.heading)).all())
    assert headings == {"Currents", "Tides"}


def test_an_encrypted_pdf_fails_with_its_reason(teacher: str, course: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Secret tides."]))))
    writer.encrypt("pw")
    out = io.BytesIO()
    writer.write(out)
    document_id = upload(teacher, course, "locked.pdf", out.getvalue()).document.id
    assert ingest(document_id) == "failed"
    listed = documents_of(teacher, course)
    assert listed[0].status == "failed" and "password-protected" in listed[0].error
    assert _count(LessonChunk) == 0


def test_a_docx_zip_bomb_is_refused(teacher: str, course: str) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", " " * (30 * 1024 * 1024))
    document_id = upload(teacher, course, "bomb.docx", out.getvalue()).document.id
    assert ingest(document_id) == "failed"
    assert "unpacks to far more" in documents_of(teacher, course)[0].error


def documents_of(token: str | None, course_id: str) -> list[documents.DocumentView]:
    with session_scope() as session:
        return documents.list_documents(session, token=token, course_id=course_id)


def test_students_list_ready_files_and_read_them_through_the_backend(
    teacher: str, student: str, course: str
) -> None:
    ready = upload(teacher, course, "tides.md", NOTES).document.id
    upload(teacher, course, "queued.txt", b"Not ingested yet.")
    ingest(ready)
    publish(teacher, course)
    with pytest.raises(PermissionDenied):
        documents_of(student, course)  # not enrolled
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course)
    # The suite's job worker may ingest queued.txt at any moment: students see a file once it
    # is ready, teachers always see both.
    seen = documents_of(student, course)
    assert "tides.md" in {d.filename for d in seen} and {d.status for d in seen} == {"ready"}
    assert {d.filename for d in documents_of(teacher, course)} == {"tides.md", "queued.txt"}
    with session_scope() as session:
        url = documents.download_url(session, token=student, document_id=ready)
    assert url == f"{get_settings().backend_url.rstrip('/')}/files/{ready}"
    client = TestClient(build_http_api())
    client.cookies.set(SESSION_COOKIE, student)
    answer = client.get(f"/files/{ready}")
    assert answer.status_code == 200 and answer.content == NOTES


def test_delete_removes_chunks_now_and_the_object_through_a_job(teacher: str, course: str) -> None:
    document_id = upload(teacher, course, "tides.md", NOTES).document.id
    ingest(document_id)
    key = _key_of(document_id)
    with session_scope() as session:
        documents.delete_document(session, token=teacher, document_id=document_id)
    assert _count(LessonChunk) == 0 and _count(Document) == 0
    assert object_exists(key)  # until the job runs
    drain_material_queue()
    assert not object_exists(key)


def test_deleting_a_course_removes_its_objects_through_jobs(teacher: str, course: str) -> None:
    keys = [
        _key_of(upload(teacher, course, name, data).document.id)
        for name, data in (("tides.md", NOTES), ("waves.pdf", pdf_bytes(["Waves break."])))
    ]
    with session_scope() as session:
        authoring.delete_course(session, token=teacher, course_id=course)
    assert _count(Document) == 0
    assert all(object_exists(key) for key in keys)  # until the jobs run
    drain_material_queue()
    assert not any(object_exists(key) for key in keys)


def test_the_worker_ingests_an_upload(teacher: str, course: str) -> None:
    document_id = upload(teacher, course, "tides.md", NOTES).document.id
    assert documents_of(teacher, course)[0].status == "queued"
    drain_material_queue()
    assert documents_of(teacher, course)[0].status == "ready"
    assert _count(LessonChunk, document_id=uuid.UUID(document_id)) == 1
