"""Which questions an attempt gets: the exam's fixed questions, then random draws by tag, in the
order and with the option order the exam's shuffles say; frozen into the attempt at its start."""

from __future__ import annotations

import logging
import random
import uuid
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, col, select

from learning_app.models.exams import Exam, ExamDrawRule, ExamQuestion
from learning_app.models.questions import Question, QuestionOption, QuestionTag, QuestionType

log = logging.getLogger(__name__)
_shuffler = random.SystemRandom()


# The statements of a start, built once with their ids bound: the exam-start spike runs them
# hundreds of times a second, and building each per call cost about a third of it.
# The fixed questions come with their options' ids in order, and each row says whether the
# exam has draw rules at all: an exam without them starts in one statement of this module.
_OPTION_IDS_IN_ORDER = (
    select(func.array_agg(aggregate_order_by(QuestionOption.id, col(QuestionOption.position))))
    .where(QuestionOption.question_id == Question.id)
    .scalar_subquery()
)
_HAS_RULES = exists().where(ExamDrawRule.exam_id == bindparam("exam_id"))
_FIXED = (
    select(  # type: ignore[call-overload]
        Question.id,
        Question.type,
        Question.points,
        ExamQuestion.points,
        _OPTION_IDS_IN_ORDER,
        _HAS_RULES,
    )
    .join(ExamQuestion, col(ExamQuestion.question_id) == col(Question.id))
    .where(ExamQuestion.exam_id == bindparam("exam_id"), col(Question.archived_at).is_(None))
    .order_by(col(ExamQuestion.position))
)
_RULES = (
    select(ExamDrawRule)
    .where(ExamDrawRule.exam_id == bindparam("exam_id"))
    .order_by(col(ExamDrawRule.id))
)
# The questions of every rule's tag at once (one statement, however many rules).
_TAGGED = (
    select(QuestionTag.tag_id, Question.id, Question.type, Question.points)
    .select_from(Question)
    .join(QuestionTag, col(QuestionTag.question_id) == col(Question.id))
    .where(
        col(QuestionTag.tag_id).in_(bindparam("tag_ids", expanding=True)),
        col(Question.archived_at).is_(None),
    )
    .order_by(col(QuestionTag.tag_id), col(Question.id))
)
_OPTIONS = (
    select(QuestionOption.question_id, QuestionOption.id)
    .where(col(QuestionOption.question_id).in_(bindparam("question_ids", expanding=True)))
    .order_by(col(QuestionOption.question_id), col(QuestionOption.position))
)

# (question id, type, points): one line of an attempt's question order.
Line = tuple[uuid.UUID, QuestionType, float]


def _option_ids(session: Session, question_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    options: dict[uuid.UUID, list[str]] = {}
    if not question_ids:
        return options
    rows = session.exec(_OPTIONS, params={"question_ids": question_ids}).all()
    for question_id, option_id in rows:
        options.setdefault(question_id, []).append(str(option_id))
    return options


def _draw(session: Session, exam: Exam, chosen: set[uuid.UUID]) -> list[Line]:
    """Random questions for each draw rule, never repeating a question already chosen."""
    picked: list[Line] = []
    rules = session.exec(_RULES, params={"exam_id": exam.id}).all()
    tagged: dict[uuid.UUID, list[Line]] = {}
    if rules:
        params = {"tag_ids": sorted({rule.tag_id for rule in rules})}
        for tag_id, *line in session.execute(_TAGGED, params):
            tagged.setdefault(tag_id, []).append(tuple(line))  # type: ignore[arg-type]
    for rule in rules:
        pool = [line for line in tagged.get(rule.tag_id, []) if line[0] not in chosen]
        if len(pool) < rule.question_count:
            log.warning("exam %s: draw rule %s is short of questions", exam.id, rule.id)
        for qid, type_, points in _shuffler.sample(pool, min(rule.question_count, len(pool))):
            chosen.add(qid)
            picked.append((qid, type_, points if rule.points is None else rule.points))
    return picked


def build_question_order(session: Session, exam: Exam) -> list[dict[str, Any]]:
    """Fixed questions in order, then random draws; shuffled as the exam says."""
    fixed = session.execute(_FIXED, {"exam_id": exam.id}).all()
    lines: list[Line] = [
        (qid, type_, own if points is None else points) for qid, type_, own, points, *_ in fixed
    ]
    options = {row[0]: [str(option) for option in row[4] or ()] for row in fixed}
    if not fixed or fixed[0][5]:  # draw rules, or only them
        drawn = _draw(session, exam, {qid for qid, _, _ in lines})
        options.update(_option_ids(session, [qid for qid, _, _ in drawn]))
        lines += drawn
    if exam.shuffle_questions:
        _shuffler.shuffle(lines)
    order = []
    for qid, type_, points in lines:
        option_ids = list(options.get(qid, []))
        if exam.shuffle_options and type_ is not QuestionType.TRUE_FALSE:
            _shuffler.shuffle(option_ids)
        order.append(
            {
                "question_id": str(qid),
                "type": QuestionType(type_).value,
                "option_ids": option_ids,
                "points": points,
            }
        )
    return order
