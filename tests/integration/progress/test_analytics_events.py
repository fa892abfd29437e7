"""Analytics events: validated, buffered in the real Redis, flushed in bulk into the real
Postgres; concurrent writers, crashes between the steps, and the places that record them."""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.models.analytics import AnalyticsEvent
from learning_app.models.users import User
from learning_app.services.courses import reading
from learning_app.services.progress import events as analytics
from learning_app.services.progress.events import (
    BUFFER_KEY,
    MAX_CONTEXT_BYTES,
    PROCESSING_KEY,
    buffered_count,
    flush_events,
    record_event,
)
from learning_app.state.calls import call_with_session
from tests.integration.people import new_course, new_lesson, person, publish


def stored() -> list[AnalyticsEvent]:
    with session_scope() as session:
        return list(session.exec(select(AnalyticsEvent).order_by(col(AnalyticsEvent.id))).all())


def stored_count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AnalyticsEvent)).one()


def user_id_of(token: str) -> uuid.UUID:
    from learning_app.services.accounts import sessions

    found = sessions.resolve_session(token)
    assert found is not None
    return found


def test_unknown_names_and_oversized_contexts_are_rejected_with_a_log_line(
    stores: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="learning_app.services.progress.events")
    assert not record_event("lesson_teleported", user_id=None, course_id=None)
    assert not record_event(
        "lesson_viewed", user_id=None, course_id=None, context={"x": "y" * MAX_CONTEXT_BYTES}
    )
    assert not record_event(
        "lesson_viewed", user_id=None, course_id=None, context={"when": object()}
    )
    assert not record_event("lesson_viewed", user_id="not-a-uuid", course_id=None)
    messages = [r.getMessage() for r in caplog.records]
    assert any("unknown event name 'lesson_teleported'" in m for m in messages)
    assert any(f"over {MAX_CONTEXT_BYTES}" in m for m in messages)
    assert any("not JSON-serialisable" in m for m in messages)
    assert buffered_count() == 0
    assert record_event("search_performed", user_id=None, course_id=None, context={"q": "x"})
    assert buffered_count() == 1


def enrolled_lesson(teacher: str, student: str) -> tuple[str, str]:
    """A published course with one lesson, and the student enrolled in it."""
    course_id = new_course(teacher)
    lesson_id = new_lesson(teacher, course_id, "One")
    publish(teacher, course_id)
    with session_scope() as session:
        reading.enroll(session, token=student, course_id=course_id)
    return course_id, lesson_id


def test_the_hot_path_only_buffers_and_a_rollback_records_nothing(
    teacher: str, student: str
) -> None:
    course_id, lesson_id = enrolled_lesson(teacher, student)
    with pytest.raises(RuntimeError), session_scope() as session:
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_id)
        raise RuntimeError("the action failed after recording")
    assert buffered_count() == 0
    with session_scope() as session:
        reading.read_lesson(session, token=student, course_id=course_id, lesson_id=lesson_id)
        reading.mark_lesson_complete(
            session, token=student, course_id=course_id, lesson_id=lesson_id
        )
    assert buffered_count() == 2 and stored_count() == 0  # no insert on the hot path
    result = flush_events()
    assert (result.received, result.stored) == (2, 2)
    events = stored()
    assert sorted(e.name for e in events) == ["lesson_completed", "lesson_viewed"]
    assert {e.user_id for e in events} == {user_id_of(student)}
    assert {str(e.course_id) for e in events} == {course_id}
    assert all(e.context == {"lesson_id": lesson_id} for e in events)


def test_a_page_s_events_are_buffered_once_its_unit_of_work_has_freed_its_slot(
    teacher: str, student: str
) -> None:
    course_id, lesson_id = enrolled_lesson(teacher, student)
    buffered_during: list[int] = []

    def read_then_search(session: Session, token: str) -> None:
        reading.read_lesson(session, token=token, course_id=course_id, lesson_id=lesson_id)
        record_event("search_performed", user_id=None, course_id=None)  # no transaction
        session.flush()
        buffered_during.append(buffered_count())

    asyncio.run(call_with_session(read_then_search, token=student))
    assert buffered_during == [0]  # nothing pushed while the unit held its slot
    assert buffered_count() == 2  # both, once it had ended


