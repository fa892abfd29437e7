"""`learning-app bench item-analysis`: the item-analysis page and the gradebook on a large course.

The world (`item_analysis_world`: one exam of 40 questions with 10,000 graded attempts by
2,000 students, plus three more exams they each took once) is generated in Postgres and
deleted at the end. The teacher signs in through the accounts service, as a browser would,
then, one call at a time (latencies, not throughput), each in its own transaction with the
pages' timeouts:

- `analysis`: `exam_item_analysis` as the page calls it, figures kept since the first view
  (the fingerprint query, one Redis GET, the questions' and options' labels);
- `recompute`: the same call with `recompute=True`, which reads all 400,000 answers again: what
  the first view after a change costs (at most once per minute per exam);
- `gradebook`: `course_gradebook` for the course's 2,000 students and 4 exams.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from learning_app.adapters.heap import freeze_heap
from learning_app.adapters.postgres import session_scope
from learning_app.bench.item_analysis_world import drop_world, load_world
from learning_app.bench.stats import p50_p95
from learning_app.services.accounts import sessions
from learning_app.services.exams.gradebook import course_gradebook
from learning_app.services.exams.item_analysis import exam_item_analysis
from learning_app.settings import get_settings

T = TypeVar("T")
WARMUP_ROUNDS = 3


def _page_call(func: Callable[..., T], **kwargs: object) -> tuple[T, float]:
    """One service call in its own transaction, with the pages' timeouts; and its ms."""
    settings = get_settings()
    start = time.perf_counter()
    with session_scope(
        lock_timeout_s=settings.interactive_lock_timeout_seconds,
        statement_timeout_s=settings.interactive_statement_timeout_seconds,
    ) as session:
        result = func(session, **kwargs)
    return result, (time.perf_counter() - start) * 1000


def _timed(samples: int, func: Callable[..., object], **kwargs: object) -> list[float]:
    for _ in range(WARMUP_ROUNDS):
        _page_call(func, **kwargs)
    freeze_heap()  # what an app server does once it has started (learning_app.py)
    return [_page_call(func, **kwargs)[1] for _ in range(samples)]


def run_item_analysis_bench(
    *, students: int, attempts: int, samples: int, recompute_samples: int, gradebook_samples: int
) -> dict[str, object]:
    world = load_world(students=students, attempts=attempts)
    result: dict[str, object] = {
        "students": students,
        "attempts": attempts,
        "load_s": world.load_s,
        "vacuum_s": world.vacuum_s,
    }
    try:
        token = sessions.create_session(world.teacher_id, client_ip="127.0.0.1", user_agent="bench")
        exam = str(world.exam_id)
        analysis, _ = _page_call(exam_item_analysis, token=token, exam_id=exam, recompute=True)
        result["counted"] = analysis.attempts
        result["questions"] = len(analysis.items)
        result["flagged"] = sum(1 for item in analysis.items if item.flags)
        result["alpha"] = analysis.alpha
        result.update(
            p50_p95("analysis", _timed(samples, exam_item_analysis, token=token, exam_id=exam))
        )
        recompute = _timed(
            recompute_samples, exam_item_analysis, token=token, exam_id=exam, recompute=True
        )
        result.update(p50_p95("recompute", recompute))
        book, _ = _page_call(course_gradebook, token=token, course_id=str(world.course_id))
        result["gradebook_students"] = len(book.students)
        gradebook = _timed(
            gradebook_samples, course_gradebook, token=token, course_id=str(world.course_id)
        )
        result.update(p50_p95("gradebook", gradebook))
    finally:
        result["drop_s"] = drop_world(world)
    return result
