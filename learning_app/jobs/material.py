"""Course material as background jobs: ingesting lessons and documents, deleting S3 objects,
and sweeping abandoned upload spools and objects no document names.

Services enqueue these in their own transaction (`services.material.work_queue`), so a lesson
save or an upload that rolls back leaves no job, and one that commits is never forgotten. Every
task is idempotent (see `services.material.ingestion`), which is what makes the retries below
safe.
"""

from __future__ import annotations

import logging
import uuid

import procrastinate

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import get_s3
from learning_app.jobs.runner import job_app
from learning_app.services.material import ingestion, orphans, spool
from learning_app.services.material.work_queue import (
    DELETE_OBJECT_TASK,
    INGEST_DOCUMENT_TASK,
    INGEST_LESSON_TASK,
    MATERIAL_QUEUE,
)
from learning_app.settings import get_settings

log = logging.getLogger(__name__)

# A job whose worker stopped sending heartbeats this long ago died mid-run (killed, OOM).
STALLED_AFTER_S = 120

# S3 or the embedding provider briefly down: 2, 4, 8 ... s, about 1 h in all.
MATERIAL_RETRY = procrastinate.RetryStrategy(max_attempts=12, exponential_wait=2)


@job_app.task(
    name=INGEST_DOCUMENT_TASK, queue=MATERIAL_QUEUE, retry=MATERIAL_RETRY, pass_context=False
)
def ingest_document_job(document_id: str) -> None:
    status = ingestion.ingest_document(
        uuid.UUID(document_id), get_embedder(), get_s3(), pending_only=True
    )
    log.info("document %s ingested: %s", document_id, status.value)


@job_app.task(
    name=INGEST_LESSON_TASK, queue=MATERIAL_QUEUE, retry=MATERIAL_RETRY, pass_context=False
)
def ingest_lesson_job(lesson_id: str) -> None:
    ingestion.ingest_lesson(uuid.UUID(lesson_id), get_embedder())


@job_app.task(
    name=DELETE_OBJECT_TASK, queue=MATERIAL_QUEUE, retry=MATERIAL_RETRY, pass_context=False
)
def delete_object_job(s3_key: str) -> None:
    # A row naming the key again means the same file was uploaded since (objects are keyed by
    # content): its object stays. Deleting a missing key succeeds in S3, so a repeated job is
    # harmless.
    with session_scope() as session:
        if orphans.key_in_use(session, s3_key):
            log.info("object %s is in use again: kept", s3_key)
            return
    get_s3().delete_object(Bucket=get_settings().s3_bucket, Key=s3_key)


@job_app.periodic(cron="17 * * * *", periodic_id="sweep-orphan-objects")
@job_app.task(
    name="material.sweep_orphans",
    queue=MATERIAL_QUEUE,
    queueing_lock="material.sweep_orphans",
    retry=MATERIAL_RETRY,
    pass_context=False,
)
def sweep_orphan_objects_job(timestamp: int) -> None:
    """Hourly, one part of the material a run: objects no document names, left by a process
    or a database lost between an object's put and its row (see `services.material.orphans`)."""
    part = timestamp // 3600 % orphans.SWEEP_PARTS
    queued = orphans.sweep_orphan_objects(get_s3(), get_settings().s3_bucket, part=part)
    if queued:
        log.warning("queued the deletion of %d orphan object(s)", queued)


@job_app.periodic(cron="* * * * *", periodic_id="retry-stalled-material-jobs")
@job_app.task(
    name="material.retry_stalled",
    queue=MATERIAL_QUEUE,
    queueing_lock="material.retry_stalled",
    pass_context=False,
)
async def retry_stalled_jobs(timestamp: int) -> None:
    await retry_stalled_material_jobs(STALLED_AFTER_S)


async def retry_stalled_material_jobs(seconds_since_heartbeat: float) -> int:
    """A worker killed mid-ingest leaves its job `doing` forever; run such jobs again (they
    replace their source's chunks in one transaction, so nothing is duplicated). Returns how
    many were queued again."""
    stalled = list(
        await job_app.job_manager.get_stalled_jobs(
            queue=MATERIAL_QUEUE, seconds_since_heartbeat=seconds_since_heartbeat
        )
    )
    for job in stalled:
        log.warning("retrying stalled job %s (%s)", job.id, job.task_name)
        await job_app.job_manager.retry_job(job)
    return len(stalled)


@job_app.periodic(cron="*/10 * * * *", periodic_id="sweep-abandoned-uploads")
@job_app.task(
    name="material.sweep_uploads",
    queue=MATERIAL_QUEUE,
    queueing_lock="material.sweep_uploads",
    pass_context=False,
)
def sweep_abandoned_uploads(timestamp: int) -> None:
    """Upload spools untouched for an hour: a process killed mid-upload never removed them.
    (It sweeps the folder of the machine whose worker runs it.)"""
    spool.sweep_stale_spools(spool.STALE_AFTER_S)
