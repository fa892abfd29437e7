"""The Procrastinate app that workers run, and the job process beside each app backend worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.process
import os
import signal
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
# The job process beside each app worker runs below the app's priority, so that on a busy
# machine the students' actions come first and jobs are late rather than the actions slow;
# it gets a core's share whenever one is idle. Stopping it waits this long for running jobs.
JOB_PROCESS_NICENESS = 5
JOB_PROCESS_STOP_GRACE_S = 10.0
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
    """Reflex lifespan task: a job worker in a process of its own beside each app worker
    (none with JOBS_IN_APP=false), restarted if it dies and stopped with the app worker.

    Not a task on the app worker's own event loop, as it was: a job's Python then held the
    worker's GIL, and every event of that worker waited for it. Under 200 students the
    analytics flush spends 30-100 ms of CPU every 5 s, and an action that began 0.5-1.25 s
    after its tick was 2-4 times as likely as any other to be among the slowest twentieth.
    """
    if not get_settings().jobs_in_app:
        yield
        return
    process = _start_job_process()
    supervisor = asyncio.create_task(_keep_running(process), name="job-process-supervisor")
    try:
        yield
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            process = await supervisor
        await asyncio.to_thread(_stop_job_process, process)


def _start_job_process() -> multiprocessing.process.BaseProcess:
    # forkserver: the app worker runs threads, which a plain fork must not copy.
    process = multiprocessing.get_context("forkserver").Process(
        target=job_process_main, name="learning-app-jobs"
    )
    process.start()
    return process


async def _keep_running(
    process: multiprocessing.process.BaseProcess,
) -> multiprocessing.process.BaseProcess:
    """Start the job process again whenever it has died (killed, out of memory); returns
    the one running when cancelled, for the lifespan to stop."""
    try:
        while True:
            await asyncio.sleep(RECONNECT_DELAY_S)
            if not process.is_alive():
                log.error("the job process exited (%s); starting another", process.exitcode)
                process = await asyncio.to_thread(_start_job_process)
    except asyncio.CancelledError:
        return process


def _stop_job_process(process: multiprocessing.process.BaseProcess) -> None:
    """SIGTERM (the worker lets its running jobs finish), then SIGKILL past the grace."""
    process.terminate()
    process.join(JOB_PROCESS_STOP_GRACE_S)
    if process.is_alive():
        process.kill()
        process.join()


def job_process_main() -> None:
    """The job process: a worker at a lower priority than the app's, which stops on SIGTERM
    and once the app worker that started it is gone (killed, it ran no lifespan end)."""
    os.nice(JOB_PROCESS_NICENESS)
    asyncio.run(_work_while_app_lives())


async def _work_while_app_lives() -> None:
    app_worker = multiprocessing.parent_process()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    work = asyncio.create_task(_work_forever(), name="job-worker")
    while not stop.is_set() and (app_worker is None or app_worker.is_alive()):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await work


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
