"""Background jobs are durable: enqueued with the change, kept through outages, run later."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from learning_app.adapters.job_queue import defer_in_transaction
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.jobs.housekeeping import remove_old_jobs
from learning_app.jobs.runner import job_app
from learning_app.services.accounts.mail import SEND_MAIL_TASK
from learning_app.settings import get_settings
from learning_app.stack.mailbox import list_messages, mail_dir
from learning_app.stack.processes import free_port


def _jobs_for(recipient: str) -> list[tuple[str, int]]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate_jobs "
                "WHERE task_name = :task AND args->>'to' = :to ORDER BY id"
            ),
            {"task": SEND_MAIL_TASK, "to": recipient},
        ).all()
    return [(status, attempts) for status, attempts in rows]


# A queue no other worker serves, so only this test's worker runs these jobs.
QUEUE = "outage-test"


def _drain_queue(**env: str) -> None:
    """Run one worker until the queue has nothing due, as its own process."""
    subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "worker", "--once", "--queues", QUEUE],
        env={**os.environ, **env},
        check=True,
        timeout=60,
        capture_output=True,
    )


def _mail_to(recipient: str) -> list[object]:
    return list_messages(mail_dir(get_settings()), recipient=recipient)


@pytest.fixture
def recipient(clean_db: str, unique: str) -> str:
    get_redis().flushdb()
    return f"queued-{unique}@example.com"


def test_a_rolled_back_change_enqueues_nothing(recipient: str) -> None:
    with pytest.raises(RuntimeError), session_scope() as session:
        defer_in_transaction(
            session, SEND_MAIL_TASK, queue=QUEUE, to=recipient, subject="never", text="rolled back"
        )
        raise RuntimeError("the change fails after enqueueing")
    assert _jobs_for(recipient) == []


def test_mail_survives_a_relay_outage_and_leaves_when_it_is_back(recipient: str) -> None:
    with session_scope() as session:
        defer_in_transaction(
            session,
            SEND_MAIL_TASK,
            queue=QUEUE,
            to=recipient,
            subject="Queued hello",
            text="kept through the outage",
        )
    assert _jobs_for(recipient) == [("todo", 0)]

    _drain_queue(SMTP_PORT=str(free_port()))  # the relay is down: nothing listens there
    assert _jobs_for(recipient) == [("todo", 1)]  # failed once, scheduled for a retry
    assert _mail_to(recipient) == []

    time.sleep(2.5)  # the first retry waits 2 s
    _drain_queue()
    assert _jobs_for(recipient) == [("succeeded", 2)]
    assert [m.subject for m in _mail_to(recipient)] == ["Queued hello"]  # type: ignore[attr-defined]


def test_a_worker_run_once_defers_no_periodic_job(clean_db: str) -> None:
    """`worker --once` (and the CLI commands that apply their own search updates) runs what is
    queued and stops. A worker that keeps running defers each periodic job at its tick; one run
    once would defer the last tick of each, from before it started, and leave them queued (a
    drift check in the search queue, read as a search update still waiting). Only ticks from
    before the run are looked at, so a worker running elsewhere cannot be mistaken for it."""
    before = int(time.time())
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_periodic_defers"))  # none deferred yet
    _drain_queue()
    with get_engine().connect() as conn:
        deferred = conn.execute(
            text(
                "SELECT task_name FROM procrastinate_periodic_defers "
                "WHERE defer_timestamp < :before"
            ),
            {"before": before},
        ).all()
    assert deferred == []


def test_finished_jobs_are_forgotten_after_a_while_and_waiting_ones_never(
    recipient: str,
) -> None:
    """Succeeded jobs are kept a day, failed and cancelled ones a week; a job still waiting is
    kept however old it is."""
    ages = {  # (status, hours since it ended or was queued): kept
        ("succeeded", 2): True,
        ("succeeded", 30): False,
        ("failed", 30): True,
        ("failed", 200): False,
        ("cancelled", 200): False,
        ("todo", 500): True,
    }
    with session_scope() as session:
        ids = {
            key: defer_in_transaction(
                session, SEND_MAIL_TASK, queue=QUEUE, to=recipient, subject=str(key), text="-"
            )
            for key in ages
        }
    with get_engine().begin() as conn:
        for (status, hours), job_id in ids.items():
            if status != "todo":
                conn.execute(
                    text("UPDATE procrastinate_jobs SET status = :status WHERE id = :id"),
                    {"status": status, "id": job_id},
                )
            conn.execute(
                text(
                    "UPDATE procrastinate_events SET at = now() - make_interval(hours => :hours)"
                    " WHERE job_id = :id"
                ),
                {"hours": hours, "id": job_id},
            )

    async def housekeeping() -> None:
        async with job_app.open_async():
            await remove_old_jobs()

    asyncio.run(housekeeping())
    with get_engine().connect() as conn:
        left = set(
            conn.execute(
                text("SELECT id FROM procrastinate_jobs WHERE id = ANY(:ids)"),
                {"ids": list(ids.values())},
            ).scalars()
        )
    assert {key: ids[key] in left for key in ages} == ages
