"""Every path that changes what is searchable reaches the index through the outbox: the CLI's
ingest and reembed (which apply the updates themselves, no worker running), the ingestion job,
a retry, a delete, chunk rewrites, and a change that only the COMMIT flushes."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import select

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.bench.sample_files import pdf_bytes
from learning_app.models.chunks import LessonChunk
from learning_app.models.content import Course
from learning_app.models.documents import Document, DocumentStatus
from learning_app.models.users import UserRole
from learning_app.services.material import documents, ingestion
from learning_app.services.material.work_queue import MATERIAL_QUEUE
from learning_app.services.search.index import SearchIndex, check_drift, default_index
from learning_app.settings import get_settings
from learning_app.stack.processes import free_port
from tests.integration.material.helpers import ingest, upload
from tests.integration.people import new_course, new_lesson, person, publish
from tests.integration.search.helpers import (
    find,
    forget_sync_jobs,
    pending_sync_jobs,
    run_cli,
    run_queue_once,
    sync_search,
    titles,
    waiting,
)

OPERATOR = "rosa@example.com"
FIRST_PAGE = "Feldspar is the most common mineral group in the crust of the earth."
LAST_PAGE = "Zircon crystals keep a record of how old their rock is."
# Pages between them long enough that the last page lies beyond what a file's preview holds.
MIDDLE_PAGE = (
    "Rocks change slowly over long spans of time as weather and water wear them down, "
    "and the grains they shed settle in layers that press together into new stone. "
    "Heat and pressure deep below fold those layers and make them into other kinds. "
)
ROCKS_PAGES = [FIRST_PAGE, *[MIDDLE_PAGE] * 5, LAST_PAGE]


def _in_sync() -> bool:
    with session_scope() as session:
        return all(drift.clean for drift in check_drift(session, default_index()))


def _document_hits(token: str, query: str) -> list[str]:
    results = find(token, query)
    assert not results.degraded  # found by the index, not by the Postgres fallback
    return [hit.title for hit in results.hits if hit.type == "document"]


@pytest.fixture
def operator(index: SearchIndex, s3_bucket: str) -> str:
    return person("rosa", UserRole.TEACHER)


@pytest.fixture
def ingested_rocks(operator: str, tmp_path: Path) -> str:
    """rocks.pdf ingested into a new course by `learning-app ingest`, and nothing else run."""
    path = tmp_path / "rocks.pdf"
    path.write_bytes(pdf_bytes(ROCKS_PAGES))
    result = run_cli(
        "ingest", str(path), "--course", "geo", "--create", "Geology", "--as", OPERATOR
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rocks.pdf: ready, 7 page(s)" in result.stdout
    assert "search index updated" in result.stdout
    return operator


def test_a_cli_ingest_is_in_the_index_when_the_command_ends(ingested_rocks: str) -> None:
    assert pending_sync_jobs() == []  # the command ran its sync jobs itself
    check = run_cli("search-check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "DRIFT" not in check.stdout
    assert _document_hits(ingested_rocks, "feldspar") == ["rocks.pdf"]


def test_a_word_from_the_last_page_of_a_cli_ingest_is_found(ingested_rocks: str) -> None:
    assert "rocks.pdf" in _document_hits(ingested_rocks, "zircon")


def test_an_index_outage_during_a_cli_ingest_leaves_the_updates_queued(
    operator: str, tmp_path: Path
) -> None:
    path = tmp_path / "rocks.pdf"
    path.write_bytes(pdf_bytes(ROCKS_PAGES[:2]))
    nowhere = f"http://127.0.0.1:{free_port()}"
    result = run_cli(
        "ingest", str(path), "--course", "geo", "--create", "Geology", "--as", OPERATOR,
        TYPESENSE_URL=nowhere,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rocks.pdf: ready" in result.stdout
    assert f"search index not updated yet: the search index at {nowhere} is unreachable" in (
        result.stdout
    )
    assert "update(s) are queued" in result.stdout
    assert "Traceback" not in result.stderr
    with session_scope() as session:
        file = session.exec(select(Document)).one()
    assert ("document", str(file.id)) in waiting()
    assert all(attempts == 0 for _, attempts in pending_sync_jobs())  # left untried

    sync_search()  # the app's worker, once the index answers
    assert _in_sync()
    assert _document_hits(operator, "feldspar") == ["rocks.pdf"]


def test_a_change_that_only_commit_flushes_still_queues_its_sync(operator: str) -> None:
    course_id = new_course(operator, "Geology")
    forget_sync_jobs()
    with session_scope() as session:
        session.get_one(Course, uuid.UUID(course_id)).title = "Rocks"
        # No flush here: the COMMIT writes the change (as ingestion's last write does).
    assert waiting() == {("course", course_id)}


def test_rewriting_chunks_queues_a_sync_of_their_source(operator: str) -> None:
    course_id = new_course(operator, "Geology")
    lesson_id = new_lesson(operator, course_id, "Minerals", body="Quartz is hard.")
    file_id = upload(operator, course_id, "rocks.pdf", pdf_bytes(ROCKS_PAGES[:2])).document.id
    assert ingest(file_id) == "ready"
    forget_sync_jobs()

    ingestion.ingest_lesson(uuid.UUID(lesson_id), get_embedder())  # the lesson row is untouched
    assert waiting() == {("lesson", lesson_id)}
    forget_sync_jobs()
    with session_scope() as session:  # a bulk delete, as retiring an embedding model does
        session.execute(delete(LessonChunk))
    assert waiting() == {("lesson", lesson_id), ("document", file_id)}


def test_retry_and_delete_of_a_file_reach_the_index(operator: str) -> None:
    course_id = new_course(operator, "Geology")
    publish(operator, course_id)
    data = pdf_bytes(ROCKS_PAGES[:2])
    file_id = upload(operator, course_id, "rocks.pdf", data).document.id
    with session_scope() as session:
        key = session.get_one(Document, uuid.UUID(file_id)).s3_key
    bucket = get_settings().s3_bucket
    get_s3().delete_object(Bucket=bucket, Key=key)  # the ingestion job cannot read it
    run_queue_once(MATERIAL_QUEUE)
    sync_search()
    with session_scope() as session:
        assert session.get_one(Document, uuid.UUID(file_id)).status == DocumentStatus.FAILED
    assert _in_sync() and _document_hits(operator, "feldspar") == []

    get_s3().put_object(Bucket=bucket, Key=key, Body=data)
    with session_scope() as session:
        documents.retry_document(session, token=operator, document_id=file_id)
    run_queue_once(MATERIAL_QUEUE)
    sync_search()
    assert _in_sync() and _document_hits(operator, "feldspar") == ["rocks.pdf"]

    with session_scope() as session:
        documents.delete_document(session, token=operator, document_id=file_id)
    sync_search()
    assert _in_sync() and _document_hits(operator, "feldspar") == []


def test_reembed_from_the_cli_leaves_the_index_in_sync(operator: str) -> None:
    course_id = new_course(operator, "Geology")
    new_lesson(operator, course_id, "Minerals", body="Quartz is hard.")
    file_id = upload(operator, course_id, "rocks.pdf", pdf_bytes(ROCKS_PAGES[:2])).document.id
    assert ingest(file_id) == "ready"
    sync_search()

    result = run_cli("reembed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "search index updated" in result.stdout
    assert pending_sync_jobs() == []
    assert run_cli("search-check").returncode == 0
    assert titles(find(operator, "feldspar")) == ["rocks.pdf"]


def test_file_documents_read_every_file_s_opening_in_one_statement(
    ingested_rocks: str, tmp_path: Path
) -> None:
    """Each ready file's preview is the start of its own text, in order; the openings of all
    the files come from one statement, not one a file."""
    from learning_app.services.search.documents import file_documents
    from tests.integration.test_viewing import statements_of

    path = tmp_path / "gems.pdf"
    path.write_bytes(pdf_bytes(["Garnet is a deep red gem.", "Opal shows a play of colour."]))
    result = run_cli("ingest", str(path), "--course", "geo", "--as", OPERATOR)
    assert result.returncode == 0, result.stdout + result.stderr
    with session_scope() as session, statements_of(session) as sent:
        previews = {doc["title"]: doc["preview"] for doc in file_documents(session, None)}
    assert previews["rocks.pdf"].startswith(FIRST_PAGE)
    assert previews["gems.pdf"] == "Garnet is a deep red gem. Opal shows a play of colour."
    assert sum("lesson_chunk" in statement for statement in sent) == 1
