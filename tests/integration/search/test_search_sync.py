"""The index stays equal to Postgres: through a Typesense outage, during a reindex, and the CLI
that reports drift and searches."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from learning_app.adapters import typesense_store
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import (
    KeptAliveMultiSearch,
    SearchUnreachable,
    get_typesense,
)
from learning_app.services.courses import lessons
from learning_app.services.search import outbox as search_outbox
from learning_app.services.search.documents import KINDS
from learning_app.services.search.index import SearchIndex, default_index, drop_index, rebuild
from learning_app.settings import Settings, get_settings, reset_settings_cache
from learning_app.stack.servers import Typesense
from tests.integration.people import new_course, new_lesson, publish
from tests.integration.private_servers import on_free_ports
from tests.integration.search.helpers import (
    find,
    forget_sync_jobs,
    pending_sync_jobs,
    run_cli,
    run_queue_once,
    sync_search,
    titles,
)

# A queue no other test worker serves: only this test runs these jobs, against its own server.
OUTAGE_QUEUE = "search-outage-test"
COURSES = KINDS["courses"]


@pytest.fixture
def own_typesense(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: None
) -> Iterator[Typesense]:
    """A Typesense of this test's own (own data dir, free ports), which the app then uses."""
    server = on_free_ports(lambda port: Typesense(Settings(stack_typesense_port=port), tmp_path))
    server.ensure_up(time.monotonic() + 60)
    monkeypatch.setenv("TYPESENSE_URL", server.address)
    monkeypatch.setattr(search_outbox, "SEARCH_QUEUE", OUTAGE_QUEUE)
    reset_settings_cache()
    forget_sync_jobs(OUTAGE_QUEUE)
    try:
        rebuild(default_index())
        yield server
    finally:
        server.stop(timeout=10)
        monkeypatch.undo()
        reset_settings_cache()


def _rename(token: str, lesson_id: str, title: str) -> None:
    with session_scope() as session:
        lessons.update_lesson(
            session, token=token, lesson_id=lesson_id, title=title, body_markdown="", summary=""
        )


