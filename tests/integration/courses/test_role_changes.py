"""A teacher an admin demotes to student keeps nothing editable, and gets it all back when the
role is granted again (issue 15, finding 2): the `course_teacher` rows stay, the role decides."""

from __future__ import annotations

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.models.users import UserRole
from learning_app.services.access.courses import NOT_A_TEACHER_NOW
from learning_app.services.admin import user_roles
from learning_app.services.attempts import essay_grading, results, taking
from learning_app.services.courses import authoring, lessons, reading
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.questions import bank
from learning_app.services.questions.bank import QuestionDraft
from tests.integration.hostile.world import fingerprint
from tests.integration.people import new_course, person, publish, user_id


def _essay_awaiting_a_mark(teacher: str, student: str, course: str) -> tuple[str, str]:
    """A published essay exam the student submitted: (attempt id, answer id)."""
    with session_scope() as session:
        essay = bank.create_question(
            session, token=teacher, course_id=course, draft=QuestionDraft("essay", "Why?")
        )
        exam = exams_authoring.save_exam(
            session,
            token=teacher,
            course_id=course,
            draft=ExamDraft(title="Essay", questions=[ExamQuestionDraft(essay.id)]),
        )
        exams_authoring.set_exam_published(session, token=teacher, exam_id=exam.id, published=True)
        reading.enroll(session, token=student, course_id=course)
    with session_scope() as session:
        attempt = taking.start_attempt(session, token=student, exam_id=exam.id).attempt_id
        taking.save_answer(
            session,
            token=student,
            attempt_id=attempt,
            question_id=essay.id,
            response={"text": "Because."},
        )
        taking.submit_attempt(session, token=student, attempt_id=attempt)
    with session_scope() as session:
        [pending] = essay_grading.pending_essays(session, token=teacher)
    return attempt, pending.answer_id


def _set_role(admin: str, teacher: str, role: str) -> None:
    with session_scope() as session:
        user_roles.set_role(session, token=admin, user_id=user_id(teacher), role=role)


def test_a_demoted_teacher_edits_and_grades_nothing_until_the_role_is_granted_again(
    stores: None, s3_bucket: str
) -> None:
    admin, teacher = person("root", UserRole.ADMIN), person("rosa", UserRole.TEACHER)
    student = person("ada")
    course, draft = new_course(teacher, "Tides"), new_course(teacher, "Drafts")
    publish(teacher, course)
    attempt, answer = _essay_awaiting_a_mark(teacher, student, course)
    _set_role(admin, teacher, "student")  # through the admin service, as the admin page does

    before = fingerprint()
    refused = {
        "save the course": lambda s: authoring.update_course(
            s, token=teacher, course_id=course, title="Mine", description="", is_public=True
        ),
        "publish a draft course": lambda s: authoring.publish_course(
            s, token=teacher, course_id=draft
        ),
        "create a lesson": lambda s: lessons.create_lesson(
            s, token=teacher, course_id=course, title="New", body_markdown=""
        ),
        "grade the essay": lambda s: essay_grading.grade_essay_answer(
            s, token=teacher, answer_id=answer, points=1
        ),
    }
    for action, call in refused.items():
        with session_scope() as session, pytest.raises(PermissionDenied) as caught:
            call(session)
        assert str(caught.value) == NOT_A_TEACHER_NOW, action
    with session_scope() as session:
        # Nothing private is listed or readable through the old rows either.
        assert essay_grading.pending_essays(session, token=teacher) == []
        assert reading.list_my_courses(session, token=teacher) == []
        with pytest.raises(NotFound):
            results.attempt_result(session, token=teacher, attempt_id=attempt)
    assert fingerprint() == before

    _set_role(admin, teacher, "teacher")
    with session_scope() as session:
        authoring.update_course(
            session, token=teacher, course_id=course, title="Mine", description="", is_public=True
        )
        essay_grading.grade_essay_answer(session, token=teacher, answer_id=answer, points=1)
        assert {c.id for c in reading.list_my_courses(session, token=teacher)} == {course, draft}
