"""`learning-app bench review`: the review page's two calls on 5 million memory states.

The world (`review_world`: 10,000 students x 500 `review_card` rows by default) is generated
in Postgres, or found if a run with `--keep` left one of the same size. A sample of its
students (200 by default) signs in through the accounts service, as a browser would. Then,
round after round, one student:

- opens the page: `due_queue` (session lookup, time zone, the due states and the new cards),
  in its own transaction with the page's timeouts, as `call_with_session` runs it;
- the same query part alone, `due_entries`, in its own transaction (the yardstick: what the
  service adds on top is the session lookup and the zone);
- rates one flashcard of that queue, due or new, with `rate_flashcard` (row lock, FSRS, the
  log row, the update or the new memory state, the commit and the analytics event after it).

Calls run one at a time in this process, so the figures are latencies, not throughput. The
service and the bare query alternate which goes first, so neither always finds the other's
pages in the cache. Timings follow a few unmeasured warm-up rounds.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.bench.review_world import ReviewWorld, drop_world, find_or_load_world
from learning_app.bench.stats import p50_p95, percentile
from learning_app.models.base import utc_now
from learning_app.services.accounts import sessions
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.review.queue import QueueEntry, due_entries, due_queue, today_in
from learning_app.services.review.reviews import rate_flashcard
from learning_app.services.time_zones import user_zone
from learning_app.settings import get_settings

WARMUP_ROUNDS = 20
# Again, Hard, Good, Easy: mostly Good, as in real review logs.
RATING_WEIGHTS = (10, 15, 65, 10)
T = TypeVar("T")

_SAMPLE = sa.text(
    """
    SELECT u.id, p.timezone FROM "user" u JOIN user_profile p ON p.user_id = u.id
    WHERE u.email LIKE :pattern ORDER BY random() LIMIT :n
    """
)
_CARD_STATES = sa.text(
    """
    SELECT count(*) FROM review_card
    WHERE course_id IN (SELECT id FROM course WHERE slug LIKE :pattern)
    """
)


def _timed(call: Callable[..., T], *args: object, **kwargs: object) -> tuple[T, float]:
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1000


def _page_call(func: Callable[..., T], **kwargs: object) -> T:
    """One service call in its own transaction, with the timeouts the pages use."""
    settings = get_settings()
    with session_scope(
        lock_timeout_s=settings.interactive_lock_timeout_seconds,
        statement_timeout_s=settings.interactive_statement_timeout_seconds,
    ) as session:
        return func(session, **kwargs)


def _raw_entries(user_id: uuid.UUID, zone: str) -> list[QueueEntry]:
    student = Viewer(str(user_id), "", "", "student", email_verified=True)
    with session_scope() as session:
        return due_entries(session, student, today_in(user_zone(zone), utc_now()))


def _measure(world: ReviewWorld, *, signed_in: int, samples: int) -> dict[str, object]:
    with session_scope() as session:
        pattern = f"{world.prefix}s%"
        students = session.execute(_SAMPLE, {"pattern": pattern, "n": signed_in}).all()
        card_states = session.execute(_CARD_STATES, {"pattern": f"{world.prefix}%"}).scalar()
    tokens = [
        sessions.create_session(row.id, client_ip="127.0.0.1", user_agent="bench review")
        for row in students
    ]
    picker = random.Random(19)  # noqa: S311 - ratings and durations to send, not secrets
    queue_ms: list[float] = []
    raw_ms: list[float] = []
    review_ms: list[float] = []
    first_ms: list[float] = []  # the reviews that created their memory state
    due_counts: list[int] = []
    queue_sizes: list[int] = []
    try:
        for n in range(WARMUP_ROUNDS + samples):
            row, token = students[n % len(students)], tokens[n % len(tokens)]
            measured = n >= WARMUP_ROUNDS
            raw_first = n % 2 == 1
            if raw_first:
                _, raw = _timed(_raw_entries, row.id, row.timezone)
            queue, spent = _timed(_page_call, due_queue, token=token)
            if not raw_first:
                _, raw = _timed(_raw_entries, row.id, row.timezone)
            # Any flashcard of the queue, due or new, so first reviews (which create the
            # memory state) come in the proportion a sitting has them (~1 in 3).
            cards = [e for e in queue if e.flashcard_id is not None]
            entry = picker.choice(cards) if cards else None
            if measured:
                queue_ms.append(spent)
                raw_ms.append(raw)
                due_counts.append(sum(e.review_card_id is not None for e in queue))
                queue_sizes.append(len(queue))
            if entry is None:
                continue
            rating = picker.choices((1, 2, 3, 4), weights=RATING_WEIGHTS)[0]
            outcome, spent = _timed(
                _page_call,
                rate_flashcard,
                token=token,
                entry=entry,
                rating=rating,
                duration_ms=picker.randint(2_000, 15_000),
            )
            if not outcome.counted:
                raise RuntimeError(f"a fresh review was not counted: {entry}")
            if measured:
                review_ms.append(spent)
                if entry.review_card_id is None:
                    first_ms.append(spent)
    finally:
        for token in tokens:
            sessions.end_session(token)
    figures: dict[str, object] = {
        "card_states": int(card_states or 0),
        "signed_in": len(tokens),
        "samples": len(queue_ms),
        "reviews": len(review_ms),
        "first_reviews": len(first_ms),
        "due_mean": round(statistics.fmean(due_counts), 1) if due_counts else 0.0,
        "queue_mean": round(statistics.fmean(queue_sizes), 1) if queue_sizes else 0.0,
        **p50_p95("queue", queue_ms, 2),
        **p50_p95("raw", raw_ms, 2),
        **p50_p95("review", review_ms, 2),
        **p50_p95("first_review", first_ms, 2),
    }
    # What the service adds on top of its query: the session lookup and the student's zone.
    queue_p95, raw_p95 = percentile(queue_ms, 0.95), percentile(raw_ms, 0.95)
    figures["ratio_p95"] = round(queue_p95 / max(raw_p95, 0.01), 2)
    return figures


def run_review_bench(
    *, students: int, cards_per_student: int, signed_in: int, samples: int, keep: bool
) -> dict[str, object]:
    """Load (or find) the world, measure, and delete the world unless `keep`."""
    if signed_in < 1 or samples < 1:
        raise ValueError("sign in at least one student and time at least one round")
    world = find_or_load_world(students, cards_per_student)
    result: dict[str, object] = {
        "students": students,
        "cards_per_student": cards_per_student,
        "reused": world.reused,
        "load_s": world.load_s,
        "vacuum_s": world.vacuum_s,
    }
    try:
        result.update(_measure(world, signed_in=signed_in, samples=samples))
    finally:
        result["drop_s"] = 0.0 if keep else drop_world(world.key)
    return result
