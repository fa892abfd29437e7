"""Analytics jobs: flush the event buffer (which also adds to the daily roll-ups), refresh the
teacher views, close the old days of the roll-ups and recompute a closed day that received
events.

Each task holds a queueing lock, so a slow run never piles up copies of itself; a run that
fails is simply redone by the next tick (every one of them is idempotent).
"""

from __future__ import annotations

import logging
from datetime import date

from learning_app.adapters.postgres import session_scope
from learning_app.jobs.runner import RetryUntilDone, job_app
from learning_app.services.progress.events import flush_events
from learning_app.services.progress.rollups import (
    ROLLUP_DAY_TASK,
    close_day,
    oldest_day_to_close,
    refresh_teacher_views,
    rollup_day,
)

log = logging.getLogger(__name__)

FLUSH_TASK = "analytics.flush"
REFRESH_TASK = "analytics.refresh_views"
CLOSE_DAYS_TASK = "analytics.close_old_days"


# A 6th cron field is seconds: events reach the dashboards within about five seconds.
@job_app.periodic(cron="* * * * * */5", periodic_id="flush-events")
@job_app.task(name=FLUSH_TASK, queue="default", queueing_lock=FLUSH_TASK, pass_context=False)
def flush_events_job(timestamp: int) -> None:
    flush_events()


@job_app.periodic(cron="*/5 * * * *", periodic_id="refresh-teacher-views")
@job_app.task(name=REFRESH_TASK, queue="default", queueing_lock=REFRESH_TASK, pass_context=False)
def refresh_views_job(timestamp: int) -> None:
    with session_scope() as session:
        refresh_teacher_views(session)


@job_app.periodic(cron="23 * * * *", periodic_id="close-old-days")
@job_app.task(
    name=CLOSE_DAYS_TASK, queue="default", queueing_lock=CLOSE_DAYS_TASK, pass_context=False
)
def close_old_days_job(timestamp: int) -> None:
    """Every hour: close every day older than the kept ones, oldest first, one transaction a
    day, so that the flush waits behind one day at a time (the first run after an upgrade
    closes every day since the roll-ups began)."""
    closed = 0
    while True:
        with session_scope() as session:
            day = oldest_day_to_close(session)
            if day is None:
                break
            close_day(session, day)
        closed += 1
    if closed:
        log.info("closed %d day(s) of the roll-ups", closed)


@job_app.task(name=ROLLUP_DAY_TASK, queue="default", retry=RetryUntilDone(), pass_context=False)
def rollup_day_job(day: str) -> None:
    """A closed day that received events, recomputed whole (queued by the flush)."""
    with session_scope() as session:
        rollup_day(session, date.fromisoformat(day))
