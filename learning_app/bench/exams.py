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
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlmodel import col, select

from learning_app.adapters.postgres import dispose_engines, session_scope
from learning_app.bench.stats import percentile
from learning_app.models import (
    Course,
    CourseTeacher,
    CourseTeacherRole,
    Enrollment,
    Exam,
    ExamAttempt,
    ExamQuestion,
    ExamType,
    PublishStatus,
    Question,
    QuestionOption,
    QuestionType,
    User,
    UserProfile,
    UserRole,
)
from learning_app.models.base import utc_now
from learning_app.services import attempts, sessions

ANSWERS_PER_STUDENT = 10
THREADS_PER_PROCESS = 24


@dataclass(frozen=True)
class Fixture:
    exam_id: str
    course_id: str
    user_ids: list[uuid.UUID]
    tokens: list[str]
    # question id -> a response that grades as correct
    responses: dict[str, dict[str, object]]


def _question_rows(course_id: uuid.UUID) -> tuple[list[dict], list[dict], dict[str, dict]]:
    """Ten questions alternating single choice, numeric and short answer."""
    questions, options, responses = [], [], {}
    for i in range(ANSWERS_PER_STUDENT):
        qid = uuid.uuid4()
        kind = (QuestionType.SINGLE_CHOICE, QuestionType.NUMERIC, QuestionType.SHORT_ANSWER)[i % 3]
        row: dict[str, object] = {
            "id": qid,
            "course_id": course_id,
            "type": kind,
            "prompt_markdown": f"Question {i + 1}",
            "accepted_answers": None,
            "numeric_answer": None,
        }
        if kind is QuestionType.SINGLE_CHOICE:
            right = uuid.uuid4()
            options += [
                {
                    "id": right,
                    "question_id": qid,
                    "body": "right",
                    "is_correct": True,
                    "position": 0,
                },
                {"id": uuid.uuid4(), "question_id": qid, "body": "wrong", "position": 1},
            ]
            responses[str(qid)] = {"option_id": str(right)}
        elif kind is QuestionType.NUMERIC:
            row["numeric_answer"] = float(i)
            responses[str(qid)] = {"value": str(i)}
        else:
            row["accepted_answers"] = ["yes"]
            responses[str(qid)] = {"text": "Yes"}
        questions.append(row)
    for option in options:
        option.setdefault("is_correct", False)
    return questions, options, responses


def create_fixture(students: int) -> Fixture:
    tag = uuid.uuid4().hex[:8]
    now = utc_now()
    teacher_id, course_id, exam_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    user_ids = [uuid.uuid4() for _ in range(students)]
    questions, options, responses = _question_rows(course_id)
    with session_scope() as session:
        session.execute(
            insert(User),
            [
                {"id": uid, "email": f"bench-{tag}-{n}@example.test"}
                for n, uid in enumerate([teacher_id, *user_ids])
            ],
        )
        session.execute(
            insert(UserProfile),
            [{"user_id": teacher_id, "role": UserRole.TEACHER, "display_name": "Bench teacher"}]
            + [
                {"user_id": uid, "role": UserRole.STUDENT, "display_name": f"Student {n}"}
                for n, uid in enumerate(user_ids)
            ],
        )
        session.add(
            Course(
                id=course_id,
                owner_id=teacher_id,
                title=f"Bench course {tag}",
                slug=f"bench-{tag}",
                status=PublishStatus.PUBLISHED,
                published_at=now,
            )
        )
        session.flush()
        session.add(
            CourseTeacher(course_id=course_id, user_id=teacher_id, role=CourseTeacherRole.OWNER)
        )
        session.execute(insert(Question), questions)
        session.execute(insert(QuestionOption), options)
        session.add(
            Exam(
                id=exam_id,
                course_id=course_id,
                title="Bench final",
                type=ExamType.FINAL,
                time_limit_minutes=60,
                shuffle_questions=True,
                shuffle_options=True,
                status=PublishStatus.PUBLISHED,
                published_at=now,
            )
        )
        session.flush()
        session.execute(
            insert(ExamQuestion),
            [
                {"exam_id": exam_id, "question_id": q["id"], "position": i}
                for i, q in enumerate(questions)
            ],
        )
        session.execute(
            insert(Enrollment), [{"course_id": course_id, "user_id": uid} for uid in user_ids]
        )
    tokens = [
        sessions.create_session(uid, client_ip="127.0.0.1", user_agent="bench exams")
        for uid in user_ids
    ]
    return Fixture(str(exam_id), str(course_id), user_ids, tokens, responses)


def drop_fixture(fixture: Fixture) -> None:
    for token in fixture.tokens:
        sessions.end_session(token)
    with session_scope() as session:
        exam_id, course_id = uuid.UUID(fixture.exam_id), uuid.UUID(fixture.course_id)
        session.execute(delete(ExamAttempt).where(col(ExamAttempt.exam_id) == exam_id))
        teacher = session.exec(select(Course.owner_id).where(Course.id == course_id)).one()
        session.execute(delete(Course).where(col(Course.id) == course_id))
        session.execute(delete(User).where(col(User.id).in_([teacher, *fixture.user_ids])))


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

    view = timed("start", attempts.start_attempt, token=token, exam_id=exam_id)
    if not isinstance(view, attempts.AttemptView):
        return samples
    for line in view.questions:
        timed(
            "save",
            attempts.save_answer,
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
    fixture = create_fixture(students)
    dispose_engines()
    try:
        begin = time.time() + 1.0
        arrivals = [(t, begin + window_s * i / students) for i, t in enumerate(fixture.tokens)]
        jobs = [
            (arrivals[p::processes], fixture.exam_id, fixture.responses) for p in range(processes)
        ]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            samples = [s for chunk in pool.map(_process, jobs) for s in chunk]
        elapsed = time.time() - begin
    finally:
        drop_fixture(fixture)
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
