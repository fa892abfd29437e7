"""Search index sync as jobs: enqueued by the search outbox with every committed change, and a
periodic drift check that queues them for whatever the outbox could not see.

A Typesense outage delays these jobs and never loses them: they retry until Typesense answers,
every `MAX_RETRY_WAIT_S` at most, and each run reads the state Postgres holds at that moment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from learning_app.adapters.job_queue import waiting_jobs
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import SEARCH_ERRORS, get_typesense
from learning_app.jobs.runner import RetryUntilDone, job_app, run_worker
from learning_app.services.search.drift import part_to_check, requeue_drift
from learning_app.services.search.index import default_index, sync_entity, sync_synonyms
from learning_app.services.search.outbox import SEARCH_QUEUE, SYNC_ENTITY_TASK, SYNC_SYNONYMS_TASK

log = logging.getLogger(__name__)

DRIFT_CHECK_TASK = "search.drift_check"
DRIFT_CHECK_EVERY_S = 600  # the cron below: each run compares the next part of the catalogue


@job_app.task(name=SYNC_ENTITY_TASK, queue=SEARCH_QUEUE, retry=RetryUntilDone(), pass_context=False)
def sync_entity_job(entity: str, entity_id: str) -> None:
    with session_scope() as session:
        sync_entity(session, default_index(), entity, entity_id)


@job_app.task(
    name=SYNC_SYNONYMS_TASK, queue=SEARCH_QUEUE, retry=RetryUntilDone(), pass_context=False
)
def sync_synonyms_job() -> None:
    with session_scope() as session:
        sync_synonyms(session, default_index())


@job_app.periodic(cron="*/10 * * * *", periodic_id="search-drift-check")
@job_app.task(
    name=DRIFT_CHECK_TASK,
    queue=SEARCH_QUEUE,
    queueing_lock=DRIFT_CHECK_TASK,
    pass_context=False,
)
def drift_check_job(timestamp: int) -> None:
    """Every 10 minutes: sync jobs for what the index has wrong in the next part of the
    catalogue (see `services.search.drift`). Not retried: while Typesense is down the sync jobs
    wait anyway, and the next check comes."""
    index = default_index()
    try:
        part = part_to_check(index, timestamp // DRIFT_CHECK_EVERY_S)
        with session_scope() as session:
            repair = requeue_drift(session, index, part)
    except SEARCH_ERRORS as exc:
        log.warning("search drift check skipped: the search index is unreachable (%s)", exc)
        return
    if not repair.clean:
        log.warning("search index differed from Postgres: %s", repair.summary())


@dataclass(frozen=True)
class SearchUpdates:
    """The search sync jobs after `apply_search_updates`."""

    waiting: int  # still queued: the index could not take them now
    unreachable: str  # why the index could not be used ("" when it could)


def _index_unreachable() -> str:
    try:
        return "" if get_typesense().operations.is_healthy() else "it is not healthy yet"
    except SEARCH_ERRORS as exc:
        return str(exc) or type(exc).__name__


def apply_search_updates() -> SearchUpdates:
    """Run the search sync jobs that are due, in this process, and say how many still wait.

    For commands that change searchable content outside the app (the CLI): no worker may be
    running, and the command should end with the index up to date. When Typesense cannot be
    reached the jobs are left queued, untried; a worker applies them once it answers.
    """
    unreachable = _index_unreachable()
    if not unreachable:
        run_worker(queues=[SEARCH_QUEUE], wait=False)
    with session_scope() as session:
        waiting = len(waiting_jobs(session, SEARCH_QUEUE))
    return SearchUpdates(waiting, unreachable)
