"""Search test helpers: running the sync jobs and the CLI, and searching as someone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from learning_app.adapters.embeddings import Embedder
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.jobs.runner import run_worker
from learning_app.services.search.index import SearchIndex, default_index, drop_index, rebuild
from learning_app.services.search.outbox import SEARCH_QUEUE, Change, waiting_syncs
from learning_app.services.search.queries import search
from learning_app.services.search.results import SearchFilters, SearchResults

SYNC_TIMEOUT_S = 30


def pending_sync_jobs(queue: str = SEARCH_QUEUE) -> list[tuple[str, int]]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate_jobs "
                "WHERE queue_name = :queue AND status IN ('todo', 'doing') ORDER BY id"
            ),
            {"queue": queue},
        ).all()
    return [(status, attempts) for status, attempts in rows]


def run_queue_once(queue: str) -> None:
    """Run the queue's due jobs in this process, in a thread of its own: the worker calls
    `asyncio.run`, which refuses a thread whose event loop is running (Playwright's, when the
    browser tests ran earlier in the same session)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run_worker, queues=[queue], wait=False).result()


def sync_search(queue: str = SEARCH_QUEUE, *, run_here: bool = True) -> None:
    """Wait until the queue's search jobs are done, retries included. With `run_here` this
    process runs them too (another test worker, or the app's own, may run some of them)."""
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while True:
        if run_here:
            run_queue_once(queue)
        if not pending_sync_jobs(queue):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"search jobs still pending: {pending_sync_jobs(queue)}")
        time.sleep(0.2)


def forget_sync_jobs(queue: str = SEARCH_QUEUE) -> None:
    """Drop queued search jobs left by earlier tests (their rows were truncated since)."""
    with get_engine().begin() as conn:
        conn.execute(
            text("DELETE FROM procrastinate_jobs WHERE queue_name = :queue AND status = 'todo'"),
            {"queue": queue},
        )


def find(
    token: str | None, query: str, *, embedder: Embedder | None = None, **filters: str
) -> SearchResults:
    """Search as whoever holds `token`; by meaning too when given an embedder."""
    with session_scope() as session:
        return search(
            session, token=token, query=query, filters=SearchFilters(**filters), embedder=embedder
        )


def titles(results: SearchResults) -> list[str]:
    return [hit.title for hit in results.hits]


def waiting() -> set[Change]:
    """The entities (and synonyms) whose search sync job waits to run."""
    with session_scope() as session:
        return waiting_syncs(session)


def run_cli(*args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess[str]:
    """`learning-app ARGS` run as an operator would, in a process of its own on this suite's
    stores; `env` overrides settings for it (e.g. TYPESENSE_URL)."""
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def fresh_index(stores: None) -> Iterator[SearchIndex]:
    """A fresh search index under the test prefix, dropped afterwards: the `index` fixture of
    the suites that search (`index = pytest.fixture(fresh_index)`)."""
    forget_sync_jobs()
    index = default_index()
    drop_index(index)
    rebuild(index)
    yield index
    drop_index(index)
