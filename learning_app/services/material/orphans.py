"""Objects in S3 that no document names: found by a periodic sweep and deleted by the durable
delete job.

Every path that stores an object writes its `document` row right after the put, and every path
that drops a row queues the object's deletion in the same transaction. What can still leave an
object behind is a process or a database lost between the put and the row: an upload killed
after its put, or a cartridge import whose Postgres went away before it could queue the clean-up
of the objects it had written. Nothing reads such an object, but it holds storage (and a
course's deleted material) for good, so `sweep_orphan_objects` lists the material prefix,
keeps the objects older than `ORPHAN_AFTER` (an upload in flight has put its object but not yet
committed its row) and queues the deletion of those no row names. The delete job checks again
that no row names the key when it runs, so an identical file uploaded meanwhile keeps its
object.

Listing every object every hour would grow with the material kept (a listing request and a
query per 1,000 objects; LIST is also what R2 bills most for). The hourly job lists one of
`SWEEP_PARTS` parts instead: the keys whose course id starts with one hex digit (course ids are
random), the next digit each hour, so every object is looked at every 16 hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from learning_app.adapters.postgres import session_scope
from learning_app.adapters.s3_store import ObjectStore
from learning_app.models.base import utc_now
from learning_app.models.documents import Document
from learning_app.services.material.work_queue import delete_object_later

MATERIAL_PREFIX = "material/"
SWEEP_PARTS = 16  # one per first hex digit of the course id in the key
# Far longer than any upload's put-to-commit (seconds) or a cartridge import (minutes).
ORPHAN_AFTER = timedelta(hours=6)


def sweep_part_prefix(part: int | None) -> str:
    """The key prefix of sweep part `part` (0-15), or of all material (None)."""
    return MATERIAL_PREFIX if part is None else f"{MATERIAL_PREFIX}{part % SWEEP_PARTS:x}"


def _old_keys(s3: ObjectStore, bucket: str, prefix: str, cutoff: datetime) -> Iterator[list[str]]:
    """The keys under `prefix` last written before `cutoff`, a listing page at a time (at
    most 1,000 keys)."""
    token: str | None = None
    while True:
        page = s3.list_objects_v2(
            Bucket=bucket,
            Prefix=prefix,
            **({"ContinuationToken": token} if token else {}),
        )
        yield [o["Key"] for o in page.get("Contents", []) if o["LastModified"] < cutoff]
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return


def key_in_use(session: Session, key: str) -> bool:
    return session.exec(select(Document.id).where(Document.s3_key == key)).first() is not None


def sweep_orphan_objects(
    s3: ObjectStore,
    bucket: str,
    *,
    now: datetime | None = None,
    older_than: timedelta = ORPHAN_AFTER,
    part: int | None = None,
) -> int:
    """Queue the deletion of every material object (of sweep part `part`, None: all) older
    than `older_than` that no document row names; returns how many were queued. One short
    transaction per listing page."""
    cutoff = (now or utc_now()) - older_than
    queued = 0
    for keys in _old_keys(s3, bucket, sweep_part_prefix(part), cutoff):
        if not keys:
            continue
        with session_scope() as session:
            named = set(session.exec(select(Document.s3_key).where(col(Document.s3_key).in_(keys))))
            for key in keys:
                if key not in named:
                    delete_object_later(session, key)
                    queued += 1
    return queued
