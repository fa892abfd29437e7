"""Product analytics events: validated, buffered in Redis, flushed to Postgres in bulk.

The hot path (reading a lesson, saving an answer) never inserts an event row. `record_event`
checks the event and pushes one JSON line onto a Redis list; given the caller's session it
waits for that transaction to commit, so a rolled-back action records nothing.

`flush_events` (the `analytics.flush` job every few seconds, or `learning-app events flush`)
moves the buffer to `analytics_event` in batches, crash-safely:

1. an atomic script moves up to a batch of lines from `analytics:buffer` to
   `analytics:processing` (Redis keeps them if we die from here on);
2. one INSERT ... SELECT FROM jsonb_to_recordset(...) ON CONFLICT (id) DO NOTHING stores the
   batch under each event's own UUID and adds the events it stored to the daily roll-ups
   (`progress.rollups`; the events of a closed day queue its recompute instead) and to its
   students' digests (`progress.digests`), and the same transaction recomputes the stats of
   the users in it;
3. after COMMIT the processing list is deleted (the "ack").

A crash before 3 leaves the batch in the processing list; the next flush starts with it, and
the events already stored are skipped by their ids, so nothing is lost and nothing is counted
twice. One flusher runs at a time (a Postgres advisory lock, released by the server if the
flusher's connection dies), so two workers never share the processing list.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import Session

from learning_app.adapters.postgres import get_engine
from learning_app.adapters.redis_store import get_async_redis, get_redis
from learning_app.adapters.unit_slots import after_slot
from learning_app.models.base import utc_now
from learning_app.models.exams import Exam, ExamAttempt
from learning_app.services.progress.digests import DIGEST_BATCH, ZONES, zones_json
from learning_app.services.progress.rollups import (
    ALL_EVENTS,
    CLOSED_DAYS,
    COUNTED_EVENTS,
    ROLLUP_BATCH,
    STORED_COLUMNS,
    lock_rollups,
    queue_day_recompute,
)
from learning_app.services.progress.user_stats import recompute_user_stats, zones_of

log = logging.getLogger(__name__)

# Every event the product records; anything else is refused.
EVENT_NAMES = frozenset(
    {
        "lesson_viewed",
        "lesson_completed",
        "exam_started",
        "question_answered",
        "exam_completed",
        "search_performed",
        "tutor_asked",
        "share_opened",
        "document_uploaded",
        "card_reviewed",
        "review_session_completed",
    }
)
MAX_CONTEXT_BYTES = 4096
BUFFER_KEY = "analytics:buffer"
PROCESSING_KEY = "analytics:processing"
FLUSH_BATCH = 2000
# Any fixed bigint names the lock; this one spells "analytic".
FLUSH_LOCK_ID = 0x616E616C79746963
_PENDING_KEY = "analytics_pending_events"

# Move up to ARGV[1] lines from the buffer's tail to the processing list, atomically.
_CLAIM_SCRIPT = """
local moved = 0
for _ = 1, tonumber(ARGV[1]) do
  if not redis.call('RPOPLPUSH', KEYS[1], KEYS[2]) then break end
  moved = moved + 1
