"""Analytics jobs: flush the event buffer (which also adds to the daily roll-ups), refresh the
teacher views.

Each task holds a queueing lock, so a slow run never piles up copies of itself; a run that
fails is simply redone by the next tick (every one of them is idempotent).
"""

from __future__ import annotations

import logging

from learning_app.adapters.postgres import session_scope
from learning_app.jobs.runner import job_app
from learning_app.services.progress.events import flush_events
from learning_app.services.progress.rollups import refresh_teacher_views

log = logging.getLogger(__name__)

FLUSH_TASK = "analytics.flush"
REFRESH_TASK = "analytics.refresh_views"


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
