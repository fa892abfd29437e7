"""Question bank, exams and attempts against the real Postgres and Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from learning_app.adapters.postgres import session_scope
from learning_app.models import (
    AttemptAnswer,
    Exam,
    ExamAttempt,
    ExamDrawRule,
    ExamQuestion,
    Question,
    UserRole,
)
from learning_app.models.base import utc_now
from learning_app.services import (
    attempt_grading,
    attempt_results,
    attempts,
    courses,
    essay_grading,
    exam_access,
    exams,
    learning,
    questions,
)
from learning_app.services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from learning_app.services.exams import DrawRuleDraft, ExamDraft, ExamQuestionDraft
from learning_app.services.questions import OptionDraft, QuestionDraft
from tests.integration.people import new_course, person, publish

T = TypeVar("T")


def run(func: Callable[..., T], **kwargs: Any) -> T:
    with session_scope() as session:
        return func(session, **kwargs)


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def bank(teacher: str, course_id: str, *, tag: str = "basics") -> dict[str, questions.QuestionView]:
    """One question of every type, all tagged `tag`."""
    drafts = {
        "single": QuestionDraft(
            type="single_choice",
            prompt="Which type does `3.5` have?",
            explanation="A decimal point makes a float.",
            options=[OptionDraft("int"), OptionDraft("float", True), OptionDraft("str")],
        ),
        "multiple": QuestionDraft(
            type="multiple_choice",
            prompt="Which are loops?",
            points=2,
            options=[OptionDraft("for", True), OptionDraft("while", True), OptionDraft("if")],
        ),
        "true_false": QuestionDraft(
            type="true_false",
            prompt="Functions without return give None.",
            options=[OptionDraft("True", True), OptionDraft("False")],
        ),
        "short": QuestionDraft(
            type="short_answer", prompt="Built-in for types?", accepted_answers=["type"]
        ),
        "numeric": QuestionDraft(
            type="numeric", prompt="2.5 * 4?", numeric_answer="10", numeric_tolerance="0.01"
        ),
        "essay": QuestionDraft(type="essay", prompt="Why test?", points=3),
    }
    return {
        name: run(
            questions.create_question,
            token=teacher,
            course_id=course_id,
            draft=QuestionDraft(**{**draft.__dict__, "tags": [tag]}),
        )
        for name, draft in drafts.items()
    }


def exam_of(
    teacher: str,
    course_id: str,
    question_ids: list[str],
    *,
    publish_it: bool = True,
    **settings: Any,
) -> str:
    draft = ExamDraft(
        title=settings.pop("title", "Quiz"),
        questions=[ExamQuestionDraft(q) for q in question_ids],
        **settings,
    )
    exam_id = run(exams.save_exam, token=teacher, course_id=course_id, draft=draft).id
    if publish_it:
        run(exams.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    return exam_id


@pytest.fixture
def course(teacher: str, student: str) -> str:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(learning.enroll, token=student, course_id=course_id)
    return course_id


@pytest.fixture
def qs(teacher: str, course: str) -> dict[str, questions.QuestionView]:
    return bank(teacher, course)


def answers_for(view: attempts.AttemptView, qs: dict[str, questions.QuestionView]) -> dict:
    """All-correct responses (essay text included) keyed by question id."""
    by_id = {q.id: q for q in qs.values()}
    out: dict[str, dict[str, Any]] = {}
    for line in view.questions:
        q = by_id[line.question_id]
        correct = [o.id for o in q.options if o.is_correct]
        out[line.question_id] = {
            "single_choice": {"option_id": correct[0] if correct else ""},
            "true_false": {"option_id": correct[0] if correct else ""},
            "multiple_choice": {"option_ids": correct},
            "short_answer": {"text": "  TYPE "},
            "numeric": {"value": "10.005"},
            "essay": {"text": "Tests catch regressions."},
        }[q.type]
    return out


def save(token: str, attempt_id: str, question_id: str, response: dict) -> None:
    run(
        attempts.save_answer,
        token=token,
        attempt_id=attempt_id,
        question_id=question_id,
        response=response,
    )


def expire(attempt_id: str) -> None:
    """Move the attempt's deadline into the past, as if its time limit ran out."""
    with session_scope() as session:
        session.execute(
            update(ExamAttempt)
            .where(col(ExamAttempt.id) == attempt_id)
            .values(deadline_at=utc_now() - timedelta(seconds=5))
        )