end
return moved
"""

# One statement stores the batch and adds what is new in it to the daily roll-ups and to its
# students' digests, reading only its own rows (`progress.rollups`, `progress.digests`). It
# returns each user's count of newly stored events (NULL: events without a user), and on every
# row the closed days the batch had events of (`rollups.CLOSED_DAYS`).
_STORE_BATCH = sa.text(
    f"""
    WITH {ZONES},
    stored AS (
        INSERT INTO analytics_event (id, name, user_id, course_id, context, occurred_at,
                                     received_at)
        SELECT e.id, e.name, u.id, c.id, e.context, e.occurred_at, now()
        FROM jsonb_to_recordset(CAST(:batch AS jsonb)) AS e(
            id uuid, name text, user_id uuid, course_id uuid, context jsonb,
            occurred_at timestamptz)
        -- A user or course deleted while its event waited in the buffer: keep the event, as
        -- ON DELETE SET NULL would have.
        LEFT JOIN "user" u ON u.id = e.user_id
        LEFT JOIN course c ON c.id = e.course_id
        ON CONFLICT (id) DO NOTHING
        RETURNING {STORED_COLUMNS}
    ),
    {COUNTED_EVENTS},
    {ROLLUP_BATCH},
    {DIGEST_BATCH}
    SELECT user_id, count(*) AS events, {CLOSED_DAYS} AS closed_days
    FROM stored GROUP BY user_id
    """  # noqa: S608 - module constants joined, nothing from input
)


class InvalidEvent(ValueError):
    """An event the product does not know, or whose context is not small JSON."""


def _id_text(value: uuid.UUID | str | None) -> str | None:
    return str(uuid.UUID(str(value))) if value else None


def build_event(
    name: str,
    *,
    user_id: uuid.UUID | str | None,
    course_id: uuid.UUID | str | None,
    context: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> str:
    """The buffer line for an event; InvalidEvent says what is wrong with it."""
    if name not in EVENT_NAMES:
        raise InvalidEvent(f"unknown event name {name!r}")
    if context is not None and not isinstance(context, Mapping):
        raise InvalidEvent(f"{name}: context must be an object, not {type(context).__name__}")
    try:
        context_json = json.dumps(dict(context or {}), separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"{name}: context is not JSON-serialisable ({exc})") from None
    size = len(context_json.encode())
    if size > MAX_CONTEXT_BYTES:
        raise InvalidEvent(f"{name}: context is {size} bytes, over {MAX_CONTEXT_BYTES}")
    try:
        user, course = _id_text(user_id), _id_text(course_id)
    except ValueError:
        raise InvalidEvent(f"{name}: user_id and course_id must be UUIDs") from None
    moment = occurred_at or utc_now()
    return (
        f'{{"id":"{uuid.uuid4()}","name":"{name}","user_id":{json.dumps(user)},'
        f'"course_id":{json.dumps(course)},"context":{context_json},'
        f'"occurred_at":"{moment.isoformat()}"}}'
    )


# The lines a unit of work on the event loop recorded, which its caller buffers once the unit
# has returned (`lines_kept_in`, `buffer_kept`).
_kept_for_caller: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "analytics_kept_for_caller", default=None
)


def _push(lines: list[str]) -> None:
    """Buffer the lines in Redis; in a unit of work, once it has given its slot back, or by
    its caller on the event loop."""
    kept = _kept_for_caller.get()
    if kept is not None:
        kept.extend(lines)
        return
    after_slot(functools.partial(_push_now, lines))


def _push_now(lines: list[str]) -> None:
    try:
        get_redis().lpush(BUFFER_KEY, *lines)
    except Exception:
        _not_buffered(lines)


def _not_buffered(lines: list[str]) -> None:
    # Analytics never fails the student's action; the lost lines are named in the log.
    log.exception("analytics: could not buffer %d event(s): %s", len(lines), lines)


def lines_kept_in(unit_context: contextvars.Context) -> list[str]:
    """The list that collects the events a unit of work running in `unit_context` records,
    for its caller to `buffer_kept` with the event loop's own client: a unit on the loop
    (`adapters/loop_units.py`) would otherwise hold it for the round trip."""
    kept: list[str] = []
    unit_context.run(_kept_for_caller.set, kept)
    return kept


async def buffer_kept(lines: list[str]) -> None:
    """Buffer what a unit recorded (`lines_kept_in`), once it has returned."""
    if not lines:
        return
    try:
        await get_async_redis().lpush(BUFFER_KEY, *lines)
    except Exception:
        _not_buffered(lines)


def _push_pending(session: Session) -> None:
    lines = session.info.pop(_PENDING_KEY, [])
    if lines:
        _push(lines)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def _pending_lines(session: Session) -> list[str]:
    if _PENDING_KEY not in session.info:
        if not event.contains(session, "after_commit", _push_pending):
            event.listen(session, "after_commit", _push_pending)
            event.listen(session, "after_rollback", _drop_pending)
        session.info[_PENDING_KEY] = []
    return session.info[_PENDING_KEY]


def record_event(
    name: str,
    *,
    user_id: uuid.UUID | str | None,
    course_id: uuid.UUID | str | None,
    context: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
    session: Session | None = None,
) -> bool:
    """Buffer one event; with `session`, only once its transaction commits.

    Returns False (and logs why) for an event that is refused; never raises into the action
    that records it.
    """
    try:
        line = build_event(
            name, user_id=user_id, course_id=course_id, context=context, occurred_at=occurred_at
        )
    except InvalidEvent as exc:
        log.warning("analytics: event rejected: %s", exc)
        return False
    if session is None:
        _push([line])
    else:
        _pending_lines(session).append(line)
    return True


def record_attempt_completed(
    session: Session, attempt: ExamAttempt, exam: Exam, *, by_student: bool = True
) -> bool:
    """`exam_completed` for a submitted or (re)graded attempt; the latest one per attempt
    counts, so an essay marked later updates the student's figures. A teacher's mark is not
    the student's activity (`by_student` false): it never extends their streak or makes them
    a day's active student."""
    return record_event(
        "exam_completed",
        user_id=attempt.user_id,
        course_id=exam.course_id,
        context={
            "exam_id": str(exam.id),
            "attempt_id": str(attempt.id),
            "status": str(attempt.status),
            "percent": attempt.percent,
            "passed": attempt.passed,
            "auto_submitted": attempt.auto_submitted,
            "by_student": by_student,
        },
        session=session,
    )


