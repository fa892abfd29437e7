"""Exam housekeeping: submit attempts whose deadline passed while nobody was looking.

Reads and writes of an attempt already submit it once its deadline has passed; this job covers
students who closed the tab, so results and teachers' queues never wait for them.
"""

from __future__ import annotations

import logging

from learning_app.adapters.postgres import session_scope
from learning_app.jobs.runner import job_app
from learning_app.services.attempts.grading import EXPIRED_BATCH, close_expired_attempts

log = logging.getLogger(__name__)

CLOSE_EXPIRED_TASK = "exams.close_expired"


@job_app.periodic(cron="* * * * *", periodic_id="close-expired-attempts")
@job_app.task(
    name=CLOSE_EXPIRED_TASK, queue="default", queueing_lock=CLOSE_EXPIRED_TASK, pass_context=False
)
def close_expired_attempts_job(timestamp: int) -> None:
    """Every minute; each batch is one transaction, and a failed run is redone next minute."""
    while True:
        with session_scope() as session:
            closed = close_expired_attempts(session)
        if closed:
            log.info("submitted %d expired attempt(s)", closed)
        if closed < EXPIRED_BATCH:
            return
