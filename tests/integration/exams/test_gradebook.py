"""The gradebook against the real Postgres: each grade policy with hand-checked figures, pending
essays, students without attempts, totals, the CSV, and who may read it.

The world (passing score 60 everywhere; four true/false questions make 0, 25, 50, 75 or 100):

| exam (policy)        | Ada                          | Bob                                | Cy |
|----------------------|------------------------------|------------------------------------|----|
| Best quiz (best)     | 50, 75, 25 -> 75             | 100 -> 100                         | -  |
| Last quiz (last)     | 100, 50 -> 50 (not passed)   | 75, one in progress -> 75          | -  |
| Average quiz (avg)   | 50, 100 -> 75                | -                                  | -  |
| Essay (best)         | 1 awaiting -> pending        | 100 graded, 1 awaiting (<= 100)    | -  |
|                      |                              |   -> 100: the wait cannot beat it  |    |
| total                | (75+50+75)/3 = 66.67, 3 of 4 | (100+75+100)/3 = 91.67, 3 of 4     | -  |
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.models.exams import GradePolicy
from learning_app.models.users import UserRole
from learning_app.services.accounts import sessions, users
from learning_app.services.attempts import essay_grading, taking
from learning_app.services.courses import reading
from learning_app.services.errors import NotFound, PermissionDenied
from learning_app.services.exams import authoring
from learning_app.services.exams.authoring import ExamDraft, ExamQuestionDraft
from learning_app.services.exams.gradebook import (
    AttemptFigures,
    Gradebook,
    GradeCell,
    cell,
    course_gradebook,
    course_gradebook_by_slug,
    gradebook_csv,
    spreadsheet_safe,
)
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from tests.integration.exams.helpers import run
from tests.integration.people import PASSWORD, new_course, person, publish


@dataclass(frozen=True)
class World:
    teacher: str
    course_id: str
    students: dict[str, str]  # name -> token
    exams: dict[str, str]  # title -> id
    essay_questions: list[str]


def _true_false(teacher: str, course_id: str, count: int) -> list[question_bank.QuestionView]:
    return [
        run(
            question_bank.create_question,
            token=teacher,
            course_id=course_id,
            draft=QuestionDraft(
                type="true_false",
                prompt=f"Statement {n} is true.",
                options=[OptionDraft("True", True), OptionDraft("False")],
            ),
        )
        for n in range(count)
    ]


def _exam(teacher: str, course_id: str, title: str, question_ids: list[str], policy: str) -> str:
    draft = ExamDraft(
        title=title, grade_policy=policy, questions=[ExamQuestionDraft(q) for q in question_ids]
    )
    exam_id = run(authoring.save_exam, token=teacher, course_id=course_id, draft=draft).id
    run(authoring.set_exam_published, token=teacher, exam_id=exam_id, published=True)
    return exam_id


def _sit(
    student: str,
    exam_id: str,
    questions: list[question_bank.QuestionView],
    right: int,
    *,
    submit: bool = True,
) -> str:
    """An attempt with the first `right` true/false questions answered right, the others
    wrong, and any essay written; submitted unless told otherwise. Returns its id."""
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    by_id = {q.id: q for q in questions}
    answered = 0
    for line in view.questions:
        question = by_id[line.question_id]
        if question.type == "essay":
            response: dict[str, object] = {"text": "Because tests catch mistakes."}
        else:
            correct = answered < right
            answered += 1
            option = next(o for o in question.options if o.is_correct == correct)
            response = {"option_id": option.id}
        run(
            taking.save_answer,
            token=student,
            attempt_id=view.attempt_id,
            question_id=line.question_id,
            response=response,
        )
    if submit:
        run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    return view.attempt_id


def _mark_essays(teacher: str, course_id: str, points: float) -> None:
    for essay in run(essay_grading.pending_essays, token=teacher, course_id=course_id):
        run(
            essay_grading.grade_essay_answer,
            token=teacher,
            answer_id=essay.answer_id,
            points=points,
        )


@pytest.fixture
def world(teacher: str, student: str) -> World:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    students = {"Ada": student, "Bob": person("bob"), "Cy": person("cy")}
    for token in students.values():
        run(reading.enroll, token=token, course_id=course_id)
    four = _true_false(teacher, course_id, 4)
    (one,) = _true_false(teacher, course_id, 1)
    essay = run(
        question_bank.create_question,
        token=teacher,
        course_id=course_id,
        draft=QuestionDraft(type="essay", prompt="Why test?", points=3),
    )
    ids = [q.id for q in four]
    exams = {
        "Best quiz": _exam(teacher, course_id, "Best quiz", ids, "best"),
        "Last quiz": _exam(teacher, course_id, "Last quiz", ids, "last"),
        "Average quiz": _exam(teacher, course_id, "Average quiz", ids, "average"),
        "Essay": _exam(teacher, course_id, "Essay", [one.id, essay.id], "best"),
    }
    ada, bob = students["Ada"], students["Bob"]
    for right in (2, 3, 1):
        _sit(ada, exams["Best quiz"], four, right)
    _sit(bob, exams["Best quiz"], four, 4)
    _sit(ada, exams["Last quiz"], four, 4)
    _sit(ada, exams["Last quiz"], four, 2)
    _sit(bob, exams["Last quiz"], four, 3)
    _sit(bob, exams["Last quiz"], four, 0, submit=False)  # in progress: not counted
    _sit(ada, exams["Average quiz"], four, 2)
    _sit(ada, exams["Average quiz"], four, 4)
    _sit(bob, exams["Essay"], [one, essay], 1)
    _mark_essays(teacher, course_id, 3)  # Bob's first essay attempt: 4 of 4 -> 100
    _sit(bob, exams["Essay"], [one, essay], 0)  # awaiting; at most 75 -> cannot beat 100
    _sit(ada, exams["Essay"], [one, essay], 1)  # awaiting; 25 so far, at most 100
    return World(teacher, course_id, students, exams, [one.id, essay.id])


def _book(world: World) -> Gradebook:
    return run(course_gradebook, token=world.teacher, course_id=world.course_id)


def _grade(grade: GradeCell) -> object:
    """A percent when graded, "pending", or None for no attempt."""
    return grade.percent if grade.is_graded else (grade.state if grade.state == "pending" else None)


def _grid(book: Gradebook) -> dict[str, list[object]]:
    """name -> each exam's grade, then the total, the exams graded and the exams pending."""
    return {
        s.name: [_grade(c) for c in s.cells] + [s.total, s.graded_exams, s.pending_exams]
        for s in book.students
    }


