"""The periodic drift check: what the outbox could not see (a document lost from Typesense, rows
changed by raw SQL, a sync job lost) is found and queued again, exactly once per entity."""

from __future__ import annotations

import logging
import uuid
from collections import Counter

import pytest
from sqlalchemy import text

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.jobs.runner import job_app
from learning_app.jobs.search import DRIFT_CHECK_EVERY_S, DRIFT_CHECK_TASK, drift_check_job
from learning_app.services.courses import lessons
from learning_app.services.search import catalogue_parts
from learning_app.services.search.catalogue_parts import CataloguePart
from learning_app.services.search.documents import KINDS
from learning_app.services.search.drift import DriftRepair, part_to_check, requeue_drift
from learning_app.services.search.index import SearchIndex, check_drift, default_index
from learning_app.services.search.outbox import Change
from learning_app.services.search.synonyms import add_synonym_group
from learning_app.settings import reset_settings_cache
from tests.integration.material.helpers import ingest, upload
from tests.integration.people import new_course, new_lesson, publish
from tests.integration.search.helpers import forget_sync_jobs, sync_search, waiting

NOTES = b"# Tides\n\nSpring tides happen when the sun and the moon line up.\n"


def _requeue() -> DriftRepair:
    with session_scope() as session:
        return requeue_drift(session, default_index())


def _in_sync() -> bool:
    with session_scope() as session:
        return all(drift.clean for drift in check_drift(session, default_index()))


def _raw_sql(statement: str, **params: str) -> None:
    """A write behind the outbox's back: a plain connection, no ORM session."""
    with get_engine().begin() as conn:
        conn.execute(text(statement), params)


def _stray_document(
    index: SearchIndex, doc_id: str = "stray", course_id: str | None = None
) -> None:
    """A document in the index that no entity owns (written by hand, or by an old schema), of
    a course Postgres does not have (by default a random UUID)."""
    nobody = course_id or str(uuid.uuid4())
    index.client.collections[index.alias(KINDS["courses"])].documents.import_(
        [
            {
                "id": doc_id,
                "type": "nonsense",
                "entity_id": "not-a-uuid",
                "course_id": nobody,
                "course_title": "Stray",
                "course_key": f"{nobody} Stray",
                "published": False,
                "course_public": False,
                "teacher_ids": [],
                "title": "Stray",
                "preview": "",
                "tags": [],
                "tag_keys": [],
            }
        ],
        {"action": "upsert"},
    )


def test_drift_is_requeued_once_per_entity_and_repaired(
    index: SearchIndex, teacher: str, s3_bucket: str
) -> None:
    course_id = new_course(teacher, "Oceans", is_public=True)
    lost, renamed, edited = (
        new_lesson(teacher, course_id, title) for title in ("Waves", "Currents", "Reefs")
    )
    file_id = upload(teacher, course_id, "tides.md", NOTES).document.id
    assert ingest(file_id) == "ready"
    publish(teacher, course_id)
    sync_search()
    assert _in_sync()

    indexed_lessons = index.client.collections[index.alias(KINDS["lessons"])].documents
    indexed_lessons[f"{lost}.{course_id}"].delete()  # gone from the index: missing
    _raw_sql("UPDATE lesson SET title = 'Ocean currents' WHERE id = :id", id=renamed)  # stale
    _raw_sql("DELETE FROM document WHERE id = :id", id=file_id)  # still indexed: extra
    with session_scope() as session:  # a synonyms change whose job was lost
        add_synonym_group(session, token=teacher, words="sea, ocean")
    forget_sync_jobs()
    with session_scope() as session:  # a change whose job waits: not drift, not queued twice
        lessons.update_lesson(
            session, token=teacher, lesson_id=edited, title="Coral reefs", body_markdown="",
            summary="",
        )  # fmt: skip
    assert waiting() == {("lesson", edited)}
    _stray_document(index)

    repair = _requeue()
    assert repair.requeued == sorted(
        [("document", file_id), ("lesson", lost), ("lesson", renamed), ("synonyms", "")]
    )
    assert waiting() == {*repair.requeued, ("lesson", edited)}
    assert repair.by_kind["lessons"] == Counter(missing=1, stale=1)
    assert repair.by_kind["documents"] == Counter(extra=1)
    assert repair.synonyms_differ
    assert repair.unowned == ["courses/stray"]
    assert "lessons: 1 missing, 1 stale" in repair.summary()

    again = _requeue()  # everything drifted has its job waiting now
    assert again.requeued == [] and again.by_kind == {}

    sync_search()
    with session_scope() as session:
        report = {d.kind: d for d in check_drift(session, default_index())}
    assert report["courses"].extra == ["stray"]  # only a reindex removes what no entity owns
    assert all(drift.clean for kind, drift in report.items() if kind != "courses")


