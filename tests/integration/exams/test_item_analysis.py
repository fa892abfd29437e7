"""Item analysis against figures worked out by hand on a small exam taken through the services.

Five students take a four-question exam. Their points per question (rows: questions, columns:
students S1..S5):

    Q1 single choice, 1 pt     1  1  1  1  1
    Q2 true/false, 1 pt        1  1  1  1  0
    Q3 multiple choice, 2 pts  2  2  2  1  1   (S4 picks only "for", S5 only "while": half)
    Q4 short answer, 1 pt      1  1  0  0  1
    total                      5  5  4  3  3   mean 4.0

Variances are sample variances (divided by n - 1 = 4).
"""

from __future__ import annotations

import math
import uuid

import pytest

from learning_app.adapters.postgres import session_scope
from learning_app.models.questions import Question, QuestionOrigin
from learning_app.models.users import UserRole
from learning_app.services.attempts import essay_grading, taking
from learning_app.services.courses import reading
from learning_app.services.errors import PermissionDenied
from learning_app.services.exams import item_analysis
from learning_app.services.exams.item_analysis import ItemAnalysis, ItemStatistics
from learning_app.services.exams.item_statistics import exam_figures
from learning_app.services.questions import bank as question_bank
from learning_app.services.questions.bank import OptionDraft, QuestionDraft
from tests.integration.exams.helpers import exam_of, run, save
from tests.integration.people import new_course, person, publish

POINTS = {  # per question, S1..S5, as in the module docstring
    "single": [1, 1, 1, 1, 1],
    "true_false": [1, 1, 1, 1, 0],
    "multiple": [2, 2, 2, 1, 1],
    "short": [1, 1, 0, 0, 1],
}


def _questions(teacher: str, course_id: str) -> dict[str, question_bank.QuestionView]:
    drafts = {
        "single": QuestionDraft(
            type="single_choice",
            prompt="Which type does `3.5` have?",
            options=[OptionDraft("int"), OptionDraft("float", True), OptionDraft("str")],
        ),
        "true_false": QuestionDraft(
            type="true_false",
            prompt="Functions without return give None.",
            options=[OptionDraft("True", True), OptionDraft("False")],
        ),
        "multiple": QuestionDraft(
            type="multiple_choice",
            prompt="Which are loops?",
            points=2,
            options=[OptionDraft("for", True), OptionDraft("while", True), OptionDraft("if")],
        ),
        "short": QuestionDraft(
            type="short_answer", prompt="Built-in for types?", accepted_answers=["type"]
        ),
    }
    return {
        name: run(question_bank.create_question, token=teacher, course_id=course_id, draft=d)
        for name, d in drafts.items()
    }


def _option(q: question_bank.QuestionView, body: str) -> str:
    return next(o.id for o in q.options if o.body == body)


def _responses(qs: dict[str, question_bank.QuestionView], student: int) -> dict[str, dict]:
    """What student `student` (0-based) answers, giving the points of POINTS."""
    right = POINTS["true_false"][student] == 1
    multiple = {2: ["for", "while"], 1: ["for"] if student == 3 else ["while"]}
    return {
        qs["single"].id: {"option_id": _option(qs["single"], "float")},
        qs["true_false"].id: {"option_id": _option(qs["true_false"], "True" if right else "False")},
        qs["multiple"].id: {
            "option_ids": [
                _option(qs["multiple"], b) for b in multiple[POINTS["multiple"][student]]
            ]
        },
        qs["short"].id: {"text": "type" if POINTS["short"][student] else "class"},
    }


@pytest.fixture
def taken(teacher: str) -> tuple[str, str, dict[str, question_bank.QuestionView]]:
    """The course, the exam taken by five students (and started, unsubmitted, by a sixth)."""
    course_id = new_course(teacher)
    publish(teacher, course_id)
    qs = _questions(teacher, course_id)
    exam_id = exam_of(teacher, course_id, [q.id for q in qs.values()], type="practice")
    for n in range(6):
        token = person(f"s{n + 1}")
        run(reading.enroll, token=token, course_id=course_id)
        view = run(taking.start_attempt, token=token, exam_id=exam_id)
        if n == 5:
            break  # in progress: not counted
        for question_id, response in _responses(qs, n).items():
            save(token, view.attempt_id, question_id, response)
        run(taking.submit_attempt, token=token, attempt_id=view.attempt_id)
    return course_id, exam_id, qs


def _analysis(token: str, exam_id: str, **kwargs: object) -> ItemAnalysis:
    return run(item_analysis.exam_item_analysis, token=token, exam_id=exam_id, **kwargs)