def test_each_policy_gives_its_grade_and_waiting_essays_are_pending(world: World) -> None:
    book = _book(world)
    assert [(e.title, e.policy) for e in book.exams] == [
        ("Best quiz", "best"),
        ("Last quiz", "last"),
        ("Average quiz", "average"),
        ("Essay", "best"),
    ]
    assert _grid(book) == {
        "Ada": [75.0, 50.0, 75.0, "pending", 66.67, 3, 1],
        "Bob": [100.0, 75.0, None, 100.0, 91.67, 3, 0],
        "Cy": [None, None, None, None, None, 0, 0],
    }
    ada = book.students[0]
    assert [c.passed for c in ada.cells] == [True, False, True, None]
    assert [c.attempts for c in ada.cells] == [3, 2, 2, 1]
    assert book.students[1].cells[1].attempts == 1  # the attempt in progress does not count
    averages = [(a.average, a.graded, a.pending) for a in book.exam_averages]
    assert averages == [(87.5, 2, 0), (62.5, 2, 0), (75.0, 1, 0), (100.0, 1, 1)]
    assert book.total_average == 79.17  # (66.67 + 91.67) / 2


def test_changing_the_policy_regrades_and_a_waiting_attempt_makes_last_and_average_pending(
    world: World,
) -> None:
    essay_id = world.exams["Essay"]
    for policy in ("last", "average"):
        draft = ExamDraft(
            title="Essay",
            grade_policy=policy,
            questions=[ExamQuestionDraft(q) for q in world.essay_questions],
        )
        saved = run(
            authoring.save_exam,
            token=world.teacher,
            course_id=world.course_id,
            draft=draft,
            exam_id=essay_id,
        )
        assert saved.grade_policy == policy
        bob = next(s for s in _book(world).students if s.name == "Bob")
        assert bob.cells[3].state == "pending"  # Bob's latest attempt awaits a mark
    _mark_essays(world.teacher, world.course_id, 0)  # Ada 25, Bob's second 0
    grid = _grid(_book(world))
    assert grid["Bob"][3] == 50.0  # average of 100 and 0
    assert grid["Ada"][3] == 25.0
    assert grid["Ada"][4:] == [56.25, 4, 0]  # (75 + 50 + 75 + 25) / 4


