"""Search test helpers: a fresh index under the test prefix, and running the sync jobs."""

from __future__ import annotations

import time

from sqlalchemy import text

from learning_app.adapters.postgres import get_engine
from learning_app.jobs.runner import run_worker
from learning_app.services.search_outbox import SEARCH_QUEUE

SYNC_TIMEOUT_S = 30


def pending_sync_jobs(queue: str = SEARCH_QUEUE) -> list[tuple[str, int]]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate_jobs "
                "WHERE queue_name = :queue AND status IN ('todo', 'doing') "
                "AND (scheduled_at IS NULL OR scheduled_at <= now()) ORDER BY id"
            ),
            {"queue": queue},
        ).all()
    return [(status, attempts) for status, attempts in rows]


def sync_search(queue: str = SEARCH_QUEUE) -> None:
    """Run the queued search jobs now (another test worker may be running some of them)."""
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while True:
        run_worker(queues=[queue], wait=False)
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