def test_an_outage_delays_an_update_and_loses_nothing(
    own_typesense: Typesense, teacher: str
) -> None:
    course_id = new_course(teacher, "Gardening", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Pruning roses")
    publish(teacher, course_id)
    sync_search(OUTAGE_QUEUE)
    assert titles(find(None, "prunning")) == ["Pruning roses"]

    own_typesense.stop(timeout=10)
    _rename(teacher, lesson_id, "Pruning tomatoes")
    run_queue_once(OUTAGE_QUEUE)
    assert pending_sync_jobs(OUTAGE_QUEUE) == [("todo", 1)]  # failed once, retried later
    during = find(None, "tomatoes")
    assert during.degraded and titles(during) == ["Pruning tomatoes"]  # Postgres answers

    own_typesense.ensure_up(time.monotonic() + 60)
    sync_search(OUTAGE_QUEUE)
    after = find(None, "tomatos")
    assert not after.degraded
    assert titles(after) == ["Pruning tomatoes"]


def test_a_kept_connection_outlives_a_typesense_restart(own_typesense: Typesense) -> None:
    """Searches keep their HTTP connection alive between requests: one that Typesense closed
    when it stopped is replaced without an error, and a stopped server is reported at once."""
    search = get_typesense().multi_search
    body = {"searches": [{"collection": default_index().alias(COURSES), "q": "*"}]}
    assert search.perform(body, {})["results"][0]["found"] == 0  # this thread's connection kept

    own_typesense.stop(timeout=10)
    own_typesense.ensure_up(time.monotonic() + 60)
    assert search.perform(body, {})["results"][0]["found"] == 0

    own_typesense.stop(timeout=10)
    with pytest.raises(SearchUnreachable):
        search.perform(body, {})
    own_typesense.ensure_up(time.monotonic() + 60)


def test_a_connection_left_idle_is_replaced_before_typesense_closes_it(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = KeptAliveMultiSearch(get_settings().typesense_url, get_settings().typesense_api_key)
    first, new = search.connection()
    first.connect()
    search.release(first)
    assert new and search.connection() == (first, False)  # in use: kept
    search.release(first)
    monkeypatch.setattr(typesense_store, "IDLE_LIMIT_S", 0.0)
    replacement, new = search.connection()
    assert new and replacement is not first and first.sock is None  # the idle one is closed
    search.drop(replacement)


def test_two_searches_in_flight_on_one_thread_each_get_their_own_answer(
    index: SearchIndex,
) -> None:
    """Brief units interleaved on the event loop send searches from one thread, the second
    before the first is read: neither may take the other's connection (or answer)."""
    search = index.client.multi_search

    def for_words(words: str) -> dict[str, Any]:
        searching = {"collection": index.alias(COURSES), "q": words, "query_by": "title"}
        return {"searches": [searching]}

    first, second = search.start(for_words("first")), search.start(for_words("second"))
    assert second.answer()["results"][0]["request_params"]["q"] == "second"
    assert first.answer()["results"][0]["request_params"]["q"] == "first"
    reused, new = search.connection()
    assert not new  # read answers give their connections back
    search.release(reused)


def test_closing_the_clients_closes_their_connections_and_the_next_is_new() -> None:
    """What a process that ends calls, so it leaves no socket to Typesense open."""
    client = typesense_store.get_typesense()
    assert client.operations.is_healthy()  # the official client's pooled connection
    searching = client.multi_search  # type: ignore[attr-defined]
    kept, new = searching.connection()
    if new:
        kept.connect()
    searching.release(kept)
    typesense_store.close_search_clients()
    assert kept.sock is None
    assert typesense_store.get_typesense() is not client
    assert typesense_store.get_typesense().operations.is_healthy()


def test_a_forked_process_never_uses_its_parents_connection(index: SearchIndex) -> None:
    search = KeptAliveMultiSearch(get_settings().typesense_url, get_settings().typesense_api_key)
    parents, _ = search.connection()
    parents.connect()
    search.release(parents)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report, then leave without running the parent's clean-ups
        try:
            _, new = search.connection()
            os.write(writer, b"new" if new else b"kept")
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    with os.fdopen(reader, "rb") as answer:
        assert answer.read() == b"new"
    assert search.connection() == (parents, False) and parents.sock is not None
    search.drop(parents)


def test_a_search_left_unread_does_not_spoil_the_next(index: SearchIndex) -> None:
    """A search sent and never read (its caller failed before reading it) leaves a response
    on its connection; the next search still gets its own answer."""
    search = index.client.multi_search
    body = {"searches": [{"collection": index.alias(COURSES), "q": "*"}]}
    search.start(body)
    assert search.start(body).answer()["results"][0]["found"] == 0  # sent on a new connection

    pending = search.start(body)
    deadline = time.monotonic() + 5
    while not pending.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pending.ready()  # the answer has come: reading it will not wait
    assert pending.answer()["results"][0]["found"] == 0


def test_searches_keep_answering_during_a_reindex(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Astronomy", is_public=True)
    new_lesson(teacher, course_id, "Telescopes and mirrors")
    publish(teacher, course_id)
    sync_search()

    answers: list[list[str]] = []
    problems: list[str] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                result = find(None, "telescpes")
                answers.append(titles(result))
                if result.degraded:
                    problems.append("degraded")
            except Exception as exc:  # recorded, then asserted on below
                problems.append(repr(exc))

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        for _ in range(3):
            rebuild(default_index())
    finally:
        stop.set()
        searcher.join()
    assert problems == []
    assert len(answers) > 3
    assert all(answer == ["Telescopes and mirrors"] for answer in answers)


def test_the_cli_searches_reports_drift_and_reindexes(index: SearchIndex, teacher: str) -> None:
    course_id = new_course(teacher, "Cooking", is_public=True)
    lesson_id = new_lesson(teacher, course_id, "Baking bread")
    new_lesson(teacher, course_id, "Secret sauce", publish=False)
    publish(teacher, course_id)
    sync_search()

    answer = run_cli("search", "bakng", "--json")
    assert answer.returncode == 0, answer.stderr
    hits = json.loads(answer.stdout)["hits"]
    assert hits[0] == {
        "type": "lesson",
        "id": lesson_id,
        "title": "Baking bread",
        "course": "Cooking",
        "snippet": hits[0]["snippet"],
    }
    assert all(set(hit) == {"type", "id", "title", "course", "snippet"} for hit in hits)
    assert "Secret sauce" not in run_cli("search", "secret", "--json").stdout
    as_teacher = json.loads(
        run_cli("search", "secret", "--as", "rosa@example.com", "--json").stdout
    )
    assert [hit["title"] for hit in as_teacher["hits"]] == ["Secret sauce"]
    assert json.loads(run_cli("search", "", "--json").stdout) == {"hits": []}
    assert run_cli("search", "x", "--as", "nobody@example.com").returncode == 1

    assert run_cli("search-check").returncode == 0
    drop_index(default_index())  # everything missing now: drift
    drifted = run_cli("search-check")
    assert drifted.returncode == 1
    assert "DRIFT" in drifted.stdout
    assert run_cli("reindex").returncode == 0
    assert run_cli("search-check").returncode == 0