def _by_prompt(analysis: ItemAnalysis) -> dict[str, ItemStatistics]:
    return {item.prompt: item for item in analysis.items}


def test_facility_discrimination_and_alpha_match_the_hand_computed_figures(
    teacher: str, taken: tuple[str, str, dict[str, question_bank.QuestionView]]
) -> None:
    _, exam_id, _ = taken
    analysis = _analysis(teacher, exam_id)
    assert (analysis.attempts, analysis.graded) == (5, 5)  # the sixth is still in progress
    items = _by_prompt(analysis)
    single = items["Which type does 3.5 have?"]
    true_false = items["Functions without return give None."]
    multiple = items["Which are loops?"]
    short = items["Built-in for types?"]
    assert [i.number for i in analysis.items] == [1, 2, 3, 4]  # the exam's order
    assert all(i.answers == 5 and i.marked == 5 for i in analysis.items)

    # Facility: mean points / points. Q3: (2+2+2+1+1)/5 = 1.6 of 2.
    assert (single.facility, true_false.facility, multiple.facility, short.facility) == (
        100.0,
        80.0,
        80.0,
        60.0,
    )

    # Discrimination: 100 r(x, rest), rest = total - x. Sums of products of deviations:
    # Q2: x = 1 1 1 1 0 (mean .8), rest = 4 4 3 2 3 (mean 3.2);
    #     dx = .2 .2 .2 .2 -.8, dr = .8 .8 -.2 -1.2 -.2
    #     Sxy = .16 + .16 - .04 - .24 + .16 = .2, Sxx = .8, Syy = 2.8
    q2 = 0.2 / math.sqrt(0.8 * 2.8)  # 0.1336
    # Q3: x = 2 2 2 1 1 (mean 1.6), rest = 3 3 2 2 2 (mean 2.4);
    #     dx = .4 .4 .4 -.6 -.6, dr = .6 .6 -.4 -.4 -.4
    #     Sxy = .24 + .24 - .16 + .24 + .24 = .8, Sxx = 1.2, Syy = 1.2
    q3 = 0.8 / math.sqrt(1.2 * 1.2)  # 0.6667
    # Q4: x = 1 1 0 0 1 (mean .6), rest = 4 4 4 3 2 (mean 3.4);
    #     dx = .4 .4 -.6 -.6 .4, dr = .6 .6 .6 -.4 -1.4
    #     Sxy = .24 + .24 - .36 + .24 - .56 = -.2, Sxx = 1.2, Syy = 3.2
    q4 = -0.2 / math.sqrt(1.2 * 3.2)  # -0.1021
    assert single.discrimination is None  # everyone scored 1: no variance, no correlation
    assert true_false.discrimination == round(100 * q2, 1) == 13.4
    assert multiple.discrimination == round(100 * q3, 1) == 66.7
    assert short.discrimination == round(100 * q4, 1) == -10.2
    # ... and to 3 decimals of r, through the kept figures the page reads.
    with session_scope() as session:
        figures = exam_figures(session, uuid.UUID(exam_id))
    correlations = sorted(
        round(i.rest_correlation, 3) for i in figures.items if i.rest_correlation is not None
    )
    assert correlations == sorted(round(r, 3) for r in (q2, q3, q4)) == [-0.102, 0.134, 0.667]

    # Alpha: item variances Q1 0, Q2 .8/4 = .2, Q3 1.2/4 = .3, Q4 1.2/4 = .3 (sum .8);
    # totals 5 5 4 3 3, deviations 1 1 0 -1 -1, variance 4/4 = 1.0.
    alpha = 4 / 3 * (1 - 0.8 / 1.0)  # 0.2667
    assert analysis.alpha == round(alpha, 3) == 0.267 and analysis.alpha_note == ""
    # Mean and SD of the percents: 100 100 80 60 60 -> mean 80, SD sqrt(1600/4) = 20.
    assert (analysis.mean_percent, analysis.sd_percent) == (80.0, 20.0)


def test_flags_say_why_a_question_needs_a_look(
    teacher: str, taken: tuple[str, str, dict[str, question_bank.QuestionView]]
) -> None:
    items = _by_prompt(_analysis(teacher, taken[1]))
    flags = {prompt: [(f.kind, f.reason) for f in item.flags] for prompt, item in items.items()}
    assert flags == {
        "Which type does 3.5 have?": [
            ("too_easy", "Too easy: 100% of students got it right"),
        ],
        "Functions without return give None.": [
            (
                "no_discrimination",
                "Does not discriminate: strong students did no better than weak ones",
            )
        ],
        "Which are loops?": [],
        "Built-in for types?": [
            (
                "negative",
                "Negative discrimination: check the answer key (students who did well on the "
                "rest of the test did worse on this one)",
            )
        ],
    }


