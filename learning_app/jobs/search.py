"""Search index sync as jobs: enqueued by the search outbox with every committed change.

A Typesense outage delays these jobs and never loses them: they retry until Typesense answers,
every `MAX_RETRY_WAIT_S` at most, and each run reads the state Postgres holds at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import procrastinate
from procrastinate.jobs import Job

from learning_app.adapters.job_queue import waiting_jobs
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.typesense_store import SEARCH_ERRORS, get_typesense
from learning_app.jobs.runner import job_app, run_worker
from learning_app.services.search.index import default_index, sync_entity, sync_synonyms
from learning_app.services.search.outbox import SEARCH_QUEUE, SYNC_ENTITY_TASK, SYNC_SYNONYMS_TASK

MAX_RETRY_WAIT_S = 60


class RetryUntilDone(procrastinate.BaseRetryStrategy):
    """1, 2, 4 … seconds between tries, never more than a minute, and no last try: giving up
    would lose the update (a reindex would still repair it, but nobody would know to run it)."""

    def get_retry_decision(
        self, *, exception: BaseException, job: Job
    ) -> procrastinate.RetryDecision:
        wait = min(MAX_RETRY_WAIT_S, 2 ** min(job.attempts, 6))
        return procrastinate.RetryDecision(retry_in={"seconds": wait})


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
