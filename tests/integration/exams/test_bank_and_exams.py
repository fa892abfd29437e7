"""The question bank and composing exams against the real Postgres and Redis."""

from __future__ import annotations

import pytest

from learning_app.models.exams import Exam, ExamDrawRule, ExamQuestion
from learning_app.models.questions import Question, QuestionShown
from learning_app.services.attempts import results, taking
from learning_app.services.courses import authoring as courses_authoring
from learning_app.services.errors import DomainError, InvalidInput, PermissionDenied
from learning_app.services.exams import authoring as exams_authoring
from learning_app.services.exams import listing
from learning_app.services.exams.authoring import DrawRuleDraft, ExamDraft, ExamQuestionDraft
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from tests.integration.exams.helpers import (
    bank,
    count,
    exam_of,
    run,
    save,
)
from tests.integration.people import new_course

# --- the question bank ----------------------------------------------------------------------


def test_every_question_type_is_saved_with_tags(qs: dict[str, question_bank.QuestionView]) -> None:
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
        run(question_bank.create_question, token=teacher, course_id=course, draft=draft)
    assert refused.value.field == field
    assert count(Question) == 0


def test_students_cannot_use_the_bank_or_author_exams(
    student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    with pytest.raises(PermissionDenied):
        run(question_bank.list_question_bank, token=student, course_id=course)
    with pytest.raises(PermissionDenied):
        run(
            exams_authoring.save_exam,
            token=student,
            course_id=course,
            draft=ExamDraft(title="Mine", questions=[ExamQuestionDraft(qs["single"].id)]),
        )
    assert count(Exam) == 0


# --- composing exams ------------------------------------------------------------------------


def test_an_exam_with_no_questions_is_refused(teacher: str, course: str) -> None:
    with pytest.raises(InvalidInput, match="at least one question"):
        run(
            exams_authoring.save_exam,
            token=teacher,
            course_id=course,
            draft=ExamDraft(title="Empty"),
        )
    assert count(Exam) == 0


def test_a_failed_exam_save_leaves_nothing_behind(
    teacher: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    other = new_course(teacher, "Other course")
    foreign = bank(teacher, other, tag="elsewhere")["single"].id
    draft = ExamDraft(
        title="Half",
        questions=[ExamQuestionDraft(qs["single"].id), ExamQuestionDraft(foreign)],
    )
    with pytest.raises(InvalidInput, match="not in this course"):
        run(exams_authoring.save_exam, token=teacher, course_id=course, draft=draft)
    too_many = ExamDraft(title="Draws", draws=[DrawRuleDraft("basics", 99)])
    with pytest.raises(InvalidInput, match="fewer than 99"):
        run(exams_authoring.save_exam, token=teacher, course_id=course, draft=too_many)
    assert (count(Exam), count(ExamQuestion), count(ExamDrawRule)) == (0, 0, 0)

    exam_id = exam_of(teacher, course, [qs["single"].id], publish_it=False)
    with pytest.raises(InvalidInput):
        run(
            exams_authoring.save_exam,
            token=teacher,
            course_id=course,
            exam_id=exam_id,
            draft=ExamDraft(title="Renamed", questions=[ExamQuestionDraft(foreign)]),
        )
    kept = run(exams_authoring.get_exam_for_editing, token=teacher, exam_id=exam_id)
    assert kept.title == "Quiz" and [q.question_id for q in kept.questions] == [qs["single"].id]


def test_random_draws_pick_distinct_tagged_questions_per_attempt(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    draft = ExamDraft(
        title="Drawn",
        questions=[ExamQuestionDraft(qs["essay"].id)],
        draws=[DrawRuleDraft("BASICS", 3, points=2)],
        shuffle_questions=True,
        shuffle_options=True,
    )
    exam_id = run(exams_authoring.save_exam, token=teacher, course_id=course, draft=draft).id
    run(exams_authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    ids = [q.question_id for q in view.questions]
    assert len(ids) == 4 == len(set(ids)) and qs["essay"].id in ids
    drawn = [q for q in view.questions if q.question_id != qs["essay"].id]
    assert all(q.points == 2 for q in drawn)
    for line in view.questions:
        assert sorted(o.id for o in line.options) == sorted(
            o.id for o in next(q for q in qs.values() if q.id == line.question_id).options
        )


def test_an_exam_of_draws_only_and_one_of_fixed_questions_carry_every_option_in_order(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    drawn_only = ExamDraft(title="Only drawn", draws=[DrawRuleDraft("BASICS", 2)])
    exam_id = run(exams_authoring.save_exam, token=teacher, course_id=course, draft=drawn_only).id
    run(exams_authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    fixed_id = exam_of(teacher, course, [qs["multiple"].id, qs["single"].id])
    for exam in (exam_id, fixed_id):
        view = run(taking.start_attempt, token=student, exam_id=exam)
        assert len(view.questions) == 2
        for line in view.questions:
            bank_question = next(q for q in qs.values() if q.id == line.question_id)
            assert [o.id for o in line.options] == [o.id for o in bank_question.options]


def test_used_questions_lock_their_answers_and_are_archived_not_deleted(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    single = qs["single"]
    exam_id = exam_of(teacher, course, [single.id])
    run(taking.start_attempt, token=student, exam_id=exam_id)
    reworded = QuestionDraft(
        type="single_choice",
        prompt="Which type does 3.5 have, exactly?",
        options=[OptionDraft("int"), OptionDraft("float (decimal)", True), OptionDraft("str")],
        tags=["basics", "types"],
    )
    edited = run(
        question_bank.update_question, token=teacher, question_id=single.id, draft=reworded
    )
    assert edited.locked and [o.id for o in edited.options] == [o.id for o in single.options]
    assert edited.options[1].body == "float (decimal)" and edited.tags == ["basics", "types"]
    regraded = QuestionDraft(
        **{**reworded.__dict__, "options": [OptionDraft("int", True), OptionDraft("float")]}
    )
    with pytest.raises(InvalidInput, match="locked"):
        run(question_bank.update_question, token=teacher, question_id=single.id, draft=regraded)
    assert run(question_bank.delete_question, token=teacher, question_id=single.id) is False
    assert run(question_bank.delete_question, token=teacher, question_id=qs["essay"].id) is True
    remaining = run(question_bank.list_question_bank, token=teacher, course_id=course)
    assert single.id not in {q.id for q in remaining} and len(remaining) == 4


def test_a_course_or_exam_with_attempts_keeps_its_results(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id])
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    with pytest.raises(InvalidInput, match="Unpublish"):
        run(exams_authoring.delete_exam, token=teacher, exam_id=exam_id)
    with pytest.raises(InvalidInput, match="Unpublish the course"):
        run(courses_authoring.delete_course, token=teacher, course_id=course)
    assert run(results.attempt_result, token=student, attempt_id=view.attempt_id).score == 0


def test_the_course_exam_list_shows_my_attempts(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["true_false"].id])
    exam_of(teacher, course, [qs["short"].id], title="Draft", publish_it=False)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["single"].id, {"option_id": qs["single"].options[1].id})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    cards = run(listing.list_course_exams, token=student, course_id=course)
    assert [(c.title, c.attempts_used, c.best_percent) for c in cards] == [("Quiz", 1, 50.0)]
    assert len(run(listing.list_course_exams, token=teacher, course_id=course)) == 2


def test_bad_ids_are_not_found(student: str, course: str) -> None:
    for call in (
        lambda: run(taking.start_attempt, token=student, exam_id="nope"),
        lambda: run(taking.get_attempt, token=student, attempt_id="../etc"),
        lambda: run(results.attempt_result, token=student, attempt_id=""),
        lambda: run(exams_authoring.get_exam_for_editing, token=student, exam_id="x"),
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


def test_a_start_locks_the_questions_it_shows_and_only_those(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    """The attempt's own insert marks the questions it shows (`question_shown`); a question
    no attempt has shown stays editable, and a second start marks nothing twice."""
    exam_id = exam_of(teacher, course, [qs["single"].id, qs["numeric"].id], max_attempts=3)
    before = run(question_bank.list_question_bank, token=teacher, course_id=course)
    assert not any(q.locked for q in before)
    first = run(taking.start_attempt, token=student, exam_id=exam_id)
    run(taking.submit_attempt, token=student, attempt_id=first.attempt_id)
    run(taking.start_attempt, token=student, exam_id=exam_id)
    listed = run(question_bank.list_question_bank, token=teacher, course_id=course)
    locked = {q.id for q in listed if q.locked}
    assert locked == {qs["single"].id, qs["numeric"].id}
    assert count(QuestionShown) == 2


def test_the_bank_is_listed_in_statements_that_do_not_grow_with_it(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    """Options, tags and locks are read in one statement each for the whole bank (they were
    three statements a question, the lock a scan of every attempt)."""
    from learning_app.adapters.postgres import session_scope
    from tests.integration.test_viewing import statements_of

    def listed() -> tuple[list[question_bank.QuestionView], int]:
        with session_scope() as session, statements_of(session) as sent:
            views = question_bank.list_question_bank(session, token=teacher, course_id=course)
        return views, len(sent)

    exam_id = exam_of(teacher, course, [qs["single"].id])
    run(taking.start_attempt, token=student, exam_id=exam_id)
    six, with_six = listed()
    for n in range(6):
        draft = QuestionDraft(
            type="single_choice",
            prompt=f"Extra question {n}?",
            options=[OptionDraft("yes", True), OptionDraft("no")],
            tags=["extra", f"t{n}"],
        )
        run(question_bank.create_question, token=teacher, course_id=course, draft=draft)
    twelve, with_twelve = listed()
    assert len(six) == 6 and len(twelve) == 12 and with_twelve == with_six
    by_id = {q.id: q for q in twelve}
    assert by_id[qs["single"].id].locked and not by_id[qs["essay"].id].locked
    assert [o.body for o in by_id[qs["single"].id].options] == [
        o.body for o in qs["single"].options
    ]
    extra = next(q for q in twelve if q.prompt_markdown == "Extra question 3?")
    assert extra.tags == ["extra", "t3"] and [o.body for o in extra.options] == ["yes", "no"]


def test_two_draw_rules_on_overlapping_tags_never_draw_a_question_twice(
    teacher: str, student: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    """Both rules' tagged questions come in one statement; a question carrying both tags is
    drawn by one rule at most, whichever rule runs first."""
    for name in ("single", "numeric"):  # tagged "basics" and "types" from now on
        draft = QuestionDraft(
            type=qs[name].type,
            prompt=qs[name].prompt_markdown,
            options=[OptionDraft(o.body, o.is_correct) for o in qs[name].options],
            numeric_answer=qs[name].numeric_answer,
            numeric_tolerance=qs[name].numeric_tolerance,
            tags=["basics", "types"],
        )
        run(question_bank.update_question, token=teacher, question_id=qs[name].id, draft=draft)
    draft = ExamDraft(
        title="Two rules",
        draws=[DrawRuleDraft("types", 2, points=3), DrawRuleDraft("basics", 4, points=1)],
    )
    exam_id = run(exams_authoring.save_exam, token=teacher, course_id=course, draft=draft).id
    run(exams_authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    ids = [q.question_id for q in view.questions]
    assert len(ids) == len(set(ids))
    # The rules run in their ids' order, which is random: "basics" (six questions) always
    # finds its four; "types" finds its two only if "basics" ran second or left them.
    assert 4 <= len(ids) <= 6
    three_points = {q.question_id for q in view.questions if q.points == 3}
    assert three_points <= {qs["single"].id, qs["numeric"].id}
    assert len(ids) - len(three_points) == 4
