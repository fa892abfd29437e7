"""`learning-app bench histories`: recomputing the stats of students with long histories.

The flush recomputes the stats of every student in its batch, every few seconds. The bench
makes N students (default 200, a batch's worth at 200 students online) with M events each
(default 5,000, a year of daily use: a lesson in 50 viewed and completed, every day of the
year active), all generated inside Postgres, derives their digests once, then times the
flush's recompute (from the digests) against deriving everything again from the events. The
students and their events are deleted at the end.
"""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from learning_app.adapters.postgres import session_scope
from learning_app.bench.bulk import generate
from learning_app.bench.stats import p50_p95
from learning_app.services.progress.user_stats import recompute_user_stats

_FIXTURE = [
    """INSERT INTO "user" (id, email)
       SELECT id, 'bench-' || :tag || '-' || id || '@bench.invalid'
       FROM unnest(CAST(:ids AS uuid[])) id""",
    """INSERT INTO user_profile (user_id, display_name)
       SELECT id, 'Bench student' FROM unnest(CAST(:ids AS uuid[])) id""",
    # Event g of a student: lessons viewed and completed in turn, one day of the year each.
    """INSERT INTO analytics_event (id, name, user_id, context, occurred_at)
       SELECT gen_random_uuid(),
              (ARRAY['lesson_viewed', 'lesson_completed', 'question_answered'])[1 + g % 3],
              id, jsonb_build_object('lesson_id', (g % 50)::text),
              now() - (g % 365) * interval '1 day' - random() * interval '2 hours'
       FROM unnest(CAST(:ids AS uuid[])) id, generate_series(1, :each) g""",
]
_CLEANUP = [
    "DELETE FROM analytics_event WHERE user_id = ANY(CAST(:ids AS uuid[]))",
    """DELETE FROM "user" WHERE id = ANY(CAST(:ids AS uuid[]))""",
]


def _timed(ids: list[uuid.UUID], samples: int, *, rebuild: bool) -> list[float]:
    times = []
    for _ in range(samples):
        with session_scope() as session:
            start = time.perf_counter()
            recompute_user_stats(session, ids, rebuild=rebuild)
            times.append((time.perf_counter() - start) * 1000)
    return times


def run_histories_bench(*, students: int, events_each: int, samples: int) -> dict[str, float]:
    ids = [uuid.uuid4() for _ in range(students)]
    params = {"tag": uuid.uuid4().hex[:8], "ids": ids, "each": events_each}
    result: dict[str, float] = {"students": students, "events_each": events_each}
    try:
        result["generate_s"] = generate([*_FIXTURE, "ANALYZE analytics_event"], params)
        from_events = _timed(ids, samples, rebuild=True)  # the first derives the digests
        from_digests = _timed(ids, samples, rebuild=False)
    finally:
        with session_scope() as session:
            for statement in _CLEANUP:
                session.execute(sa.text(statement), params)
    result.update(p50_p95("digests", from_digests))
    result.update(p50_p95("events", from_events))
    result["events_over_digests"] = round(
        result["events_p50_ms"] / max(result["digests_p50_ms"], 0.01), 1
    )
    return result
