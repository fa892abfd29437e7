"""Issue 15, finding 3: an exam's feedback policy decides what its result page reveals.

The attack: an exam with policy `never` and several attempts; answer True, then False, and read
which one the result page marks wrong. Each policy is checked twice: in what the result service
returns, and in the result page's state, which is what reaches the browser over the websocket.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from learning_app.adapters.postgres import session_scope
from learning_app.models.base import utc_now
from learning_app.models.exams import Exam
from learning_app.pages.attempts.result import AttemptResultState
from learning_app.services.attempts import results, taking
from learning_app.services.questions import bank as question_bank
from tests.integration.exams.helpers import exam_of, run, save
from tests.integration.tabs import sent_to_browser, tab_state

# What only a visible policy may let through: the right option, the explanation, the feedback
# written for the wrong option the student picks, and the verdicts.
SECRETS = ("float", "A decimal point makes a float.", "`3` is an int")
VERDICTS = {"correct", "partial", "wrong"}


@pytest.mark.parametrize(
    ("policy", "closes_in_days", "closed_when_read", "visible"),
    [
        ("after_submit", None, False, True),
        ("never", None, False, False),
        ("after_close", 2, False, False),  # read while the exam is still open
        ("after_close", 2, True, True),  # read after it closed
    ],
    ids=["after_submit", "never", "after_close-open", "after_close-closed"],
)
def test_a_hidden_policy_reveals_no_verdict_points_or_answer_per_question(
    teacher: str,
    student: str,
    course: str,
    qs: dict[str, question_bank.QuestionView],
    policy: str,
    closes_in_days: int | None,
    closed_when_read: bool,
    visible: bool,
) -> None:
    single, true_false = qs["single"], qs["true_false"]
    closes = (utc_now() + timedelta(days=closes_in_days)).isoformat() if closes_in_days else None
    exam_id = exam_of(
        teacher,
        course,
        [single.id, true_false.id],
        feedback_policy=policy,
        closes_at=closes,
        max_attempts=5,
    )
    view = run(taking.start_attempt, token=student, exam_id=exam_id)
    option = {(q.id, o.body): o.id for q in (single, true_false) for o in q.options}
    save(student, view.attempt_id, single.id, {"option_id": option[single.id, "int"]})  # wrong
    save(student, view.attempt_id, true_false.id, {"option_id": option[true_false.id, "True"]})
    run(taking.submit_attempt, token=student, attempt_id=view.attempt_id)
    if closed_when_read:
        with session_scope() as session:
            session.execute(
                update(Exam)
                .where(col(Exam.id) == exam_id)
                .values(closes_at=utc_now() - timedelta(minutes=1))
            )

    result = run(results.attempt_result, token=student, attempt_id=view.attempt_id)
    # The total is the student's under every policy.
    assert (result.score, result.max_score, result.percent) == (1.0, 2.0, 50.0)
    by_question = {a.question_id: a for a in result.answers}
    assert [a.your_answer for a in result.answers] == ["int", "True"]
    if visible:
        assert result.feedback_visible and result.feedback_note == ""
        assert by_question[single.id].is_correct is False
        assert by_question[true_false.id].points_awarded == 1.0
        assert by_question[single.id].correct_answer == "float"
        assert by_question[single.id].option_feedback.startswith("`3` is an int")
    else:
        assert not result.feedback_visible and result.feedback_note
        for answer in result.answers:
            assert (answer.is_correct, answer.points_awarded) == (None, None)
            assert answer.correct_answer == answer.explanation_markdown == ""
            assert answer.option_feedback == answer.teacher_feedback == ""

    tab = tab_state(AttemptResultState, student, attempt_id=view.attempt_id)
    asyncio.run(tab.load())
    assert tab.problem == "" and tab.percent == 50.0
    verdicts = [line.verdict for line in tab.lines]
    browser = json.dumps(sent_to_browser(tab))
    if visible:
        assert verdicts == ["wrong", "correct"]
        assert all(secret in browser for secret in SECRETS)
    else:
        assert verdicts == ["answered", "answered"]
        assert [line.points_awarded for line in tab.lines] == ["", ""]
        assert not any(secret in browser for secret in SECRETS)
        assert not VERDICTS & {line.verdict for line in tab.lines}


def test_an_exam_cannot_show_answers_after_it_closes_without_closing(
    teacher: str, course: str, qs: dict[str, question_bank.QuestionView]
) -> None:
    from learning_app.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Set a closing time"):
        exam_of(teacher, course, [qs["single"].id], feedback_policy="after_close")
