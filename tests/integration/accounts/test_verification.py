"""What an account may do before its email is verified (issue 15, finding 5): read, enrol and
practise, but not sit a graded exam or ask the tutor; verifying opens both."""

from __future__ import annotations

import pytest

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.models.users import UserRole
from learning_app.services.access.roles import unverified_message
from learning_app.services.accounts import links, users
from learning_app.services.attempts import results, taking
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.tutor import answering
from tests.integration.accounts.helpers import IP, PASSWORD, link_token, sign_in
from tests.integration.exams.helpers import exam_of, true_false_question
from tests.integration.hostile.world import fingerprint
from tests.integration.people import new_course, new_lesson, person, publish

GRADED = unverified_message("take quizzes and final exams")
TUTOR = unverified_message("ask the tutor")


def _course_with_exams(teacher: str) -> tuple[str, str, str, str]:
    """A published course with a lesson, a quiz and a practice exam: their ids."""
    course = new_course(teacher, "Tides")
    lesson = new_lesson(teacher, course, "The moon")
    publish(teacher, course)
    question = true_false_question(teacher, course)
    quiz = exam_of(teacher, course, [question])
    practice = exam_of(teacher, course, [question], title="Practice", type="practice")
    return course, lesson, quiz, practice


def test_an_unverified_account_waits_for_verification_to_sit_graded_exams_or_ask_the_tutor(
    stores: None, s3_bucket: str, email: str
) -> None:
    teacher = person("rosa", UserRole.TEACHER)
    course, lesson, quiz, practice = _course_with_exams(teacher)
    with session_scope() as session:
        users.sign_up(session, email=email, password=PASSWORD, display_name="Una", client_ip=IP)
    _, token = sign_in(email)  # signing in needs no verification
    with session_scope() as session:
        reading.enroll(session, token=token, course_id=course)
        reading.read_lesson(session, token=token, course_id=course, lesson_id=lesson)
        taking.start_attempt(session, token=token, exam_id=practice)
        intro = results.exam_intro(session, token=token, exam_id=quiz)
    assert (intro.can_start, intro.blocked_reason) == (False, GRADED)

    before = fingerprint()
    refused = {
        "start the quiz": (lambda s: taking.start_attempt(s, token=token, exam_id=quiz), GRADED),
        "start it from its page": (
            lambda s: taking.begin_attempt(s, token=token, exam_id=quiz),
            GRADED,
        ),
        "ask the tutor": (
            lambda s: answering.prepare(
                s, token=token, course_id=course, question="Why tides?", embedder=get_embedder()
            ),
            TUTOR,
        ),
    }
    for action, (call, message) in refused.items():
        with session_scope() as session, pytest.raises(PermissionDenied) as caught:
            call(session)
        assert str(caught.value) == message, action
    assert fingerprint() == before

    with session_scope() as session:
        links.verify_email(session, token=link_token(email, "/auth/verify-email"))
    with session_scope() as session:
        taking.start_attempt(session, token=token, exam_id=quiz)
        answering.prepare(
            session, token=token, course_id=course, question="Why tides?", embedder=get_embedder()
        )
