"""Limits on uploads: the per-account quota, and the sweep of abandoned spool files."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.jobs.material import sweep_abandoned_uploads
from learning_app.jobs.runner import job_app
from learning_app.models.users import UserRole
from learning_app.services.material import documents
from learning_app.services.material.documents import UploadPermit
from learning_app.services.material.quota import UploadQuotaExceeded
from learning_app.services.material.spool import UploadSpool, spool_dir
from learning_app.settings import reset_settings_cache
from tests.integration.material.helpers import stored, upload
from tests.integration.people import new_course, person

QUOTA = 1000


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    return new_course(teacher, "Oceans")


@pytest.fixture
def small_quota(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("UPLOAD_QUOTA_BYTES", str(QUOTA))
    reset_settings_cache()
    yield
    monkeypatch.delenv("UPLOAD_QUOTA_BYTES")
    reset_settings_cache()


def permit(token: str, course_id: str) -> UploadPermit:
    with session_scope() as session:
        return documents.upload_permit(session, token=token, course_id=course_id)


def markdown(size: int, fill: bytes = b"a") -> bytes:
    return b"# Notes\n" + fill * (size - 8)


def test_an_upload_past_the_teachers_quota_is_refused_before_anything_is_stored(
    teacher: str, course: str, small_quota: None
) -> None:
    first = upload(teacher, course, "tides.md", markdown(600)).document
    assert permit(teacher, course).room == 400
    before = stored(course)

    # While it streams: refused the moment it passes the room left, its spool gone at once.
    spool = permit(teacher, course).spool("waves.md")
    spool.write(markdown(300, b"b"))
    with pytest.raises(UploadQuotaExceeded) as refused:
        spool.write(b"b" * 200)
    assert str(refused.value) == (
        "waves.md does not fit in your upload quota (400 bytes of 1000 bytes left). "
        "Delete files you no longer need to make room."
    )
    assert not spool.path.exists()
    # Before storing, whatever made the spool: no object put, no row written.
    with pytest.raises(UploadQuotaExceeded, match=r"waves\.md does not fit"):
        upload(teacher, course, "waves.md", markdown(500, b"b"))
    assert stored(course) == before
    # The same bytes again are stored once, so they take no room.
    assert upload(teacher, course, "tides again.md", markdown(600)).duplicate

    upload(teacher, course, "rest.md", markdown(400, b"c"))
    with pytest.raises(UploadQuotaExceeded, match="used all of your 1000 bytes upload quota"):
        permit(teacher, course)  # full: refused before a byte is spooled
    with session_scope() as session:
        documents.delete_document(session, token=teacher, document_id=first.id)
    assert permit(teacher, course).room == 600  # a deleted file frees its room
    assert permit(person("root", UserRole.ADMIN), course).room is None  # admins: no quota


def test_abandoned_upload_spools_are_swept_after_an_hour() -> None:
    folder, hours_ago = spool_dir(), time.time() - 2 * 3600
    abandoned, unrelated = folder / "upload-abandoned", folder / "notes.txt"
    outside = Path(tempfile.gettempdir()) / f"upload-{uuid.uuid4().hex}"  # another program's
    for path in (abandoned, unrelated, outside):
        path.write_bytes(b"x")
        os.utime(path, (hours_ago, hours_ago))
    arriving = UploadSpool("live.md")
    arriving.write(b"# Live\n")
    try:
        sweep_abandoned_uploads(timestamp=int(time.time()))  # what the job's worker runs
        assert not abandoned.exists()
        assert arriving.path.exists() and unrelated.exists() and outside.exists()
    finally:
        arriving.discard()
        unrelated.unlink(missing_ok=True)
        outside.unlink(missing_ok=True)
    job_app.perform_import_paths()  # what a worker does when it starts
    periodic = job_app.periodic_registry.periodic_tasks
    assert periodic[("material.sweep_uploads", "sweep-abandoned-uploads")].cron == "*/10 * * * *"
