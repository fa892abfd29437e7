"""Taking exams against the real Postgres and Redis: deadlines, races, limits, privacy."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import select

from learning_app.adapters.postgres import session_scope
from learning_app.models.analytics import AnalyticsEvent
from learning_app.models.base import utc_now
from learning_app.models.exams import AttemptAnswer, ExamAttempt
from learning_app.models.users import User, UserRole
from learning_app.services.attempts import essay_grading, grading, results, taking
from learning_app.services.courses import reading
from learning_app.services.errors import InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.progress.events import flush_events
from learning_app.services.questions import bank as question_bank
from learning_app.state.calls import call_with_session
from tests.integration.exams.helpers import (
    answers_for,
    count,
    exam_of,
    expire,
    run,
    save,
)
from tests.integration.people import person, user_id


def deactivate(token: str) -> None:
    with session_scope() as session:
        session.exec(
            select(User).where(User.id == uuid.UUID(user_id(token)))
        ).one().is_active = False


def the_only_answer() -> dict[str, Any]:
    """The response of the one answer saved (the test fails if there are more)."""
    with session_scope() as session:
        [stored] = session.exec(select(AttemptAnswer)).all()
    return stored.response


# --- taking an exam -------------------------------------------------------------------------


def test_a_student_takes_an_exam_and_a_teacher_grades_the_essay(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(
        teacher, course, [q.id for q in qs.values()], time_limit_minutes=30, max_attempts=2
    )
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    assert view.status == "in_progress" and 29 * 60 < (view.seconds_left or 0) <= 30 * 60
    responses = answers_for(view, qs)
    for question_id, response in responses.items():
        save(student, view.attempt_id, question_id, response)
    reloaded = run(taking.get_attempt, token=student, attempt_id=view.attempt_id)
    assert all(line.answered for line in reloaded.questions)
    numeric = next(line for line in reloaded.questions if line.type == "numeric")
    assert numeric.value == "10.005"

    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    result = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    assert result.status == "awaiting_grading" and result.passed is None
    assert (result.score, result.max_score) == (6.0, 9.0)
    essay = next(a for a in result.answers if a.type == "essay")
    assert essay.awaiting_grading and essay.points_awarded is None
    assert result.feedback_visible and "float" in next(
        a.correct_answer for a in result.answers if a.type == "single_choice"
    )

    queue = run(essay_grading.pending_essays, token=teacher)
    assert [p.essay_text for p in queue] == ["Tests catch regressions."]
    with pytest.raises(InvalidInput, match="between 0 and 3"):
        run(essay_grading.grade_essay_answer, token=teacher, answer_id=queue[0].answer_id, points=4)
    with pytest.raises(PermissionDenied):
        run(essay_grading.grade_essay_answer, token=student, answer_id=queue[0].answer_id, points=3)
    run(
        essay_grading.grade_essay_answer,
        token=teacher,
        answer_id=queue[0].answer_id,
        points="2",
        feedback="Good, but give an example.",
    )
    graded = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    assert (graded.status, graded.score, graded.percent, graded.passed) == (
        "graded",
        8.0,
        88.89,
        True,
    )
    assert next(a for a in graded.answers if a.type == "essay").teacher_feedback.startswith("Good")
    assert run(essay_grading.pending_essays, token=teacher) == []


def test_answers_are_validated_and_bad_ones_are_not_saved(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id, qs["single"].id])
    other_exam = exam_of(teacher, course, [qs["short"].id], title="Other")
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    with pytest.raises(InvalidInput, match="Enter a number"):
        save(student, view.attempt_id, qs["numeric"].id, {"value": "ten"})
    with pytest.raises(InvalidInput, match="not part of this exam"):
        save(student, view.attempt_id, qs["short"].id, {"text": "type"})
    with pytest.raises(InvalidInput, match="Choose one of the options"):
        save(student, view.attempt_id, qs["single"].id, {"option_id": qs["multiple"].options[0].id})
    assert count(AttemptAnswer) == 0
    assert other_exam


def test_a_saved_answer_counts_towards_its_exams_course(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["numeric"].id, {"value": "10"})
    flush_events()
    with session_scope() as session:
        answered = session.exec(
            select(AnalyticsEvent).where(AnalyticsEvent.name == "question_answered")
        ).one()
    assert str(answered.course_id) == course
    assert answered.context == {"attempt_id": view.attempt_id, "question_id": qs["numeric"].id}


def test_an_account_deactivated_mid_exam_can_no_longer_open_answer_or_submit(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    deactivate(student)
    # Its session still resolves, but the attempt's statement also checks the account.
    with pytest.raises(NotFound):
        run(taking.get_attempt, token=student, attempt_id=view.attempt_id)
    with pytest.raises(NotFound):
        save(student, view.attempt_id, qs["numeric"].id, {"value": "10"})
    with pytest.raises(NotFound):
        run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    assert count(AttemptAnswer) == 0
    with session_scope() as session:
        assert session.get(ExamAttempt, uuid.UUID(view.attempt_id)).status == "in_progress"


def test_a_save_is_one_statement_in_autocommit_and_the_remembered_questions_grant_nothing(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id, qs["single"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    asyncio.run(call_with_session(taking.get_attempt, token=student, attempt_id=view.attempt_id))
    sent: list[tuple[bool, str]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append((conn.connection.dbapi_connection.autocommit, statement))

    def answer(token: str, value: str) -> Any:
        return call_with_session(
            taking.save_answer,
            token=token,
            attempt_id=view.attempt_id,
            question_id=qs["numeric"].id,
            response={"value": value},
        )

    event.listen(Engine, "before_cursor_execute", record)
    try:
        saved = asyncio.run(answer(student, "10"))
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert saved.question_id == qs["numeric"].id
    assert [autocommit for autocommit, _ in sent] == [True]  # one statement, no BEGIN/COMMIT
    # The owner's questions, remembered by this worker, are no key for anyone else.
    with pytest.raises(NotFound):
        asyncio.run(answer(person("eve"), "99"))
    assert the_only_answer() == {"value": 10.0}


def test_a_remembered_attempt_still_refuses_an_account_deactivated_since(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["numeric"].id, {"value": "1"})  # its questions are known
    deactivate(student)
    with pytest.raises(NotFound):
        save(student, view.attempt_id, qs["numeric"].id, {"value": "2"})
    assert the_only_answer() == {"value": 1.0}


def test_saves_racing_a_submit_are_counted_or_refused_never_lost(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id, qs["single"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["numeric"].id, {"value": "1"})
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}
    chosen = {"option_id": qs["single"].options[0].id}

    def answer() -> None:
        barrier.wait()
        try:
            save(student, view.attempt_id, qs["single"].id, chosen)
            outcome["save"] = "saved"
        except InvalidInput as exc:
            outcome["save"] = str(exc)

    def submit() -> None:
        barrier.wait()
        run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)

    threads = [threading.Thread(target=answer), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope() as session:
        answers = {str(a.question_id): a for a in session.exec(select(AttemptAnswer)).all()}
    single = answers.get(qs["single"].id)
    if outcome["save"] == "saved":  # before the submit: graded with the rest
        assert single is not None and single.response == chosen and single.graded_at
    else:  # after it: refused, and the grade stands without it
        assert outcome["save"] == taking.ALREADY_SUBMITTED
        assert single is None or single.response != chosen


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_auto_submitted(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["numeric"].id], time_limit_minutes=5)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["numeric"].id, {"value": 10})
    expire(view.attempt_id)
    with pytest.raises(InvalidInput, match="Time is up"):
        save(student, view.attempt_id, qs["single"].id, {"option_id": qs["single"].options[1].id})
    assert count(AttemptAnswer) == 1

    with session_scope() as session:
        assert grading.close_expired_attempts(session) == 1
        attempt = session.get(ExamAttempt, view.attempt_id)
        assert attempt is not None
        assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline_at
    result = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    assert (result.status, result.score, result.max_score) == ("graded", 1.0, 2.0)
    with pytest.raises(InvalidInput, match="already been submitted"):
        save(student, view.attempt_id, qs["numeric"].id, {"value": 10})


def test_reading_an_expired_attempt_submits_it(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], time_limit_minutes=1)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    expire(view.attempt_id)
    assert run(taking.get_attempt, token=student, attempt_id=view.attempt_id).status == "graded"


def test_racing_submits_grade_once(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [q.id for q in qs.values() if q.type != "essay"])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    for question_id, response in answers_for(view, qs).items():
        save(student, view.attempt_id, question_id, response)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit() -> None:
        barrier.wait()
        try:
            run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope() as session:
        attempt = session.get(ExamAttempt, view.attempt_id)
        assert attempt is not None and attempt.status == "graded" and attempt.score == 6.0
        graded_times = session.exec(
            select(func.count(func.distinct(AttemptAnswer.graded_at))).where(
                AttemptAnswer.attempt_id == attempt.id
            )
        ).one()
    assert graded_times == 1 and count(AttemptAnswer) == 5


def test_racing_starts_make_one_attempt(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], max_attempts=1)
    barrier = threading.Barrier(4)
    seen: list[str] = []

    def start() -> None:
        barrier.wait()
        seen.append(run(taking.start_attempt, token=student, exam_id=exam_id).attempt_id)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and len(set(seen)) == 1 and count(ExamAttempt) == 1


def test_more_attempts_than_allowed_are_refused(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], max_attempts=2)
    for _ in range(2):
        view = run(taking.start_attempt, token=student, exam_id=exam_id)
        run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    with pytest.raises(PermissionDenied, match="all 2 attempt"):
        run(taking.start_attempt, token=student, exam_id=exam_id)
    intro = run(results.exam_intro, token=student, exam_id=exam_id)
    assert not intro.can_start and "all 2" in intro.blocked_reason
    assert [a.attempt_number for a in intro.attempts] == [1, 2] and count(ExamAttempt) == 2


def test_closed_unpublished_and_unenrolled_exams_cannot_start(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    past = (utc_now() - timedelta(days=1)).isoformat()
    closed = exam_of(teacher, course, [qs["single"].id], closes_at=past)
    with pytest.raises(PermissionDenied, match="has closed"):
        run(taking.start_attempt, token=student, exam_id=closed)
    intro = run(results.exam_intro, token=student, exam_id=closed)
    assert "has closed" in intro.blocked_reason and intro.exam.window.startswith("Closed ")
    later = exam_of(
        teacher, course, [qs["single"].id], opens_at=(utc_now() + timedelta(days=1)).isoformat()
    )
    intro = run(results.exam_intro, token=student, exam_id=later)
    assert "not opened" in intro.blocked_reason and intro.exam.window.startswith("Opens ")
    draft = exam_of(teacher, course, [qs["single"].id], publish_it=False)
    with pytest.raises(NotFound):
        run(taking.start_attempt, token=student, exam_id=draft)
    stranger = person("bob")
    open_exam = exam_of(teacher, course, [qs["single"].id])
    with pytest.raises(PermissionDenied, match="Enrol"):
        run(taking.start_attempt, token=stranger, exam_id=open_exam)
    assert count(ExamAttempt) == 0


def test_attempts_are_private_to_the_student_and_the_course_teachers(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    classmate = person("bob")
    run(reading.enroll, token=classmate, course_id=course)
    other_teacher = person("grace", UserRole.TEACHER)
    for intruder in (classmate, other_teacher):
        with pytest.raises(NotFound):
            run(results.attempt_result, token=intruder, attempt_id=view.attempt_id)
        with pytest.raises(NotFound):
            save(intruder, view.attempt_id, qs["single"].id, {"option_id": "x"})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    seen = run(results.attempt_result, token=teacher, attempt_id=view.attempt_id)
    assert seen.student_name == "Ada" and seen.feedback_visible


@pytest.mark.parametrize(
    ("policy", "closes_in", "visible"),
    [("after_submit", None, True), ("never", None, False), ("after_close", 1, False)],
)
def test_feedback_follows_the_exam_policy(
    teacher: str,
    student: str,
    course: str,
    qs: dict[str, question_bank.QuestionView],
    policy: str,
    closes_in: int | None,
    visible: bool,
) -> None:
    closes = (utc_now() + timedelta(days=closes_in)).isoformat() if closes_in else None
    exam_id = exam_of(teacher, course, [qs["single"].id], feedback_policy=policy, closes_at=closes)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    result = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    answer = result.answers[0]
    assert result.feedback_visible is visible
    assert bool(answer.correct_answer) is visible and bool(answer.explanation_markdown) is visible
    assert (result.feedback_note == "") is visible


@pytest.mark.parametrize(("policy", "visible"), [("after_submit", True), ("never", False)])
def test_the_feedback_written_for_a_chosen_option_follows_the_exam_policy(
    teacher: str,
    student: str,
    course: str,
    qs: dict[str, question_bank.QuestionView],
    policy: str,
    visible: bool,
) -> None:
    single, multiple = qs["single"], qs["multiple"]
    exam_id = exam_of(teacher, course, [single.id, multiple.id], feedback_policy=policy)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    option = {o.body: o.id for q in (single, multiple) for o in q.options}
    save(student, view.attempt_id, single.id, {"option_id": option["int"]})
    save(student, view.attempt_id, multiple.id, {"option_ids": [option["for"], option["if"]]})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    result = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    by_question = {a.question_id: a.option_feedback for a in result.answers}
    if visible:
        assert by_question == {
            single.id: "`3` is an int; the point makes `3.5` a float.",
            multiple.id: "if: It branches once; it does not repeat.",
        }
    else:
        assert by_question == {single.id: "", multiple.id: ""}


def test_editing_an_exam_leaves_running_attempts_as_they_started(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["short"].id], time_limit_minutes=10)
    running = run(taking.start_attempt, token=student, exam_id=exam_id)
    run(
        authoring.save_exam,
        token=teacher,
        course_id=course,
        exam_id=exam_id,
        draft=ExamDraft(
            title="Quiz v2",
            questions=[ExamQuestionDraft(qs["numeric"].id, points=5)],
            time_limit_minutes=1,
        ),
    )
    same = run(taking.get_attempt, token=student, attempt_id=running.attempt_id)
    assert [q.question_id for q in same.questions] == [qs["single"].id, qs["short"].id]
    assert same.deadline_at == running.deadline_at
    save(student, running.attempt_id, qs["short"].id, {"text": "type"})
    run(taking.submit_attempt, token=student, attempt_id=running.attempt_id)
    result = run(results.attempt_result, token=student, attempt_id=running.attempt_id)
    assert (result.exam_title, result.score, result.max_score) == ("Quiz v2", 1.0, 2.0)
    fresh = run(taking.start_attempt, token=student, exam_id=exam_id)
    assert [(q.question_id, q.points) for q in fresh.questions] == [(qs["numeric"].id, 5.0)]


def test_many_first_starts_of_one_exam_at_once_all_start_and_mark_its_questions_once(
    teacher: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    """Each start marks the questions it shows (`question_shown`) in its own insert; starts
    racing on the same unmarked questions, each in its own shuffled order, wait for one
    another instead of deadlocking, and none of them fails."""
    from learning_app.models.questions import QuestionShown

    question_ids = [q.id for q in qs.values()]
    exam_id = exam_of(teacher, course, question_ids, shuffle_questions=True)
    students = [person(f"racer{n}") for n in range(8)]
    for token in students:
        run(reading.enroll, token=token, course_id=course)
    barrier = threading.Barrier(len(students))
    failures: list[BaseException] = []

    def start(token: str) -> None:
        barrier.wait()
        try:  # its own transaction (no unit slots), kept open a moment after the insert
            with session_scope() as session:
                taking.begin_attempt(session, token=token, exam_id=exam_id)
                time.sleep(0.2)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(token,)) for token in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with session_scope() as session:
        marked = {str(row.question_id) for row in session.exec(select(QuestionShown)).all()}
        started = session.exec(
            select(func.count()).where(ExamAttempt.exam_id == uuid.UUID(exam_id))
        ).one()
    assert marked == set(question_ids) and started == len(students)


def test_the_deadline_job_grades_a_batch_reading_its_questions_and_answers_once(
    teacher: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    """Every attempt of the batch is graded from its own answers, while the batch's
    questions, options and answers are each read in one statement, however many attempts."""
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["numeric"].id], time_limit_minutes=5)
    right = {"option_id": next(o.id for o in qs["single"].options if o.is_correct)}
    started = []
    for n in range(4):
        token = person(f"late{n}")
        run(reading.enroll, token=token, course_id=course)
        view = run(taking.start_attempt, token=token, exam_id=exam_id)
        if n % 2 == 0:  # half of them answered the choice question right
            save(token, view.attempt_id, qs["single"].id, right)
        expire(view.attempt_id)
        started.append((view.attempt_id, 1.0 if n % 2 == 0 else 0.0))
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        with session_scope() as session:
            assert grading.close_expired_attempts(session) == 4
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    reads = [s.split("\n")[0] for s in sent if s.startswith("SELECT")]
    for table in ("question.", "question_option.", "attempt_answer."):
        assert sum(r.startswith(f"SELECT {table}") for r in reads) == 1, reads
    with session_scope() as session:
        for attempt_id, score in started:
            attempt = session.get(ExamAttempt, uuid.UUID(attempt_id))
            assert attempt is not None and attempt.auto_submitted
            assert (attempt.score, attempt.max_score) == (score, 2.0)