def test_concurrent_writers_and_flushers_lose_and_double_nothing(stores: None) -> None:
    writers, per_writer = 8, 300
    done = threading.Event()

    def write(n: int) -> None:
        for i in range(per_writer):
            record_event("search_performed", user_id=None, course_id=None, context={"w": n, "i": i})

    def flush_until_done() -> None:
        while not done.is_set():
            flush_events(batch_size=150)

    flushers = [threading.Thread(target=flush_until_done) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in flushers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in flushers:
        thread.join()
    flush_events()
    events = stored()
    assert len(events) == writers * per_writer
    assert {(e.context["w"], e.context["i"]) for e in events} == {
        (n, i) for n in range(writers) for i in range(per_writer)
    }
    assert buffered_count() == 0


def test_a_flush_ends_with_the_batch_that_emptied_the_buffer(
    stores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_batch = analytics._store_batch
    batches: list[int] = []

    def meanwhile_a_student_acts(events: list[dict[str, object]]) -> int:
        batches.append(len(events))
        if len(batches) < 10:  # a flush that went on until the buffer is empty ends too
            record_event("search_performed", user_id=None, course_id=None)
        return store_batch(events)

    for _ in range(7):
        record_event("search_performed", user_id=None, course_id=None)
    monkeypatch.setattr(analytics, "_store_batch", meanwhile_a_student_acts)
    # An event arrives while each batch is stored. Full batches go on (3, 3, 3), and the
    # short one (the last event of those) ends the flush: the one that arrived while it was
    # stored waits for the next flush rather than getting a transaction of its own.
    result = flush_events(batch_size=3)
    assert (result.batches, result.received) == (4, 10)
    assert buffered_count() == 1
    monkeypatch.undo()
    assert flush_events().received == 1
    assert stored_count() == 11


def test_a_crash_after_the_insert_before_the_ack_counts_nothing_twice(
    student: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = user_id_of(student)
    for i in range(5):
        record_event("lesson_viewed", user_id=me, course_id=None, context={"i": i})

    def killed() -> None:
        raise SystemExit("flusher killed between COMMIT and the ack")

    monkeypatch.setattr(analytics, "_ack", killed)
    with pytest.raises(SystemExit):
        flush_events()
    assert stored_count() == 5
    assert get_redis().llen(PROCESSING_KEY) == 5  # still there: not acknowledged
    monkeypatch.undo()

    record_event("lesson_viewed", user_id=me, course_id=None, context={"i": 5})
    result = flush_events()
    assert result.received == 6 and result.stored == 1  # the 5 are skipped by their ids
    assert sorted(e.context["i"] for e in stored()) == list(range(6))
    assert buffered_count() == 0


def test_a_crash_before_the_insert_and_an_app_restart_lose_nothing(
    stores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        record_event("tutor_asked", user_id=None, course_id=None, context={"i": i})

    def killed(events: list[object]) -> int:
        raise SystemExit("flusher killed after claiming the batch")

    monkeypatch.setattr(analytics, "_store_batch", killed)
    with pytest.raises(SystemExit):
        flush_events()
    monkeypatch.undo()
    assert stored_count() == 0 and get_redis().llen(PROCESSING_KEY) == 3

    # A restarted app: new Redis and Postgres clients, same stores.
    from learning_app.adapters import redis_store
    from learning_app.adapters.postgres import dispose_engines

    redis_store.close_redis_clients()
    dispose_engines()
    assert flush_events().stored == 3
    assert sorted(e.context["i"] for e in stored()) == [0, 1, 2]
    assert get_redis().llen(BUFFER_KEY) == 0


def test_events_of_a_user_deleted_before_the_flush_are_kept(stores: None) -> None:
    ghost = person("ghost")
    ghost_id = user_id_of(ghost)
    record_event("lesson_viewed", user_id=ghost_id, course_id=uuid.uuid4(), context={})
    with session_scope() as session:
        session.delete(session.get(User, ghost_id))
    assert flush_events().stored == 1
    (event,) = stored()
    assert event.user_id is None and event.course_id is None


def test_an_unreadable_buffered_line_is_dropped_with_a_log_line(
    stores: None, caplog: pytest.LogCaptureFixture
) -> None:
    get_redis().lpush(BUFFER_KEY, "not json")
    record_event("document_uploaded", user_id=None, course_id=None, context={})
    result = flush_events()
    assert (result.stored, result.rejected) == (1, 1)
    assert any("unreadable buffered line" in r.getMessage() for r in caplog.records)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_flushes_and_exports_ndjson_and_csv(student: str, tmp_path: Path) -> None:
    me = user_id_of(student)
    record_event("lesson_viewed", user_id=me, course_id=None, context={"lesson_id": "a,b"})
    record_event("tutor_asked", user_id=None, course_id=None, context={"words": 12})
    flushed = _cli("events", "flush")
    assert flushed.returncode == 0, flushed.stderr
    assert "2 stored" in flushed.stdout and stored_count() == 2

    ndjson = _cli("events", "export", "--since", "2000-01-01", "--format", "ndjson")
    assert ndjson.returncode == 0, ndjson.stderr
    rows = [json.loads(line) for line in ndjson.stdout.splitlines()]
    assert sorted(r["name"] for r in rows) == ["lesson_viewed", "tutor_asked"]
    viewed = next(r for r in rows if r["name"] == "lesson_viewed")
    assert viewed["user_id"] == str(me) and json.loads(viewed["context"]) == {"lesson_id": "a,b"}

    out = tmp_path / "events.csv"
    exported = _cli(
        "events", "export", "--since", "2000-01-01", "--format", "csv", "--output", str(out)
    )
    assert exported.returncode == 0 and "exported 2 event(s)" in exported.stderr
    with out.open(newline="") as handle:
        assert {r["name"] for r in csv.DictReader(handle)} == {"lesson_viewed", "tutor_asked"}
    future = _cli("events", "export", "--since", "2999-01-01")
    assert future.returncode == 0 and future.stdout == ""
    bad = _cli("events", "export", "--since", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_searches_and_uploads_record_their_events(teacher: str, s3_bucket: str) -> None:
    from learning_app.services.search.queries import search
    from tests.integration.material.helpers import upload

    course_id = new_course(teacher, "Events")
    upload(teacher, course_id, "notes.md", b"# Notes\n\nSome text.\n")
    with session_scope() as session:
        search(session, token=teacher, query="my private words")
        search(session, token=None, query="   ")  # nothing searched, nothing recorded
    flush_events()
    events = {event.name: event for event in stored()}
    assert set(events) == {"document_uploaded", "search_performed"}
    assert events["search_performed"].context["query_chars"] == len("my private words")
    assert "my private words" not in json.dumps(events["search_performed"].context)
    assert str(events["document_uploaded"].course_id) == course_id
