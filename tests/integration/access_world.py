"""The world the access-control matrix (`test_access_matrix.py`) runs every action in.

An owner teacher's published (not public) course with a published and a draft lesson, a
question bank, a published quiz and practice exam, an enrolled student's submitted attempt with
an essay awaiting a mark and a share link; and a caller of each kind, by current role x
relationship to the course: a visitor, a student, the enrolled student, an enrolled student
who never verified their email, another teacher, a co-teacher the owner removed and one an
admin demoted to student (each wrote a published lesson of the course while teaching it), the
owner and an admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import SQLModel

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.adapters.redis_store import get_redis
from learning_app.models.users import UserRole
from learning_app.services.admin import user_roles
from learning_app.services.attempts import essay_grading, taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import reading
from learning_app.services.questions import bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from learning_app.services.sharing import links
from tests.integration.exams.helpers import exam_of, run
from tests.integration.people import (
    new_course,
    new_lesson,
    person,
    publish,
    unverified_person,
    user_id,
)

# Each kind of caller, by current role x relationship to the course (`World.tokens`).
CALLERS = (
    "visitor",
    "student",
    "enrolled",
    "unverified",
    "other_teacher",
    "removed_co_teacher",
    "demoted_teacher",
    "owner",
    "admin",
)


@dataclass(frozen=True)
class World:
    tokens: dict[str, str | None]
    course: str
    lesson: str
    draft_lesson: str
    removed_co_teachers_lesson: str
    demoted_teachers_lesson: str
    question: str
    exam: str
    practice_exam: str
    attempt: str
    essay_answer: str
    link: str
    student_user: str


def build_world() -> World:
    """Every caller and thing above, made through the services."""
    tokens: dict[str, str | None] = {
        "visitor": None,
        "student": person("sam"),
        "enrolled": person("ada"),
        "unverified": unverified_person("una"),
        "other_teacher": person("grace", UserRole.TEACHER),
        "removed_co_teacher": person("mei", UserRole.TEACHER),
        "demoted_teacher": person("otto", UserRole.TEACHER),
        "owner": person("rosa", UserRole.TEACHER),
        "admin": person("root", UserRole.ADMIN),
    }
    owner, enrolled, admin = tokens["owner"], tokens["enrolled"], tokens["admin"]
    removed, demoted = tokens["removed_co_teacher"], tokens["demoted_teacher"]
    assert owner and enrolled and admin and removed and demoted and tokens["unverified"]
    course = new_course(owner, "Matrix")
    lesson = new_lesson(owner, course, "Open lesson")
    draft_lesson = new_lesson(owner, course, "Draft lesson", publish=False)
    with session_scope() as session:
        for name in ("mei", "otto"):
            courses_authoring.add_co_teacher(
                session, token=owner, course_id=course, email=f"{name}@example.com"
            )
    removed_lesson = new_lesson(removed, course, "Mei's lesson")
    demoted_lesson = new_lesson(demoted, course, "Otto's lesson")
    publish(owner, course)
    with session_scope() as session:
        courses_authoring.remove_co_teacher(
            session, token=owner, course_id=course, user_id=user_id(removed)
        )
        user_roles.set_role(session, token=admin, user_id=user_id(demoted), role="student")
    with session_scope() as session:
        reading.enroll(session, token=enrolled, course_id=course)
        reading.enroll(session, token=tokens["unverified"], course_id=course)
    pick = QuestionDraft(
        type="single_choice", prompt="Pick", options=[OptionDraft("a", True), OptionDraft("b")]
    )
    single = run(bank.create_question, token=owner, course_id=course, draft=pick).id
    essay_draft = QuestionDraft(type="essay", prompt="Why")
    essay = run(bank.create_question, token=owner, course_id=course, draft=essay_draft).id
    exam = exam_of(owner, course, [single, essay])
    practice = exam_of(owner, course, [single], title="Practice", type="practice")
    with session_scope() as session:
        view = taking.start_attempt(session, token=enrolled, exam_id=exam)
        taking.save_answer(
            session,
            token=enrolled,
            attempt_id=view.attempt_id,
            question_id=essay,
            response={"text": "Because."},
        )
    with session_scope() as session:
        taking.submit_attempt(session, token=enrolled, attempt_id=view.attempt_id)
        pending = essay_grading.pending_essays(session, token=owner)
        link = links.create_share_link(session, token=owner, entity_type="course", entity_id=course)
        student_user = user_roles.list_users(session, token=tokens["admin"], query="sam@")[0]
    return World(
        tokens=tokens,
        course=course,
        lesson=lesson,
        draft_lesson=draft_lesson,
        removed_co_teachers_lesson=removed_lesson,
        demoted_teachers_lesson=demoted_lesson,
        question=single,
        exam=exam,
        practice_exam=practice,
        attempt=view.attempt_id,
        essay_answer=pending[0].answer_id,
        link=link.link.id,
        student_user=student_user.user_id,
    )


def world_in_empty_stores(database: str) -> Iterator[World]:
    """The world, built in emptied stores (a module-scoped fixture of the tests that use it)."""
    with get_engine().begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    get_redis().flushdb()
    yield build_world()
    get_redis().flushdb()