# --- the question bank ----------------------------------------------------------------------


def test_every_question_type_is_saved_with_tags(qs: dict[str, questions.QuestionView]) -> None:
    assert {q.type for q in qs.values()} == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "numeric",
        "essay",
    }
    assert qs["numeric"].numeric_answer == 10.0 and qs["numeric"].numeric_tolerance == 0.01
    assert all(q.tags == ["basics"] for q in qs.values())


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (QuestionDraft(type="single_choice", prompt="?", options=[OptionDraft("a")]), "options"),
        (
            QuestionDraft(
                type="single_choice", prompt="?", options=[OptionDraft("a"), OptionDraft("b")]
            ),
            "options",
        ),
        (QuestionDraft(type="numeric", prompt="?", numeric_answer="ten"), "numeric_answer"),
        (
            QuestionDraft(type="short_answer", prompt="?", accepted_answers=[" "]),
            "accepted_answers",
        ),
        (QuestionDraft(type="essay", prompt="   "), "prompt"),
        (QuestionDraft(type="essay", prompt="?", points="-1"), "points"),
        (QuestionDraft(type="riddle", prompt="?"), "type"),
    ],
)
def test_ungradable_questions_are_refused_and_nothing_is_written(
    teacher: str, course: str, draft: QuestionDraft, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(questions.create_question, token=teacher, course_id=course, draft=draft)
    assert refused.value.field == field
    assert count(Question) == 0


def test_students_cannot_use_the_bank_or_author_exams(
    student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    with pytest.raises(PermissionDenied):
        run(questions.list_question_bank, token=student, course_id=course)
    with pytest.raises(PermissionDenied):
        run(
            exams.save_exam,
            token=student,
            course_id=course,
            draft=ExamDraft(title="Mine", questions=[ExamQuestionDraft(qs["single"].id)]),
        )
    assert count(Exam) == 0


# --- composing exams ------------------------------------------------------------------------


def test_an_exam_with_no_questions_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match="at least one question"):
        run(exams.save_exam, token=teacher, course_id=course, draft=ExamDraft(title="Empty"))
    assert count(Exam) == 0


def test_a_failed_exam_save_leaves_nothing_behind(
    teacher: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    other = new_course(teacher, "Other course")
    foreign = bank(teacher, other, tag="elsewhere")["single"].id
    draft = ExamDraft(
        title="Half",
        questions=[ExamQuestionDraft(qs["single"].id), ExamQuestionDraft(foreign)],
    )
    with pytest.raises(InvalidInput, match="not in this course"):
        run(exams.save_exam, token=teacher, course_id=course, draft=draft)
    too_many = ExamDraft(title="Draws", draws=[DrawRuleDraft("basics", 99)])
    with pytest.raises(InvalidInput, match="fewer than 99"):
        run(exams.save_exam, token=teacher, course_id=course, draft=too_many)
    assert (count(Exam), count(ExamQuestion), count(ExamDrawRule)) == (0, 0, 0)

    exam_id = exam_of(teacher, course, [qs["single"].id], publish_it=False)
    with pytest.raises(InvalidInput):
        run(
            exams.save_exam,
            token=teacher,
            course_id=course,
            exam_id=exam_id,
            draft=ExamDraft(title="Renamed", questions=[ExamQuestionDraft(foreign)]),
        )
    kept = run(exams.get_exam_for_editing, token=teacher, exam_id=exam_id)
    assert kept.title == "Quiz" and [q.question_id for q in kept.questions] == [qs["single"].id]


def test_random_draws_pick_distinct_tagged_questions_per_attempt(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    draft = ExamDraft(
        title="Drawn",
        questions=[ExamQuestionDraft(qs["essay"].id)],
        draws=[DrawRuleDraft("BASICS", 3, points=2)],
        shuffle_questions=True,
        shuffle_options=True,
    )
    exam_id = run(exams.save_exam, token=teacher, course_id=course, draft=draft).id
    run(exams.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    ids = [q.question_id for q in view.questions]
    assert len(ids) == 4 == len(set(ids)) and qs["essay"].id in ids
    drawn = [q for q in view.questions if q.question_id != qs["essay"].id]
    assert all(q.points == 2 for q in drawn)
    for line in view.questions:
        assert sorted(o.id for o in line.options) == sorted(
            o.id for o in next(q for q in qs.values() if q.id == line.question_id).options
        )


# --- taking an exam -------------------------------------------------------------------------


def test_a_student_takes_an_exam_and_a_teacher_grades_the_essay(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(
        teacher, course, [q.id for q in qs.values()], time_limit_minutes=30, max_attempts=2
    )
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    assert view.status == "in_progress" and 29 * 60 < (view.seconds_left or 0) <= 30 * 60
    responses = answers_for(view, qs)
    for question_id, response in responses.items():
        save(student, view.attempt_id, question_id, response)
    reloaded = run(attempts.get_attempt, token=student, attempt_id=view.attempt_id)
    assert all(line.answered for line in reloaded.questions)
    numeric = next(line for line in reloaded.questions if line.type == "numeric")
    assert numeric.value == "10.005"

    run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    result = run(attempt_results.attempt_result, token=student, attempt_id=view.attempt_id)
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
    graded = run(attempt_results.attempt_result, token=student, attempt_id=view.attempt_id)
    assert (graded.status, graded.score, graded.percent, graded.passed) == (
        "graded",
        8.0,
        88.89,
        True,
    )
    assert next(a for a in graded.answers if a.type == "essay").teacher_feedback.startswith("Good")
    assert run(essay_grading.pending_essays, token=teacher) == []


def test_answers_are_validated_and_bad_ones_are_not_saved(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["numeric"].id, qs["single"].id])
    other_exam = exam_of(teacher, course, [qs["short"].id], title="Other")
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    with pytest.raises(InvalidInput, match="Enter a number"):
        save(student, view.attempt_id, qs["numeric"].id, {"value": "ten"})
    with pytest.raises(InvalidInput, match="not part of this exam"):
        save(student, view.attempt_id, qs["short"].id, {"text": "type"})
    with pytest.raises(InvalidInput, match="Choose one of the options"):
        save(student, view.attempt_id, qs["single"].id, {"option_id": qs["multiple"].options[0].id})
    assert count(AttemptAnswer) == 0
    assert other_exam


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_auto_submitted(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["numeric"].id], time_limit_minutes=5)
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["numeric"].id, {"value": 10})
    expire(view.attempt_id)
    with pytest.raises(InvalidInput, match="Time is up"):
        save(student, view.attempt_id, qs["single"].id, {"option_id": qs["single"].options[1].id})
    assert count(AttemptAnswer) == 1

    with session_scope() as session:
        assert attempt_grading.close_expired_attempts(session) == 1
        attempt = session.get(ExamAttempt, view.attempt_id)
        assert attempt is not None
        assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline_at
    result = run(attempt_results.attempt_result, token=student, attempt_id=view.attempt_id)
    assert (result.status, result.score, result.max_score) == ("graded", 1.0, 2.0)
    with pytest.raises(InvalidInput, match="already been submitted"):
        save(student, view.attempt_id, qs["numeric"].id, {"value": 10})


def test_reading_an_expired_attempt_submits_it(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], time_limit_minutes=1)
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    expire(view.attempt_id)
    assert run(attempts.get_attempt, token=student, attempt_id=view.attempt_id).status == "graded"


def test_racing_submits_grade_once(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [q.id for q in qs.values() if q.type != "essay"])
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    for question_id, response in answers_for(view, qs).items():
        save(student, view.attempt_id, question_id, response)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit() -> None:
        barrier.wait()
        try:
            run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
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
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], max_attempts=1)
    barrier = threading.Barrier(4)
    seen: list[str] = []

    def start() -> None:
        barrier.wait()
        seen.append(run(attempts.start_attempt, token=student, exam_id=exam_id).attempt_id)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and len(set(seen)) == 1 and count(ExamAttempt) == 1


