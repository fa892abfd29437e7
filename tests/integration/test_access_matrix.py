"""Every service action, for every kind of caller, against one table of who may do what.

The world (`access_world.py`) is built once. Callers differ by current role x relationship to
the course: besides the plain ones, a co-teacher an admin then demoted to student, a co-teacher
the owner then removed, and an enrolled student who never verified their email. Rights come
from the role as it is now, a lesson's author has none of their own while it sits in a course,
and graded exams and the tutor wait for a verified email. Each (action, caller) pair runs in its
own transaction that is rolled back afterwards, so no case sees another's writes. An allowed
pair must succeed; a denied pair must raise PermissionDenied or NotFound (never another error,
never success). A denial is judged before anything is written: the rollback makes that
invisible here, so the services' "check first, then write" order is what holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import get_engine
from learning_app.services.admin import user_roles
from learning_app.services.attempts import essay_grading, results, taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import lessons, reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams import listing
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.material import documents
from learning_app.services.questions import bank, generation
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from learning_app.services.sharing import links
from learning_app.services.tutor import answering
from learning_app.settings import reset_settings_cache
from tests.integration.access_world import CALLERS, World, world_in_empty_stores

EDITORS = {"owner", "admin"}
READERS = {"enrolled", "unverified", "owner", "admin"}
# Graded work and the tutor wait for a verified email; an attempt is read by its own student.
VERIFIED_READERS = READERS - {"unverified"}


world = pytest.fixture(scope="module")(world_in_empty_stores)


Action = Callable[[Session, str | None, World], Any]
SINGLE = QuestionDraft(
    type="single_choice", prompt="New", options=[OptionDraft("x", True), OptionDraft("y")]
)

# action -> (what it does, the callers allowed)
MATRIX: dict[str, tuple[Action, set[str]]] = {
    "read course outline": (
        lambda s, t, w: reading.course_outline(s, token=t, course_id=w.course),
        set(CALLERS),  # a published course's outline is its public syllabus
    ),
    "read a published lesson": (
        lambda s, t, w: reading.read_lesson(s, token=t, course_id=w.course, lesson_id=w.lesson),
        READERS,
    ),
    "read a draft lesson": (
        lambda s, t, w: reading.read_lesson(
            s, token=t, course_id=w.course, lesson_id=w.draft_lesson
        ),
        EDITORS,
    ),
    "enrol": (
        lambda s, t, w: reading.enroll(s, token=t, course_id=w.course),
        set(CALLERS) - {"visitor"},  # a teacher may enrol to see the course as students do
    ),
    "update the course": (
        lambda s, t, w: courses_authoring.update_course(
            s, token=t, course_id=w.course, title="Renamed", description="", is_public=True
        ),
        EDITORS,
    ),
    "unpublish the course": (
        lambda s, t, w: courses_authoring.unpublish_course(s, token=t, course_id=w.course),
        EDITORS,
    ),
    "add a co-teacher": (
        lambda s, t, w: courses_authoring.add_co_teacher(
            s, token=t, course_id=w.course, email="grace@example.com"
        ),
        EDITORS,
    ),
    "create a lesson": (
        lambda s, t, w: lessons.create_lesson(
            s, token=t, course_id=w.course, title="New", body_markdown=""
        ),
        EDITORS,
    ),
    "edit a lesson": (
        lambda s, t, w: lessons.update_lesson(
            s, token=t, lesson_id=w.lesson, title="Edited", body_markdown="", summary=""
        ),
        EDITORS,
    ),
    "publish the draft lesson": (
        lambda s, t, w: lessons.publish_lesson(s, token=t, lesson_id=w.draft_lesson),
        EDITORS,
    ),
    "edit a lesson a removed co-teacher wrote": (
        lambda s, t, w: lessons.update_lesson(
            s,
            token=t,
            lesson_id=w.removed_co_teachers_lesson,
            title="Edited",
            body_markdown="",
            summary="",
        ),
        EDITORS,  # not its author: writing it gave no right of its own
    ),
    "unpublish a lesson a removed co-teacher wrote": (
        lambda s, t, w: lessons.unpublish_lesson(
            s, token=t, lesson_id=w.removed_co_teachers_lesson
        ),
        EDITORS,
    ),
    "unpublish a lesson a demoted teacher wrote": (
        lambda s, t, w: lessons.unpublish_lesson(s, token=t, lesson_id=w.demoted_teachers_lesson),
        EDITORS,  # the demoted teacher's course_teacher row is kept, and counts for nothing
    ),
    "delete a lesson": (
        lambda s, t, w: lessons.delete_lesson(s, token=t, lesson_id=w.lesson),
        EDITORS,
    ),
    "start an upload to the course": (
        lambda s, t, w: documents.upload_permit(s, token=t, course_id=w.course),
        EDITORS,  # asked before a byte of the upload is spooled
    ),
    "list the question bank": (
        lambda s, t, w: bank.list_question_bank(s, token=t, course_id=w.course),
        EDITORS,
    ),
    "create a question": (
        lambda s, t, w: bank.create_question(s, token=t, course_id=w.course, draft=SINGLE),
        EDITORS,
    ),
    "edit a question": (
        lambda s, t, w: bank.update_question(
            s, token=t, question_id=w.question, draft=replace(SINGLE, points=2)
        ),
        set(),  # shown in an attempt: its points and answers are locked even for its teachers
    ),
    "archive a question": (
        lambda s, t, w: bank.set_question_archived(
            s, token=t, question_id=w.question, archived=True
        ),
        EDITORS,
    ),
    "list what questions can be drafted from": (
        lambda s, t, w: generation.drafting_sources(s, token=t, course_id=w.course),
        EDITORS,
    ),
    "read a lesson to draft questions from": (
        lambda s, t, w: generation.drafting_source(
            s, token=t, course_id=w.course, source_key=f"lesson:{w.draft_lesson}", count=3
        ),
        EDITORS,
    ),
    "create an exam": (
        lambda s, t, w: exams_authoring.save_exam(
            s,
            token=t,
            course_id=w.course,
            draft=ExamDraft(title="X", questions=[ExamQuestionDraft(w.question)]),
        ),
        EDITORS,
    ),
    "open an exam in the editor": (
        lambda s, t, w: exams_authoring.get_exam_for_editing(s, token=t, exam_id=w.exam),
        EDITORS,
    ),
    "unpublish an exam": (
        lambda s, t, w: exams_authoring.set_exam_published(
            s, token=t, exam_id=w.exam, published=False
        ),
        EDITORS,
    ),
    "list the course's exams": (
        lambda s, t, w: listing.list_course_exams(s, token=t, course_id=w.course),
        READERS,
    ),
    "start the exam": (
        lambda s, t, w: taking.start_attempt(s, token=t, exam_id=w.exam),
        {"enrolled"},
    ),
    "start the exam from its page": (
        lambda s, t, w: taking.begin_attempt(s, token=t, exam_id=w.exam),
        {"enrolled"},
    ),
    "start the practice exam": (
        lambda s, t, w: taking.start_attempt(s, token=t, exam_id=w.practice_exam),
        {"enrolled", "unverified"},  # practice counts towards no grade: open before verifying
    ),
    "ask the tutor": (
        lambda s, t, w: answering.prepare(
            s, token=t, course_id=w.course, question="Why?", embedder=get_embedder()
        ),
        VERIFIED_READERS,
    ),
    "read the attempt's result": (
        lambda s, t, w: results.attempt_result(s, token=t, attempt_id=w.attempt),
        VERIFIED_READERS,  # the enrolled student's own attempt, and its course's editors
    ),
    "save an answer to the attempt": (
        lambda s, t, w: taking.save_answer(
            s, token=t, attempt_id=w.attempt, question_id=w.question, response={"option_id": "x"}
        ),
        set(),  # submitted: nobody, and nobody else's ever
    ),
    "submit the attempt": (
        lambda s, t, w: taking.submit_attempt(s, token=t, attempt_id=w.attempt),
        {"enrolled"},  # a repeat submit returns the graded result
    ),
    "list the course's essays to grade": (
        lambda s, t, w: essay_grading.pending_essays(s, token=t, course_id=w.course),
        EDITORS,
    ),
    "grade the essay": (
        lambda s, t, w: essay_grading.grade_essay_answer(
            s, token=t, answer_id=w.essay_answer, points=1
        ),
        EDITORS,
    ),
    "share the course": (
        lambda s, t, w: links.create_share_link(
            s, token=t, entity_type="course", entity_id=w.course
        ),
        EDITORS,
    ),
    "list the course's share links": (
        lambda s, t, w: links.list_share_links(
            s, token=t, entity_type="course", entity_id=w.course
        ),
        EDITORS,
    ),
    "revoke the share link": (
        lambda s, t, w: links.revoke_share_link(s, token=t, link_id=w.link),
        EDITORS,
    ),
    "delete the course": (
        lambda s, t, w: courses_authoring.delete_course(s, token=t, course_id=w.course),
        set(),  # its exam was taken: grades are kept, so nobody deletes it
    ),
    "list users": (
        lambda s, t, w: user_roles.list_users(s, token=t),
        {"admin"},
    ),
    "make a student a teacher": (
        lambda s, t, w: user_roles.set_role(s, token=t, user_id=w.student_user, role="teacher"),
        {"admin"},
    ),
}

# Actions refused even to callers who pass the permission check, for a reason of their own
# (InvalidInput, with a message): action -> those callers. Everyone else is refused as above.
REFUSED_ON_MERIT: dict[str, set[str]] = {
    "edit a question": EDITORS,
    "save an answer to the attempt": {"enrolled"},
    "delete the course": {"owner", "admin"},
}


@pytest.fixture(autouse=True)
def chat_configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Drafting refuses everyone while no language model is configured; with one configured,
    the matrix decides. No action here calls the model, so the address is never contacted."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    reset_settings_cache()
    yield
    monkeypatch.undo()
    reset_settings_cache()


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", MATRIX)
def test_access(world: World, action: str, caller: str) -> None:
    call, allowed = MATRIX[action]
    token = world.tokens[caller]
    with Session(get_engine()) as session:
        try:
            if caller in allowed:
                call(session, token, world)
            elif caller in REFUSED_ON_MERIT.get(action, set()):
                with pytest.raises(InvalidInput):
                    call(session, token, world)
            else:
                with pytest.raises((PermissionDenied, NotFound)):
                    call(session, token, world)
        finally:
            session.rollback()
