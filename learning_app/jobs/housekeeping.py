"""Job queue housekeeping: finished jobs are forgotten after a while.

Procrastinate keeps every job's row, and the events of its life (three or more), after the job
ends. The analytics flush alone is 17,280 jobs a day, so without this the job tables would grow
by some 70,000 rows a day for ever. Succeeded jobs are kept a day; failed, cancelled and aborted
ones a week, for whoever looks into why. Jobs waiting or running are never touched.
"""

from __future__ import annotations

from learning_app.jobs.runner import job_app

REMOVE_OLD_JOBS_TASK = "jobs.remove_old"
SUCCEEDED_KEPT_HOURS = 24
FAILED_KEPT_HOURS = 7 * 24


async def remove_old_jobs() -> None:
    """Delete the jobs finished longer ago than they are kept (their events go with them)."""
    manager = job_app.job_manager
    await manager.delete_old_jobs(nb_hours=SUCCEEDED_KEPT_HOURS)
    await manager.delete_old_jobs(
        nb_hours=FAILED_KEPT_HOURS,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )


@job_app.periodic(cron="17 * * * *", periodic_id="remove-old-jobs")
@job_app.task(
    name=REMOVE_OLD_JOBS_TASK,
    queue="default",
    queueing_lock=REMOVE_OLD_JOBS_TASK,
    pass_context=False,
)
async def remove_old_jobs_job(timestamp: int) -> None:
    """Every hour; a run that fails is redone by the next one."""
    await remove_old_jobs()