def test_a_bad_grade_policy_is_refused_and_nothing_changes(world: World) -> None:
    from learning_app.services.errors import InvalidInput

    draft = ExamDraft(title="Essay", grade_policy="median")
    with pytest.raises(InvalidInput, match="best, last or their average"):
        run(
            authoring.save_exam,
            token=world.teacher,
            course_id=world.course_id,
            draft=draft,
            exam_id=world.exams["Essay"],
        )
    assert _book(world).exams[3].policy == "best"


@pytest.mark.parametrize(
    ("policy", "figures", "expected"),
    [
        # best: a waiting attempt that could reach 80 beats a graded 70 -> pending
        ("best", AttemptFigures(2, 70.0, 70.0, 1, 80.0, True, 30.0), "pending"),
        # ... but one that can reach at most 70 leaves the 70 standing
        ("best", AttemptFigures(2, 70.0, 70.0, 1, 70.0, True, 30.0), 70.0),
        # nothing graded yet, only a wait
        ("best", AttemptFigures(1, None, None, 1, 40.0, True, 40.0), "pending"),
        # last: the latest attempt is graded, an earlier one still waits -> the latest counts
        ("last", AttemptFigures(2, 90.0, 90.0, 1, 100.0, False, 90.0), 90.0),
        ("average", AttemptFigures(3, 90.0, 80.0, 1, 100.0, False, 90.0), "pending"),
        ("average", AttemptFigures(2, 90.0, 80.0, 0, None, False, 90.0), 80.0),
    ],
)
def test_policy_rules_on_hand_made_figures(
    policy: str, figures: AttemptFigures, expected: object
) -> None:
    result = cell(GradePolicy(policy), 60.0, figures)
    assert (result.percent if result.state == "graded" else result.state) == expected


def test_the_csv_has_a_row_per_student_and_defuses_formulas(world: World) -> None:
    with session_scope() as session:
        eve = users.create_user(
            session,
            email="eve@example.com",
            password=PASSWORD,
            display_name="=HYPERLINK(1)",
            role=UserRole.STUDENT,
        )
    eve_token = sessions.create_session(
        uuid.UUID(eve.user_id), client_ip="198.51.100.1", user_agent="t"
    )
    run(reading.enroll, token=eve_token, course_id=world.course_id)

    text = gradebook_csv(_book(world))
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        [
            "Name",
            "Email",
            "Best quiz",
            "Last quiz",
            "Average quiz",
            "Essay",
            "Course total",
            "Exams graded (of 4)",
        ],
        ["'=HYPERLINK(1)", "eve@example.com", "", "", "", "", "", "0"],
        ["Ada", "ada@example.com", "75.0", "50.0", "75.0", "pending", "66.7", "3"],
        ["Bob", "bob@example.com", "100.0", "75.0", "", "100.0", "91.7", "3"],
        ["Cy", "cy@example.com", "", "", "", "", "", "0"],
    ]
    for risky in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx"):
        assert spreadsheet_safe(risky) == "'" + risky
    assert spreadsheet_safe("Ada -1") == "Ada -1"


def test_only_the_course_teachers_and_admins_read_it(world: World) -> None:
    other_teacher = person("olga", UserRole.TEACHER)
    admin = person("root", UserRole.ADMIN)
    new_course(other_teacher, "Other course")
    for token in (world.students["Ada"], other_teacher):
        with pytest.raises(PermissionDenied):
            run(course_gradebook, token=token, course_id=world.course_id)
    assert len(run(course_gradebook, token=admin, course_id=world.course_id).students) == 3
    with pytest.raises(NotFound):
        run(course_gradebook_by_slug, token=admin, slug="no-such-course")
    by_slug = run(course_gradebook_by_slug, token=world.teacher, slug="intro-to-python")
    assert by_slug.course_id == world.course_id


def test_a_draft_course_reads_as_not_found_to_others_and_an_empty_course_is_empty(
    teacher: str, student: str
) -> None:
    course_id = new_course(teacher, "Draft course")
    with pytest.raises(NotFound):
        run(course_gradebook, token=student, course_id=course_id)
    book = run(course_gradebook, token=teacher, course_id=course_id)
    assert (book.exams, book.students, book.total_average) == ((), (), None)
    assert gradebook_csv(book) == "Name,Email,Course total,Exams graded (of 0)\r\n"
