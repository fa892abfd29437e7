"""`learning-app bench exams`: the exam-start spike, through the service layer.

N students (default 500) start the same exam at moments spread evenly over a 10-second window,
and each saves 10 answers right after starting. Every call is a real service call in its own
transaction: session lookup in Redis, permission checks, row locks and writes in Postgres.

Students are split across worker processes (one per core by default, as an app deployment runs
one backend worker per core), each with a pool of threads. The figures are per call: start or
save. The fixture (a teacher, a course, 10 questions, a published exam, N enrolled students)
is written to the configured database under a unique name and deleted afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from learning_app.adapters.postgres import dispose_engines, session_scope
from learning_app.bench.fixtures import (
    BenchCourse,
    add_exam,
    create_course,
    drop_course,
    start_sessions,
)
from learning_app.bench.stats import percentile
from learning_app.models.exams import ExamType
from learning_app.services.attempts import taking

THREADS_PER_PROCESS = 24


def create_fixture(students: int) -> tuple[BenchCourse, str]:
    """N enrolled students, signed in, and the published final exam they will start."""
    with session_scope() as session:
        world = create_course(session, students)
        exam_id = add_exam(
            session, world, title="Bench final", kind=ExamType.FINAL, max_attempts=None
        )
    start_sessions(world, "bench exams")
    return world, str(exam_id)


@dataclass(frozen=True)
class Sample:
    kind: str  # "start" | "save"
    ms: float
    error: str


def _one_student(token: str, exam_id: str, responses: dict[str, dict], at: float) -> list[Sample]:
    time.sleep(max(0.0, at - time.time()))
    samples: list[Sample] = []

    def timed(kind: str, call: object, **kwargs: object) -> object:
        start = time.perf_counter()
        error = ""
        result = None
        try:
            with session_scope() as session:
                result = call(session, **kwargs)  # type: ignore[operator]
        except Exception as exc:  # every failure is counted and reported, none stops the run
            error = f"{type(exc).__name__}: {exc}"
        samples.append(Sample(kind, (time.perf_counter() - start) * 1000, error))
        return result

    view = timed("start", taking.start_attempt, token=token, exam_id=exam_id)
    if not isinstance(view, taking.AttemptView):
        return samples
    for line in view.questions:
        timed(
            "save",
            taking.save_answer,
            token=token,
            attempt_id=view.attempt_id,
            question_id=line.question_id,
            response=responses[line.question_id],
        )
    return samples


def _process(job: tuple[list[tuple[str, float]], str, dict[str, dict]]) -> list[Sample]:
    students, exam_id, responses = job
    dispose_engines()  # a forked child must not share the parent's connections
    with ThreadPoolExecutor(max_workers=THREADS_PER_PROCESS) as pool:
        futures = [pool.submit(_one_student, t, exam_id, responses, at) for t, at in students]
        return [sample for future in futures for sample in future.result()]


def run_exam_spike(students: int = 500, window_s: float = 10.0, processes: int = 0) -> dict:
    processes = processes or os.cpu_count() or 1
    world, exam_id = create_fixture(students)
    dispose_engines()
    try:
        begin = time.time() + 1.0
        arrivals = [(t, begin + window_s * i / students) for i, t in enumerate(world.tokens)]
        jobs = [(arrivals[p::processes], exam_id, world.responses) for p in range(processes)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            samples = [s for chunk in pool.map(_process, jobs) for s in chunk]
        elapsed = time.time() - begin
    finally:
        drop_course(world)
    ok = [s.ms for s in samples if not s.error]
    errors = [s.error for s in samples if s.error]
    by_kind = {
        kind: [s.ms for s in samples if s.kind == kind and not s.error]
        for kind in ("start", "save")
    }
    return {
        "students": students,
        "calls": len(samples),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "elapsed_s": round(elapsed, 2),
        "processes": processes,
        "p50_ms": round(percentile(ok, 0.50), 1),
        "p95_ms": round(percentile(ok, 0.95), 1),
        "start_p95_ms": round(percentile(by_kind["start"], 0.95), 1),
        "save_p95_ms": round(percentile(by_kind["save"], 0.95), 1),
        "mean_ms": round(statistics.fmean(ok), 1) if ok else 0.0,
    }
