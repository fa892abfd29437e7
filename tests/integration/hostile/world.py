"""The world the hostile-input suite attacks, and a fingerprint of everything stored.

Two teachers with a published course each (a lesson, questions, a published exam), two
students enrolled in the first course with an attempt in progress each, and a share link. The
fingerprint covers every app table's full content (md5 of its rows), the job queue, the
analytics buffer in Redis, the objects in the bucket and the files in the upload spool folder:
"no stored change" compares two.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import SQLModel

import learning_app.models  # noqa: F401 - registers every table
from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.adapters.s3_store import get_s3
from learning_app.jobs.runner import job_app
from learning_app.models.users import UserRole
from learning_app.services.attempts import taking
from learning_app.services.courses import reading
from learning_app.services.exams import authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.material.spool import spool_dir
from learning_app.services.progress.events import BUFFER_KEY
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from learning_app.services.sharing import links
from learning_app.settings import get_settings
from tests.integration.people import new_course, new_lesson, person, publish

HUGE = "x" * 100_000
SQLISH = "'; DROP TABLE course; --"
RTL = "\u202egnp.exe"  # right-to-left override: shows as "exe.png"
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
NUL = "bad\x00byte"
EMOJI = "📚🔥"
RANDOM_UUID = "7d1f2a9e-3c4b-4d5e-8f60-718293a4b5c6"


@dataclass(frozen=True)
class World:
    owner: str
    other_teacher: str
    student: str
    other_student: str
    course: str
    other_course: str
    lesson: str
    other_lesson: str
    single: str
    single_option: str
    numeric: str
    essay: str
    other_question: str
    exam: str
    attempt: str
    other_attempt: str
    share_token: str


def _exam(token: str, course: str, question_ids: list[str]) -> str:
    with session_scope() as session:
        exam = authoring.save_exam(
            session,
            token=token,
            course_id=course,
            draft=ExamDraft(title="Quiz", questions=[ExamQuestionDraft(q) for q in question_ids]),
        )
        authoring.set_exam_published(session, token=token, exam_id=exam.id, published=True)
    return exam.id


def build_world() -> World:
    owner, other_teacher = person("rosa", UserRole.TEACHER), person("grace", UserRole.TEACHER)
    student, other_student = person("ada"), person("sam")
    course, other_course = new_course(owner, "Tides"), new_course(other_teacher, "Volcanoes")
    lesson = new_lesson(owner, course, "The moon")
    other_lesson = new_lesson(other_teacher, other_course, "Lava")
    publish(owner, course)
    publish(other_teacher, other_course)
    with session_scope() as session:
        single = question_bank.create_question(
            session,
            token=owner,
            course_id=course,
            draft=QuestionDraft(
                type="single_choice",
                prompt="Pick",
                options=[OptionDraft("a", True), OptionDraft("b")],
            ),
        )
        numeric = question_bank.create_question(
            session,
            token=owner,
            course_id=course,
            draft=QuestionDraft(type="numeric", prompt="How many?", numeric_answer="2"),
        )
        essay = question_bank.create_question(
            session, token=owner, course_id=course, draft=QuestionDraft(type="essay", prompt="Why")
        )
        other_question = question_bank.create_question(
            session,
            token=other_teacher,
            course_id=other_course,
            draft=QuestionDraft(type="essay", prompt="Hot?"),
        )
        link = links.create_share_link(session, token=owner, entity_type="course", entity_id=course)
    exam = _exam(owner, course, [single.id, numeric.id, essay.id])
    started = {}
    for name, token in (("student", student), ("other", other_student)):
        with session_scope() as session:
            reading.enroll(session, token=token, course_id=course)
            started[name] = taking.start_attempt(session, token=token, exam_id=exam).attempt_id
    return World(
        owner=owner,
        other_teacher=other_teacher,
        student=student,
        other_student=other_student,
        course=course,
        other_course=other_course,
        lesson=lesson,
        other_lesson=other_lesson,
        single=single.id,
        single_option=single.options[0].id,
        numeric=numeric.id,
        essay=essay.id,
        other_question=other_question.id,
        exam=exam,
        attempt=started["student"],
        other_attempt=started["other"],
        share_token=link.path.rsplit("/", 1)[-1],
    )


def fingerprint() -> dict[str, object]:
    """Everything a request could have written: app tables, queued jobs, buffered events,
    stored objects and spooled uploads."""
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    query = " UNION ALL ".join(
        f"SELECT '{name}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
        f'FROM "{name}" r'
        for name in tables
    )
    with get_engine().connect() as conn:
        found: dict[str, object] = {str(name): digest for name, digest in conn.execute(text(query))}
        # Periodic tasks are queued by the clock (the session's mail worker runs a deferrer), not
        # by the request under test.
        job_app.perform_import_paths()
        found["procrastinate_jobs"] = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name <> ALL(:periodic)"),
            {"periodic": sorted({name for name, _ in job_app.periodic_registry.periodic_tasks})},
        ).scalar_one()
    found["analytics buffer"] = get_redis().llen(BUFFER_KEY)
    listing = get_s3().list_objects_v2(Bucket=get_settings().s3_bucket, Prefix="material/")
    found["s3 objects"] = sorted(o["Key"] for o in listing.get("Contents", []))
    # Uploads being spooled, or left behind by one that was refused or aborted.
    found["upload spool files"] = sorted(path.name for path in spool_dir().iterdir())
    return found
