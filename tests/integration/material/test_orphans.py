"""Objects no document names: the sweep queues their deletion once they are old enough, the
delete job runs it, and an object a row names again (the same file uploaded since) stays."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.models.base import utc_now
from learning_app.models.documents import Document
from learning_app.services.material import documents, orphans
from learning_app.services.material.work_queue import delete_object_later
from learning_app.settings import get_settings
from tests.integration.material.helpers import drain_material_queue, object_exists, upload
from tests.integration.people import new_course

NOTES = b"# Tides\n\nThe moon pulls the oceans.\n"


@pytest.fixture
def course(teacher: str, s3_bucket: str) -> str:
    return new_course(teacher, "Oceans")


def _put_orphan(course_id: str) -> str:
    """An object under a course's material keys with no row: what a process lost between
    the put and the row leaves."""
    key = documents.object_key(uuid.UUID(course_id), uuid.uuid4().hex, "md")
    get_s3().put_object(Bucket=get_settings().s3_bucket, Key=key, Body=b"# Lost")
    return key


def _sweep(**kwargs: object) -> int:
    return orphans.sweep_orphan_objects(get_s3(), get_settings().s3_bucket, **kwargs)


def test_an_old_orphan_is_deleted_and_named_objects_stay(teacher: str, course: str) -> None:
    named = upload(teacher, course, "tides.md", NOTES).document.id
    with session_scope() as session:
        named_key = session.exec(
            select(Document.s3_key).where(Document.id == uuid.UUID(named))
        ).one()
    orphan = _put_orphan(course)

    _sweep()  # both are younger than ORPHAN_AFTER: an upload may be in flight
    drain_material_queue()
    assert object_exists(orphan)
    # The shared test bucket may hold other tests' objects without rows: at least this one.
    assert _sweep(now=utc_now() + orphans.ORPHAN_AFTER + timedelta(minutes=1)) >= 1
    drain_material_queue()
    assert not object_exists(orphan)
    assert object_exists(named_key)


def test_the_delete_job_keeps_an_object_a_row_names_again(teacher: str, course: str) -> None:
    document_id = upload(teacher, course, "tides.md", NOTES).document.id
    with session_scope() as session:
        key = session.exec(
            select(Document.s3_key).where(Document.id == uuid.UUID(document_id))
        ).one()
        # A deletion queued for the key (the sweep saw no row), then the same file uploaded.
        delete_object_later(session, key)
    drain_material_queue()
    assert object_exists(key)


def test_each_hourly_run_lists_one_part_and_sixteen_runs_list_everything(s3_bucket: str) -> None:
    """Objects of courses whose ids start with different hex digits: a part's sweep queues
    only its own, and the sixteen parts together queue every one."""
    lost = {}
    for digit in "0a":
        course_id = uuid.UUID(digit + uuid.uuid4().hex[1:])
        lost[digit] = _put_orphan(str(course_id))
    later = utc_now() + orphans.ORPHAN_AFTER + timedelta(minutes=1)
    assert orphans.sweep_part_prefix(10) == "material/a"
    _sweep(now=later, part=0)
    drain_material_queue()
    assert not object_exists(lost["0"]) and object_exists(lost["a"])
    for part in range(1, orphans.SWEEP_PARTS):
        _sweep(now=later, part=part)
    drain_material_queue()
    assert not object_exists(lost["a"])
