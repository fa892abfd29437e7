"""Which questions an attempt gets: the exam's fixed questions, then random draws by tag, in the
order and with the option order the exam's shuffles say; frozen into the attempt at its start."""

from __future__ import annotations

import logging
import random
import uuid
from typing import Any

from sqlmodel import Session, col, select

from learning_app.models.exams import Exam, ExamDrawRule, ExamQuestion
from learning_app.models.questions import Question, QuestionOption, QuestionTag, QuestionType

log = logging.getLogger(__name__)
_shuffler = random.SystemRandom()


def _option_ids(session: Session, question_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = session.exec(
        select(QuestionOption.question_id, QuestionOption.id)
        .where(col(QuestionOption.question_id).in_(question_ids))
        .order_by(col(QuestionOption.question_id), col(QuestionOption.position))
    ).all()
    options: dict[uuid.UUID, list[str]] = {}
    for question_id, option_id in rows:
        options.setdefault(question_id, []).append(str(option_id))
    return options


def _draw(session: Session, exam: Exam, chosen: set[uuid.UUID]) -> list[tuple[uuid.UUID, float]]:
    """Random questions for each draw rule, never repeating a question already chosen."""
    picked: list[tuple[uuid.UUID, float]] = []
    rules = session.exec(
        select(ExamDrawRule).where(ExamDrawRule.exam_id == exam.id).order_by(col(ExamDrawRule.id))
    ).all()
    for rule in rules:
        pool = [
            (qid, points)
            for qid, points in session.exec(
                select(Question.id, Question.points)
                .join(QuestionTag, col(QuestionTag.question_id) == col(Question.id))
                .where(QuestionTag.tag_id == rule.tag_id, col(Question.archived_at).is_(None))
            ).all()
            if qid not in chosen
        ]
        if len(pool) < rule.question_count:
            log.warning("exam %s: draw rule %s is short of questions", exam.id, rule.id)
        for qid, points in _shuffler.sample(pool, min(rule.question_count, len(pool))):
            chosen.add(qid)
            picked.append((qid, points if rule.points is None else rule.points))
    return picked


def build_question_order(session: Session, exam: Exam) -> list[dict[str, Any]]:
    """Fixed questions in order, then random draws; shuffled as the exam says."""
    fixed = session.exec(
        select(Question.id, Question.points, ExamQuestion.points)
        .join(ExamQuestion, col(ExamQuestion.question_id) == col(Question.id))
        .where(ExamQuestion.exam_id == exam.id, col(Question.archived_at).is_(None))
        .order_by(col(ExamQuestion.position))
    ).all()
    lines = [(qid, own if points is None else points) for qid, own, points in fixed]
    lines += _draw(session, exam, {qid for qid, _ in lines})
    if exam.shuffle_questions:
        _shuffler.shuffle(lines)
    ids = [qid for qid, _ in lines]
    types = dict(
        session.exec(select(Question.id, Question.type).where(col(Question.id).in_(ids))).all()
    )
    options = _option_ids(session, ids)
    order = []
    for qid, points in lines:
        option_ids = list(options.get(qid, []))
        if exam.shuffle_options and types[qid] is not QuestionType.TRUE_FALSE:
            _shuffler.shuffle(option_ids)
        order.append(
            {
                "question_id": str(qid),
                "type": QuestionType(types[qid]).value,
                "option_ids": option_ids,
                "points": points,
            }
        )
    return order