def test_more_attempts_than_allowed_are_refused(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id], max_attempts=2)
    for _ in range(2):
        view = run(attempts.start_attempt, token=student, exam_id=exam_id)
        run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    with pytest.raises(PermissionDenied, match="all 2 attempt"):
        run(attempts.start_attempt, token=student, exam_id=exam_id)
    intro = run(attempt_results.exam_intro, token=student, exam_id=exam_id)
    assert not intro.can_start and "all 2" in intro.blocked_reason
    assert [a.attempt_number for a in intro.attempts] == [1, 2] and count(ExamAttempt) == 2


def test_closed_unpublished_and_unenrolled_exams_cannot_start(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    past = (utc_now() - timedelta(days=1)).isoformat()
    closed = exam_of(teacher, course, [qs["single"].id], closes_at=past)
    with pytest.raises(PermissionDenied, match="has closed"):
        run(attempts.start_attempt, token=student, exam_id=closed)
    draft = exam_of(teacher, course, [qs["single"].id], publish_it=False)
    with pytest.raises(NotFound):
        run(attempts.start_attempt, token=student, exam_id=draft)
    stranger = person("bob")
    open_exam = exam_of(teacher, course, [qs["single"].id])
    with pytest.raises(PermissionDenied, match="Enrol"):
        run(attempts.start_attempt, token=stranger, exam_id=open_exam)
    assert count(ExamAttempt) == 0


def test_attempts_are_private_to_the_student_and_the_course_teachers(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id])
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    classmate = person("bob")
    run(learning.enroll, token=classmate, course_id=course)
    other_teacher = person("grace", UserRole.TEACHER)
    for intruder in (classmate, other_teacher):
        with pytest.raises(NotFound):
            run(attempt_results.attempt_result, token=intruder, attempt_id=view.attempt_id)
        with pytest.raises(NotFound):
            save(intruder, view.attempt_id, qs["single"].id, {"option_id": "x"})
    run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    seen = run(attempt_results.attempt_result, token=teacher, attempt_id=view.attempt_id)
    assert seen.student_name == "Ada" and seen.feedback_visible


