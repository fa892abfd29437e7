"""Each app worker's jobs run in a process of their own beside it (`jobs.runner.worker_lifespan`):
it runs queued jobs, comes back when it dies, stops with the lifespan, and does not outlive an
app worker that was killed."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.jobs import runner
from learning_app.services.accounts.mail import send_later
from learning_app.settings import get_settings
from learning_app.stack.mailbox import list_messages, mail_dir


def _job_processes() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "learning-app-jobs"]


async def _until(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


def _running(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_job_process_runs_jobs_returns_when_killed_and_stops_with_the_app(
    clean_db: str, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_redis().flushdb()
    monkeypatch.setattr(runner, "RECONNECT_DELAY_S", 0.2)
    recipient = f"beside-{unique}@example.com"

    async def scenario() -> None:
        async with runner.worker_lifespan():
            [first] = _job_processes()
            assert first.pid != os.getpid()
            with session_scope() as session:
                send_later(session, recipient, "From the job process", "ran beside the app")
            assert await _until(
                lambda: bool(list_messages(mail_dir(get_settings()), recipient=recipient)), 30
            ), "the job process never sent the queued mail"

            first.kill()
            assert await _until(
                lambda: any(p.pid != first.pid and p.is_alive() for p in _job_processes()), 10
            ), "no job process came back after the first was killed"
            [second] = _job_processes()
        second.join(1)
        assert not second.is_alive()
        assert _job_processes() == []

    asyncio.run(scenario())


# An app worker in a process of its own: it enters the lifespan, prints its job process's pid,
# and waits to be killed.
_APP_WORKER = """
import asyncio, multiprocessing
from learning_app.jobs import runner

async def main():
    async with runner.worker_lifespan():
        [job] = [p for p in multiprocessing.active_children() if p.name == "learning-app-jobs"]
        print(job.pid, flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


def test_the_job_process_stops_when_its_app_worker_is_killed(clean_db: str) -> None:
    app_worker = subprocess.Popen(
        [sys.executable, "-c", _APP_WORKER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert app_worker.stdout is not None
        job_pid = int(app_worker.stdout.readline())
        assert _running(job_pid)
        app_worker.send_signal(signal.SIGKILL)  # no lifespan end runs
        app_worker.wait(10)
        assert asyncio.run(_until(lambda: not _running(job_pid), 15)), (
            "the job process outlived its app worker"
        )
    finally:
        app_worker.kill()
        app_worker.wait(10)