# --- flushing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlushResult:
    batches: int = 0
    received: int = 0  # lines taken from the buffer (including leftovers of a crashed flush)
    stored: int = 0  # new rows (lines already stored before a crash are not counted again)
    rejected: int = 0  # unreadable lines, logged and dropped
    skipped: bool = False  # another flusher held the lock


def _claim_batch(limit: int) -> tuple[list[str], bool]:
    """The lines to store next: a crashed flush's leftovers first (True), else a new batch."""
    redis = get_redis()
    leftover = redis.lrange(PROCESSING_KEY, 0, -1)
    if leftover:
        log.info("analytics: resuming %d event(s) of an interrupted flush", len(leftover))
        return list(leftover), True
    redis.eval(_CLAIM_SCRIPT, 2, BUFFER_KEY, PROCESSING_KEY, limit)
    return list(redis.lrange(PROCESSING_KEY, 0, -1)), False


def _readable(lines: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
    events, bad = [], 0
    for line in lines:
        try:
            item = json.loads(line)
            if item.get("name") not in EVENT_NAMES or not isinstance(item.get("context"), dict):
                raise ValueError("not an event")
            events.append(item)
        except (ValueError, AttributeError):
            bad += 1
            log.warning("analytics: dropping an unreadable buffered line: %.200s", line)
    return events, bad


def _user_ids(events: list[dict[str, Any]]) -> list[uuid.UUID]:
    """The batch's users (a line without one names none)."""
    found = set()
    for item in events:
        try:
            found.add(uuid.UUID(str(item["user_id"])))
        except (KeyError, ValueError, TypeError):
            continue
    return sorted(found)


def _store_batch(events: list[dict[str, Any]]) -> int:
    """Insert the batch, add it to the daily roll-ups and to its users' digests, and refresh
    their stats, in one transaction; returns how many events were new."""
    if not events:
        return 0
    with Session(get_engine()) as session, session.begin():
        lock_rollups(session)
        zones = zones_of(session, _user_ids(events))
        params = {"batch": json.dumps(events), "all_events": ALL_EVENTS, "zones": zones_json(zones)}
        stored = session.execute(_STORE_BATCH, params).all()
        for day in (stored[0].closed_days or []) if stored else []:
            queue_day_recompute(session, day)
        users = {row.user_id for row in stored if row.user_id is not None}
        if users:
            recompute_user_stats(session, users, zones=zones)
    return sum(row.events for row in stored)


def _ack() -> None:
    get_redis().delete(PROCESSING_KEY)


def _try_lock(conn: Connection) -> bool:
    return bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(FLUSH_LOCK_ID))).scalar())


def flush_events(*, batch_size: int = FLUSH_BATCH, max_batches: int | None = None) -> FlushResult:
    """Move buffered events to Postgres in batches of `batch_size`, until one comes back
    short (it emptied the buffer) or after `max_batches`.

    What arrived while the short batch was stored waits for the next flush. Going on would
    store a handful of new events at a time under load, each batch paying the whole
    transaction (the roll-ups' lock, the students' zones, their stats): 4 batches a flush at
    the median and up to 27 at 320 students, before this stopped."""
    batches = received = stored = rejected = 0
    with get_engine().connect() as lock_conn:
        locked = _try_lock(lock_conn)
        lock_conn.commit()  # the session-level lock outlives this transaction
        if not locked:
            return FlushResult(skipped=True)
        try:
            while max_batches is None or batches < max_batches:
                lines, resumed = _claim_batch(batch_size)
                if not lines:
                    break
                events, bad = _readable(lines)
                stored += _store_batch(events)
                _ack()
                batches, received, rejected = batches + 1, received + len(lines), rejected + bad
                if not resumed and len(lines) < batch_size:
                    break
        finally:
            lock_conn.execute(sa.select(sa.func.pg_advisory_unlock(FLUSH_LOCK_ID)))
            lock_conn.commit()
    if received:
        log.info(
            "analytics: flushed %d event(s), %d new, in %d batch(es)", received, stored, batches
        )
    return FlushResult(batches, received, stored, rejected)


def buffered_count() -> int:
    """Events waiting in Redis (buffer and an interrupted batch)."""
    redis = get_redis()
    return int(redis.llen(BUFFER_KEY)) + int(redis.llen(PROCESSING_KEY))