def test_the_periodic_job_logs_what_it_queued(
    index: SearchIndex, teacher: str, caplog: pytest.LogCaptureFixture
) -> None:
    periodic = job_app.periodic_registry.periodic_tasks
    assert periodic[(DRIFT_CHECK_TASK, "search-drift-check")].cron == "*/10 * * * *"
    course_id = new_course(teacher, "Oceans", is_public=True)
    publish(teacher, course_id)
    sync_search()
    drift_check_job(timestamp=0)
    assert waiting() == set()  # nothing drifted, nothing queued or logged

    index.client.collections[index.alias(KINDS["courses"])].documents[course_id].delete()
    with caplog.at_level(logging.WARNING, logger="learning_app.jobs.search"):
        drift_check_job(timestamp=0)
    assert "courses: 1 missing; 1 sync job(s) queued" in caplog.text
    assert waiting() == {("course", course_id)}
    sync_search()
    assert _in_sync()


def test_the_periodic_job_skips_while_the_index_is_down(
    stores: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TYPESENSE_URL", "http://127.0.0.1:9")  # the discard port: refused
    reset_settings_cache()
    try:
        with caplog.at_level(logging.WARNING, logger="learning_app.jobs.search"):
            drift_check_job(timestamp=0)
    finally:
        monkeypatch.undo()
        reset_settings_cache()
    assert "search drift check skipped: the search index is unreachable" in caplog.text
    assert waiting() == set()


def test_each_part_compares_its_own_courses_and_every_deleted_course(
    index: SearchIndex, teacher: str
) -> None:
    """A part's run finds the drift of its courses and nobody else's, the documents of a course
    deleted behind the outbox's back in any part, and the parts together find everything."""
    courses = [new_course(teacher, f"Course {n}", is_public=True) for n in range(6)]
    for course_id in courses:
        new_lesson(teacher, course_id, "Tides")
        publish(teacher, course_id)
    gone = new_course(teacher, "Deleted", is_public=True)
    gone_lesson = new_lesson(teacher, gone, "Waves")
    publish(teacher, gone)
    sync_search()
    indexed_courses = index.client.collections[index.alias(KINDS["courses"])].documents
    for course_id in courses:
        indexed_courses[course_id].delete()  # every course's own document: missing
    _raw_sql("DELETE FROM course WHERE id = :id", id=gone)  # its documents stay: extra
    _stray_document(index)
    _stray_document(index, "odd", course_id="not a, uuid]")  # found by its whole course key

    halves = [CataloguePart(0, 2), CataloguePart(1, 2)]
    found: list[Change] = []
    for part in halves:
        with session_scope() as session:
            repair = requeue_drift(session, default_index(), part)
        mine = [("course", c) for c in courses if part.holds(uuid.UUID(c))]
        # The deleted course's documents: queued by the first run, waiting in the second.
        deleted = [("course", gone), ("lesson", gone_lesson)]
        assert repair.requeued == sorted(mine + ([] if found else deleted))
        assert repair.unowned == ["courses/odd", "courses/stray"]  # found in every run
        assert f"part {part.number + 1} of 2 of the catalogue" in repair.summary()
        found += repair.requeued
    assert sorted(found) == sorted([("course", c) for c in courses] + deleted)

    sync_search()
    with session_scope() as session:
        report = {d.kind: d for d in check_drift(session, default_index())}
    assert report["courses"].extra == ["odd", "stray"]
    assert all(drift.clean for kind, drift in report.items() if kind != "courses")


def test_the_periodic_job_takes_the_next_part_each_run(
    index: SearchIndex,
    teacher: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    course_id = new_course(teacher, "Oceans", is_public=True)
    for title in ("Waves", "Tides", "Reefs"):
        new_lesson(teacher, course_id, title, body=f"# {title}\n\nWhat {title} are made of.")
    publish(teacher, course_id)
    sync_search()
    index.client.collections[index.alias(KINDS["courses"])].documents[course_id].delete()
    monkeypatch.setattr(catalogue_parts, "DOCUMENTS_PER_PART", 2)  # 6 documents left: 4 parts
    assert part_to_check(index, 0) == CataloguePart(0, 4)
    own = uuid.UUID(course_id).int % 4
    for run in range(4):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="learning_app.jobs.search"):
            drift_check_job(timestamp=(run + 4) * DRIFT_CHECK_EVERY_S)
        if run == own:
            assert f"part {own + 1} of 4 of the catalogue; courses: 1 missing" in caplog.text
        else:
            assert caplog.text == ""
    assert waiting() == {("course", course_id)}
