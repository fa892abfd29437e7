"""Hostile input, through the same services the pages, states and CLI call: each case must end
in a clear error (a DomainError whose message is one short line that does not echo the input)
and leave every store exactly as it was (see `hostile_world.fingerprint`).

Forged ids are what a tampered state event carries: the states pass route segments and form
values to these services unchanged, with the caller's session token.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session

from learning_app.adapters.embeddings import get_embedder
from learning_app.adapters.postgres import session_scope
from learning_app.services.attempts import essay_grading, taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.courses import lessons, reading
from learning_app.services.errors import DomainError
from learning_app.services.exams.authoring import DrawRuleDraft, ExamQuestionDraft
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from learning_app.services.search import queries
from learning_app.services.search.results import SearchFilters
from learning_app.services.sharing import links
from learning_app.services.tutor import answering
from tests.integration.hostile import actions as act
from tests.integration.hostile.world import (
    EMOJI,
    HUGE,
    NUL,
    RANDOM_UUID,
    RTL,
    SQLISH,
    ZERO_WIDTH,
    World,
    fingerprint,
)

_ips = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@dataclass(frozen=True)
class Case:
    id: str
    action: Callable[[Session, World], Any]


CASES = [
    # sign-up and sign-in
    Case("signup-email-nul", act.sign_up(email="a\x00b@example.com")),
    Case("signup-email-100k", act.sign_up(email=HUGE + "@example.com")),
    Case("signup-email-sqlish", act.sign_up(email=SQLISH)),
    Case("signup-email-emoji-only", act.sign_up(email=EMOJI)),
    Case("signup-password-100k", act.sign_up(password=HUGE)),
    Case("signup-password-short", act.sign_up(password="short")),
    Case("signup-name-zero-width", act.sign_up(name=ZERO_WIDTH)),
    Case("signup-name-100k", act.sign_up(name=HUGE)),
    Case("signup-name-nul", act.sign_up(name=NUL)),
    Case("signin-password-100k", act.sign_in("ada@example.com", HUGE)),
    Case("signin-email-sqlish", act.sign_in(SQLISH)),
    Case("signin-email-nul", act.sign_in("ada\x00@example.com")),
    Case("signin-wrong-password", act.sign_in("ada@example.com", "wrong password!")),
    # courses and lessons
    Case("course-title-empty", act.new_course("")),
    Case("course-title-zero-width", act.new_course(ZERO_WIDTH)),
    Case("course-title-100k", act.new_course(HUGE)),
    Case("course-title-nul", act.new_course(NUL)),
    Case("course-title-rtl", act.new_course(RTL)),
    Case("course-description-100k", act.new_course("Ok", HUGE * 2)),
    Case("course-description-nul", act.new_course("Ok", NUL)),
    Case(
        "course-update-random-uuid",
        lambda s, w: courses_authoring.update_course(
            s, token=w.owner, course_id=RANDOM_UUID, title="T", description="", is_public=False
        ),
    ),
    Case(
        "course-update-sqlish-id",
        lambda s, w: courses_authoring.update_course(
            s, token=w.owner, course_id=SQLISH, title="T", description="", is_public=False
        ),
    ),
    Case(
        "course-update-other-teachers",
        lambda s, w: courses_authoring.update_course(
            s,
            token=w.owner,
            course_id=w.other_course,
            title="Mine now",
            description="",
            is_public=False,
        ),
    ),
    Case(
        "student-creates-course",
        lambda s, w: courses_authoring.create_course(
            s, token=w.student, title="Mine", description=""
        ),
    ),
    Case("lesson-title-100k", act.new_lesson(title=HUGE)),
    Case("lesson-title-nul", act.new_lesson(title=NUL)),
    Case("lesson-body-nul", act.new_lesson(body="# Hi\n" + NUL)),
    Case("lesson-body-too-long", act.new_lesson(body=HUGE * 20)),
    Case("lesson-summary-100k", act.new_lesson(summary=HUGE)),
    Case(
        "lesson-in-other-teachers-course",
        lambda s, w: lessons.create_lesson(
            s, token=w.owner, course_id=w.other_course, title="Sneaky", body_markdown=""
        ),
    ),
    Case(
        "lesson-of-other-course-read",
        lambda s, w: reading.read_lesson(
            s, token=w.student, course_id=w.course, lesson_id=w.other_lesson
        ),
    ),
    Case(
        "lesson-of-other-course-completed",
        lambda s, w: reading.mark_lesson_complete(
            s, token=w.student, course_id=w.course, lesson_id=w.other_lesson
        ),
    ),
    Case(
        "lesson-of-other-teacher-attached",
        lambda s, w: lessons.attach_lesson(
            s, token=w.owner, course_id=w.course, lesson_id=w.other_lesson
        ),
    ),
    Case(
        "lesson-reorder-with-foreign-id",
        lambda s, w: lessons.reorder_lessons(
            s, token=w.owner, course_id=w.course, lesson_ids=[w.other_lesson, w.lesson]
        ),
    ),
    Case("enroll-non-uuid", lambda s, w: reading.enroll(s, token=w.student, course_id="../etc")),
    # questions
    Case("question-prompt-empty", act.question(prompt=ZERO_WIDTH)),
    Case("question-prompt-100k", act.question(prompt=HUGE)),
    Case("question-prompt-nul", act.question(prompt=NUL)),
    Case("question-type-sqlish", act.question(type=SQLISH)),
    Case("question-points-nan", act.question(points="NaN")),
    Case("question-points-inf", act.question(points="1e309")),
    Case("question-points-negative", act.question(points="-3")),
    Case("question-numeric-nan", act.question(type="numeric", numeric_answer="nan")),
    Case(
        "question-no-correct-option",
        act.question(type="single_choice", options=[OptionDraft("a"), OptionDraft("b")]),
    ),
    Case(
        "question-option-nul",
        act.question(type="single_choice", options=[OptionDraft(NUL, True), OptionDraft("b")]),
    ),
    Case("question-tag-100k", act.question(tags=[HUGE])),
    Case("question-accepted-answer-nul", act.question(accepted_answers=[NUL])),
    Case(
        "question-update-other-course",
        lambda s, w: question_bank.update_question(
            s, token=w.owner, question_id=w.other_question, draft=QuestionDraft("essay", "Mine")
        ),
    ),
    # exams
    Case("exam-title-empty", act.exam(title=ZERO_WIDTH)),
    Case("exam-title-nul", act.exam(title=NUL)),
    Case("exam-time-limit-negative", act.exam(time_limit_minutes="-5")),
    Case("exam-time-limit-huge", act.exam(time_limit_minutes="1e12")),
    Case("exam-passing-score-nan", act.exam(passing_score="NaN")),
    Case("exam-opens-garbage", act.exam(opens_at=SQLISH)),
    Case(
        "exam-closes-before-opens",
        act.exam(opens_at="2030-01-02T10:00", closes_at="2030-01-01T10:00"),
    ),
    Case("exam-type-bogus", act.exam(type="midterm")),
    Case("exam-feedback-bogus", act.exam(feedback_policy=SQLISH)),
    Case(
        "exam-question-of-other-course",
        lambda s, w: act.exam(questions=[ExamQuestionDraft(w.other_question)])(s, w),
    ),
    Case("exam-draw-negative", act.exam(draws=[DrawRuleDraft("tides", "-1")])),
    Case("exam-question-non-uuid", act.exam(questions=[ExamQuestionDraft(EMOJI)])),
    # attempts and answers
    Case(
        "attempt-start-random-uuid",
        lambda s, w: taking.start_attempt(s, token=w.student, exam_id=RANDOM_UUID),
    ),
    Case(
        "attempt-start-sqlish",
        lambda s, w: taking.start_attempt(s, token=w.student, exam_id=SQLISH),
    ),
    Case(
        "attempt-read-another-students",
        lambda s, w: taking.get_attempt(s, token=w.student, attempt_id=w.other_attempt),
    ),
    Case(
        "attempt-submit-another-students",
        lambda s, w: taking.submit_attempt(s, token=w.student, attempt_id=w.other_attempt),
    ),
    Case(
        "answer-another-students-attempt",
        lambda s, w: act.answer("essay", {"text": "Mine"}, attempt=w.other_attempt)(s, w),
    ),
    Case("answer-question-not-in-attempt", act.answer("other_question", {"text": "x"})),
    Case("answer-option-of-another-question", act.answer("single", {"option_id": RANDOM_UUID})),
    Case("answer-option-wrong-type", act.answer("single", {"option_id": ["a", "b"]})),
    Case("answer-essay-too-long", act.answer("essay", {"text": HUGE * 2})),
    Case("answer-essay-nul", act.answer("essay", {"text": NUL})),
    Case("answer-numeric-nan", act.answer("numeric", {"value": "NaN"})),
    Case("answer-numeric-sqlish", act.answer("numeric", {"value": SQLISH})),
    Case("answer-essay-not-a-string", act.answer("essay", {"text": {"$gt": ""}})),
    Case(
        "answer-forged-token",
        lambda s, w: taking.save_answer(
            s, token=SQLISH, attempt_id=w.attempt, question_id=w.essay, response={"text": "x"}
        ),
    ),
    Case(
        "grade-random-answer",
        lambda s, w: essay_grading.grade_essay_answer(
            s, token=w.owner, answer_id=RANDOM_UUID, points="1"
        ),
    ),
    # share links
    Case("share-token-random", act.open_link("A" * 43)),
    Case("share-token-nul", act.open_link("abc\x00def")),
    Case("share-token-100k", act.open_link(HUGE)),
    Case("share-token-sqlish", act.open_link(SQLISH)),
    Case("share-token-rtl", act.open_link(RTL)),
    Case(
        "share-lesson-of-other-course",
        lambda s, w: links.open_share_link(
            s, raw_token=w.share_token, client_ip=act.ip(), lesson_id=w.other_lesson
        ),
    ),
    Case(
        "share-create-expiry-negative",
        lambda s, w: links.create_share_link(
            s, token=w.owner, entity_type="course", entity_id=w.course, expires_in_days="-1"
        ),
    ),
    Case(
        "share-create-entity-bogus",
        lambda s, w: links.create_share_link(
            s, token=w.owner, entity_type=SQLISH, entity_id=w.course
        ),
    ),
    Case(
        "share-create-other-teachers",
        lambda s, w: links.create_share_link(
            s, token=w.owner, entity_type="course", entity_id=w.other_course
        ),
    ),
    # uploads
    Case("upload-text-named-pdf", act.upload("notes.pdf", b"just text, not a PDF")),
    Case("upload-binary-junk", act.upload("junk.md", bytes(range(256)) * 4)),
    Case("upload-empty", act.upload("empty.md", b"")),
    Case("upload-over-the-limit", act.upload("big.md", b"x" * 64, max_bytes=32)),
    Case(
        "upload-other-teachers-course",
        lambda s, w: act.upload("a.md", b"# A\n", course=w.other_course)(s, w),
    ),
    Case("upload-course-non-uuid", act.upload("a.md", b"# A\n", course=SQLISH)),
    Case("upload-as-visitor", act.page_upload(None)),
    Case("upload-as-enrolled-student", act.page_upload("student")),
    Case("upload-as-other-teacher", act.page_upload("other_teacher")),
    Case("upload-course-sqlish-permit", act.page_upload("owner", course=SQLISH)),
    Case(
        "upload-over-quota-while-streaming",
        act.with_quota(100, act.page_upload("owner", b"#" * 200)),
    ),
    Case(
        "upload-over-quota-before-storing", act.with_quota(100, act.upload("a.md", b"# A\n" * 50))
    ),
    # the tutor
    Case(
        "tutor-question-100k",
        lambda s, w: answering.prepare(
            s, token=w.student, course_id=w.course, question=HUGE, embedder=get_embedder()
        ),
    ),
    Case(
        "tutor-question-zero-width",
        lambda s, w: answering.prepare(
            s, token=w.student, course_id=w.course, question=ZERO_WIDTH, embedder=get_embedder()
        ),
    ),
    Case(
        "tutor-other-course",
        lambda s, w: answering.prepare(
            s, token=w.student, course_id=w.other_course, question="Lava?", embedder=get_embedder()
        ),
    ),
    # search facets (queries themselves are cleaned, not refused: see below)
    Case(
        "search-filter-course-sqlish",
        lambda s, w: queries.search(
            s, token=None, query="tides", filters=SearchFilters(course_id=SQLISH)
        ),
    ),
    Case(
        "search-filter-type-bogus",
        lambda s, w: queries.search(
            s, token=None, query="tides", filters=SearchFilters(type=SQLISH)
        ),
    ),
]


def _assert_clear(error: DomainError) -> None:
    message = str(error)
    assert message and "\n" not in message and len(message) <= 200, message
    assert "Traceback" not in message and "\x00" not in message


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_gets_a_clear_error_and_changes_nothing(case: Case, world: World) -> None:
    before = fingerprint()
    with pytest.raises(DomainError) as caught, session_scope() as session:
        case.action(session, world)
    _assert_clear(caught.value)
    assert fingerprint() == before