def test_the_flagged_questions_no_teacher_wrote_come_first(
    teacher: str, taken: tuple[str, str, dict[str, question_bank.QuestionView]]
) -> None:
    _, exam_id, qs = taken
    with session_scope() as session:  # as keeping a draft and importing a bank record them
        for name, origin in (("short", QuestionOrigin.DRAFTED), ("true_false", "imported")):
            question = session.get(Question, uuid.UUID(qs[name].id))
            assert question is not None
            question.origin = QuestionOrigin(origin)
    analysis = _analysis(teacher, exam_id)
    order = [(item.number, item.origin) for item in item_analysis.to_review(analysis.items)]
    assert order == [(4, "drafted"), (2, "imported"), (1, "written")]  # Q3 has no flag


def test_option_frequencies_name_each_option_and_the_correct_ones(
    teacher: str, taken: tuple[str, str, dict[str, question_bank.QuestionView]]
) -> None:
    items = _by_prompt(_analysis(teacher, taken[1]))

    def picks(prompt: str) -> list[tuple[str, bool, int, float]]:
        return [(o.text, o.is_correct, o.picks, o.percent) for o in items[prompt].options]

    assert picks("Which type does 3.5 have?") == [
        ("int", False, 0, 0.0),
        ("float", True, 5, 100.0),
        ("str", False, 0, 0.0),
    ]
    assert picks("Functions without return give None.") == [
        ("True", True, 4, 80.0),
        ("False", False, 1, 20.0),
    ]
    # Several options per answer: the shares add up to more than 100%.
    assert picks("Which are loops?") == [
        ("for", True, 4, 80.0),
        ("while", True, 4, 80.0),
        ("if", False, 0, 0.0),
    ]
    assert picks("Built-in for types?") == []  # typed answers have no options


def test_only_the_course_teachers_see_it(
    teacher: str, taken: tuple[str, str, dict[str, question_bank.QuestionView]]
) -> None:
    course_id, exam_id, _ = taken
    enrolled = person("s1-again")
    run(reading.enroll, token=enrolled, course_id=course_id)
    other_teacher = person("mallory", UserRole.TEACHER)
    for token in (enrolled, other_teacher):
        with pytest.raises(PermissionDenied, match="Only the course's teachers"):
            _analysis(token, exam_id)
        with pytest.raises(PermissionDenied, match="Only the course's teachers"):
            run(item_analysis.exams_for_analysis, token=token, course_id=course_id)
    admin = person("root", UserRole.ADMIN)
    assert _analysis(admin, exam_id).attempts == 5
    choices = run(item_analysis.exams_for_analysis, token=teacher, course_id=course_id)
    assert [(c.exam_id, c.title) for c in choices] == [(exam_id, "Quiz")]


def test_no_attempts_and_an_essay_awaiting_its_mark(teacher: str, student: str) -> None:
    course_id = new_course(teacher)
    publish(teacher, course_id)
    run(reading.enroll, token=student, course_id=course_id)
    qs = _questions(teacher, course_id)
    essay = run(
        question_bank.create_question,
        token=teacher,
        course_id=course_id,
        draft=QuestionDraft(type="essay", prompt="Why test?", points=2),
    )
    exam_id = exam_of(teacher, course_id, [qs["single"].id, essay.id], type="practice")
    empty = _analysis(teacher, exam_id)
    assert (empty.attempts, empty.items, empty.alpha, empty.alpha_note) == (0, [], None, "")

    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    save(student, view.attempt_id, qs["single"].id, {"option_id": _option(qs["single"], "int")})
    save(student, view.attempt_id, essay.id, {"text": "To sleep well."})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    waiting = _analysis(teacher, exam_id)
    assert (waiting.attempts, waiting.graded) == (1, 0)
    essay_line = _by_prompt(waiting)["Why test?"]
    # Counted as an answer, not in the facility until marked.
    assert (essay_line.answers, essay_line.marked, essay_line.facility) == (1, 0, None)
    assert waiting.alpha is None and "at least 2 graded attempts" in waiting.alpha_note

    pending = run(essay_grading.pending_essays, token=teacher)
    run(essay_grading.grade_essay_answer, token=teacher, answer_id=pending[0].answer_id, points=1)
    marked = _analysis(teacher, exam_id, recompute=True)
    assert marked.graded == 1 and _by_prompt(marked)["Why test?"].facility == 50.0
