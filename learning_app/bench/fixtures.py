"""The benchmarks' shared world: a teacher, a published course, questions, exams and enrolled
students, written straight to the configured database with bulk inserts under a unique tag, and
deleted afterwards. Rows written through the ORM still pass the search outbox like any other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, or_, text
from sqlmodel import Session, col, select

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.models.analytics import AnalyticsDaily, AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.models.content import (
    Course,
    CourseTeacher,
    CourseTeacherRole,
    Enrollment,
    Lesson,
    PublishStatus,
)
from learning_app.models.exams import Exam, ExamAttempt, ExamQuestion, ExamType
from learning_app.models.progress import UserStats
from learning_app.models.questions import Question, QuestionOption, QuestionType
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.accounts import sessions
from learning_app.services.progress.events import flush_events

QUESTIONS_PER_EXAM = 10


def vacuum_analyze(tables: Sequence[str]) -> float:
    """VACUUM ANALYZE a bench world's tables, as autovacuum would some minutes after a bulk
    load (the visibility map for index-only scans, fresh statistics for the planner), so that
    it does not run during the timings. Returns the seconds it took."""
    start = time.perf_counter()
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {', '.join(tables)}"))
    return time.perf_counter() - start


@dataclass
class BenchCourse:
    """What a benchmark needs to drive its students; `responses` maps a question id to a
    response that grades as correct."""

    tag: str
    course_id: uuid.UUID
    teacher_id: uuid.UUID
    student_ids: list[uuid.UUID] = field(default_factory=list)
    responses: dict[str, dict[str, object]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)


def question_rows(course_id: uuid.UUID) -> tuple[list[dict], list[dict], dict[str, dict]]:
    """Ten questions alternating single choice, numeric and short answer, with their options
    and a correct response for each."""
    questions, options, responses = [], [], {}
    for i in range(QUESTIONS_PER_EXAM):
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


def create_course(
    session: Session, students: int, *, password_hash: str | None = None
) -> BenchCourse:
    """A teacher, a published course and `students` enrolled students (all with
    `password_hash` when given, so they can sign in), every email verified, as graded exams
    and the tutor require."""
    tag = uuid.uuid4().hex[:8]
    now = utc_now()
    world = BenchCourse(tag, uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(students)])
    people = [world.teacher_id, *world.student_ids]
    session.execute(
        insert(User),
        [
            {
                "id": uid,
                "email": student_email(tag, n),
                "password_hash": password_hash,
                "email_verified_at": now,
            }
            for n, uid in enumerate(people)
        ],
    )
    session.execute(
        insert(UserProfile),
        [{"user_id": world.teacher_id, "role": UserRole.TEACHER, "display_name": "Bench teacher"}]
        + [
            {"user_id": uid, "role": UserRole.STUDENT, "display_name": f"Student {n}"}
            for n, uid in enumerate(world.student_ids)
        ],
    )
    session.execute(insert(UserStats), [{"user_id": uid} for uid in people])
    session.add(
        Course(
            id=world.course_id,
            owner_id=world.teacher_id,
            title=f"Bench course {tag}",
            slug=f"bench-{tag}",
            status=PublishStatus.PUBLISHED,
            published_at=now,
        )
    )
    session.flush()
    session.add(
        CourseTeacher(
            course_id=world.course_id, user_id=world.teacher_id, role=CourseTeacherRole.OWNER
        )
    )
    if world.student_ids:
        session.execute(
            insert(Enrollment),
            [{"course_id": world.course_id, "user_id": uid} for uid in world.student_ids],
        )
    return world


def student_email(tag: str, n: int) -> str:
    """The address of person `n` of a bench world (0 is its teacher)."""
    return f"bench-{tag}-{n}@example.test"


def add_exam(
    session: Session, world: BenchCourse, *, title: str, kind: ExamType, max_attempts: int | None
) -> uuid.UUID:
    """A published, timed exam of ten fresh questions with shuffled questions and options."""
    exam_id = uuid.uuid4()
    questions, options, responses = question_rows(world.course_id)
    session.execute(insert(Question), questions)
    session.execute(insert(QuestionOption), options)
    session.add(
        Exam(
            id=exam_id,
            course_id=world.course_id,
            title=title,
            type=kind,
            time_limit_minutes=60,
            max_attempts=max_attempts,
            shuffle_questions=True,
            shuffle_options=True,
            status=PublishStatus.PUBLISHED,
            published_at=utc_now(),
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
    world.responses.update(responses)
    return exam_id


def start_sessions(
    world: BenchCourse, user_agent: str, user_ids: list[uuid.UUID] | None = None
) -> list[str]:
    """A signed-in session for each student (all by default), as a browser holds after signing
    in; returns the new session ids, which `drop_course` ends."""
    tokens = [
        sessions.create_session(uid, client_ip="127.0.0.1", user_agent=user_agent)
        for uid in (world.student_ids if user_ids is None else user_ids)
    ]
    world.tokens += tokens
    return tokens


def drop_course(world: BenchCourse) -> None:
    """Delete the world: sessions, its analytics events, attempts, the course (its questions,
    exams and enrolments cascade), the teacher's lessons, then the people.

    The events go too, once the buffer is flushed (so that none of the world's arrives after
    it): kept, with their user and course set to NULL, they stayed in the day's recompute
    (`learning-app events rollup`), and deleting the people set each one to NULL first. The
    course's daily roll-ups go with them; the site-wide rows keep the world's searches, as
    they keep any deleted course's history."""
    for token in world.tokens:
        sessions.end_session(token)
    flush_events()
    people = [world.teacher_id, *world.student_ids]
    with session_scope() as session:
        session.execute(
            delete(AnalyticsEvent).where(
                or_(
                    col(AnalyticsEvent.course_id) == world.course_id,
                    col(AnalyticsEvent.user_id).in_(people),
                )
            )
        )
        session.execute(
            delete(AnalyticsDaily).where(col(AnalyticsDaily.course_id) == world.course_id)
        )
        exam_ids = select(Exam.id).where(col(Exam.course_id) == world.course_id)
        session.execute(delete(ExamAttempt).where(col(ExamAttempt.exam_id).in_(exam_ids)))
        session.execute(delete(Course).where(col(Course.id) == world.course_id))
        session.execute(delete(Lesson).where(col(Lesson.owner_id) == world.teacher_id))
        session.execute(delete(User).where(col(User.id).in_(people)))