@pytest.mark.parametrize(
    ("policy", "closes_in", "visible"),
    [("after_submit", None, True), ("never", None, False), ("after_close", 1, False)],
)
def test_feedback_follows_the_exam_policy(
    teacher: str,
    student: str,
    course: str,
    qs: dict[str, questions.QuestionView],
    policy: str,
    closes_in: int | None,
    visible: bool,
) -> None:
    closes = (utc_now() + timedelta(days=closes_in)).isoformat() if closes_in else None
    exam_id = exam_of(teacher, course, [qs["single"].id], feedback_policy=policy, closes_at=closes)
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    result = run(attempt_results.attempt_result, token=student, attempt_id=view.attempt_id)
    answer = result.answers[0]
    assert result.feedback_visible is visible
    assert bool(answer.correct_answer) is visible and bool(answer.explanation_markdown) is visible
    assert (result.feedback_note == "") is visible


def test_editing_an_exam_leaves_running_attempts_as_they_started(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["short"].id], time_limit_minutes=10)
    running = run(attempts.start_attempt, token=student, exam_id=exam_id)
    run(
        exams.save_exam,
        token=teacher,
        course_id=course,
        exam_id=exam_id,
        draft=ExamDraft(
            title="Quiz v2",
            questions=[ExamQuestionDraft(qs["numeric"].id, points=5)],
            time_limit_minutes=1,
        ),
    )
    same = run(attempts.get_attempt, token=student, attempt_id=running.attempt_id)
    assert [q.question_id for q in same.questions] == [qs["single"].id, qs["short"].id]
    assert same.deadline_at == running.deadline_at
    save(student, running.attempt_id, qs["short"].id, {"text": "type"})
    run(attempts.submit_attempt, token=student, attempt_id=running.attempt_id)
    result = run(attempt_results.attempt_result, token=student, attempt_id=running.attempt_id)
    assert (result.exam_title, result.score, result.max_score) == ("Quiz v2", 1.0, 2.0)
    fresh = run(attempts.start_attempt, token=student, exam_id=exam_id)
    assert [(q.question_id, q.points) for q in fresh.questions] == [(qs["numeric"].id, 5.0)]


