"""The Procrastinate app that workers run, and the worker inside each app backend process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import procrastinate
from procrastinate.jobs import Job

from learning_app.settings import get_settings

log = logging.getLogger(__name__)

TASK_MODULES = [
    "learning_app.jobs.mail",
    "learning_app.jobs.exams",
    "learning_app.jobs.search",
    "learning_app.jobs.analytics",
    "learning_app.jobs.material",
    "learning_app.jobs.housekeeping",
]
# The queues a worker serves unless told otherwise; every task names one of these.
QUEUES = ["mail", "default", "search", "material"]
WORKER_CONCURRENCY = 2
RECONNECT_DELAY_S = 5.0
MAX_RETRY_WAIT_S = 60

job_app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(conninfo=get_settings().libpq_url),
    import_paths=TASK_MODULES,
)


class RetryUntilDone(procrastinate.BaseRetryStrategy):
    """1, 2, 4 … seconds between tries, never more than a minute, and no last try: for jobs
    that keep another store in step with Postgres, where giving up would lose the update and
    nobody would know to redo it."""

    def get_retry_decision(
        self, *, exception: BaseException, job: Job
    ) -> procrastinate.RetryDecision:
        wait = min(MAX_RETRY_WAIT_S, 2 ** min(job.attempts, 6))
        return procrastinate.RetryDecision(retry_in={"seconds": wait})


async def _work_forever() -> None:
    """Run a worker; when Postgres is unreachable, wait and try again instead of dying."""
    while True:
        try:
            async with job_app.open_async():
                await job_app.run_worker_async(
                    install_signal_handlers=False,
                    concurrency=WORKER_CONCURRENCY,
                    queues=QUEUES,
                    name="app-backend",
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job worker stopped; restarting in %.0f s", RECONNECT_DELAY_S)
        await asyncio.sleep(RECONNECT_DELAY_S)


@contextlib.asynccontextmanager
async def worker_lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: a job worker alongside the app (off with JOBS_IN_APP=false)."""
    if not get_settings().jobs_in_app:
        yield
        return
    task = asyncio.create_task(_work_forever(), name="job-worker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def run_worker(
    *, queues: list[str] | None = None, concurrency: int = WORKER_CONCURRENCY, wait: bool = True
) -> None:
    """`learning-app worker`: a standalone worker process (SIGINT/SIGTERM stop it cleanly).
    With `wait=False` (`--once`, and the CLI commands that apply their own search updates) it
    runs the jobs already queued and stops."""
    asyncio.run(_run_standalone(queues=queues or QUEUES, concurrency=concurrency, wait=wait))


def _deferring_only(app: procrastinate.App, queues: list[str]) -> procrastinate.App:
    """The same tasks on the same connection, deferring only the periodic jobs of `queues`.

    Every Procrastinate worker defers every periodic job of its app as its tick comes (and the
    ticks of the last ten minutes when it starts). A worker given some queues would otherwise
    queue periodic jobs it never runs (a drift check in the search queue, left waiting until
    another worker came), and a run that stops once its queues are empty would leave the ones
    it deferred behind it: a worker defers the periodic jobs of the queues it serves, and a
    one-shot run none (`queues=[]`); the workers serving the other queues defer theirs."""
    app.perform_import_paths()  # every task module, so that every task is registered
    worker_app = procrastinate.App(connector=app.connector, worker_defaults=app.worker_defaults)
    worker_app.tasks = app.tasks
    worker_app.periodic_registry.periodic_tasks = {
        key: periodic
        for key, periodic in app.periodic_registry.periodic_tasks.items()
        if periodic.task.queue in queues
    }
    return worker_app


async def _run_standalone(*, queues: list[str], concurrency: int, wait: bool) -> None:
    async with job_app.open_async():
        app = _deferring_only(job_app, queues if wait else [])
        await app.run_worker_async(queues=queues, concurrency=concurrency, wait=wait, name="cli")