def test_used_questions_lock_their_answers_and_are_archived_not_deleted(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    single = qs["single"]
    exam_id = exam_of(teacher, course, [single.id])
    run(attempts.start_attempt, token=student, exam_id=exam_id)
    reworded = QuestionDraft(
        type="single_choice",
        prompt="Which type does 3.5 have, exactly?",
        options=[OptionDraft("int"), OptionDraft("float (decimal)", True), OptionDraft("str")],
        tags=["basics", "types"],
    )
    edited = run(questions.update_question, token=teacher, question_id=single.id, draft=reworded)
    assert edited.locked and [o.id for o in edited.options] == [o.id for o in single.options]
    assert edited.options[1].body == "float (decimal)" and edited.tags == ["basics", "types"]
    regraded = QuestionDraft(
        **{**reworded.__dict__, "options": [OptionDraft("int", True), OptionDraft("float")]}
    )
    with pytest.raises(InvalidInput, match="locked"):
        run(questions.update_question, token=teacher, question_id=single.id, draft=regraded)
    assert run(questions.delete_question, token=teacher, question_id=single.id) is False
    assert run(questions.delete_question, token=teacher, question_id=qs["essay"].id) is True
    remaining = run(questions.list_question_bank, token=teacher, course_id=course)
    assert single.id not in {q.id for q in remaining} and len(remaining) == 4


def test_a_course_or_exam_with_attempts_keeps_its_results(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id])
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    with pytest.raises(InvalidInput, match="Unpublish"):
        run(exams.delete_exam, token=teacher, exam_id=exam_id)
    with pytest.raises(InvalidInput, match="Unpublish the course"):
        run(courses.delete_course, token=teacher, course_id=course)
    assert run(attempt_results.attempt_result, token=student, attempt_id=view.attempt_id).score == 0


def test_the_course_exam_list_shows_my_attempts(
    teacher: str, student: str, course: str, qs: dict[str, questions.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["true_false"].id])
    exam_of(teacher, course, [qs["short"].id], title="Draft", publish_it=False)
    view = run(attempts.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["single"].id, {"option_id": qs["single"].options[1].id})
    run(attempts.submit_attempt, token=student, attempt_id=view.attempt_id)
    cards = run(exam_access.list_course_exams, token=student, course_id=course)
    assert [(c.title, c.attempts_used, c.best_percent) for c in cards] == [("Quiz", 1, 50.0)]
    assert len(run(exam_access.list_course_exams, token=teacher, course_id=course)) == 2


def test_bad_ids_are_not_found(student: str, course: str) -> None:
    for call in (
        lambda: run(attempts.start_attempt, token=student, exam_id="nope"),
        lambda: run(attempts.get_attempt, token=student, attempt_id="../etc"),
        lambda: run(attempt_results.attempt_result, token=student, attempt_id=""),
        lambda: run(exams.get_exam_for_editing, token=student, exam_id="x"),
    ):
        with pytest.raises(DomainError):
            call()


def test_workers_submit_expired_attempts_every_minute() -> None:
    from learning_app.jobs.exams import CLOSE_EXPIRED_TASK
    from learning_app.jobs.runner import job_app

    job_app.perform_import_paths()  # what a worker does when it starts
    periodic = job_app.periodic_registry.periodic_tasks
    assert (CLOSE_EXPIRED_TASK, "close-expired-attempts") in periodic
    assert periodic[(CLOSE_EXPIRED_TASK, "close-expired-attempts")].cron == "* * * * *"
