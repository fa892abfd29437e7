"""The set-based SQL behind item analysis, and the per-exam roll-up that keeps page views cheap.

Every figure is an aggregate computed by Postgres over the exam's stored answers (`count`,
`avg`, `var_samp`, `corr`, `... FILTER`); Python only receives one row per question, one row
per (question, option) and one row for the exam, never a row per answer.

Which attempts count: every submitted attempt of the exam, whatever its number (a student's
second try counts as Moodle's "all attempts" does), that is `graded` or `awaiting_grading`.
Attempts in progress are left out. An answer a teacher has not marked yet (an essay) has no
points: it counts in the question's answers and option picks, not in its facility. The
discrimination index, the item variances and the total variance behind alpha come from the
`graded` attempts only, because an attempt still waiting for an essay mark has no final total.

Roll-up: at 10,000 attempts x 40 questions these statements read 400,000 answers and take
~0.2 s (per-question figures) and ~0.5 s (option picks, which unpack the JSON responses) on
the 2-core benchmark machine, too slow for every page view. So the figures are kept in Redis
per exam, keyed by a fingerprint of the counted attempts (how many, and the latest
`updated_at`: a submit, a regrade or an essay mark all move it). A view reads the fingerprint
(one index range scan of `exam_attempt`, a few ms) and reuses the stored figures while it
matches. When it does not, the figures are recomputed, at most once per `RECOMPUTE_AFTER_S`
per exam: during a sitting, submits arrive every second and a teacher watching the page
should not turn each of them into a full scan. The figures are derived data: losing Redis
loses nothing (they are recomputed), and without Redis they are computed on every view.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from learning_app.adapters.redis_store import REDIS_UNREACHABLE, get_redis

log = logging.getLogger(__name__)

CACHE_KEY = "item-analysis:{exam_id}"
# A day: figures of an exam nobody looks at expire; a later view recomputes them.
CACHE_TTL_S = 24 * 3600
# During a sitting, figures may lag the newest submits by up to a minute (the page says when
# they were computed); a recompute costs ~0.7 s of database time at 10k attempts.
RECOMPUTE_AFTER_S = 60
COUNTED_STATUSES = ("graded", "awaiting_grading")

# The fingerprint and the exam-wide figures, from `exam_attempt` alone (no answers read).
EXAM_TOTALS = sa.text(
    """
    SELECT count(*) AS attempts,
           count(*) FILTER (WHERE status = 'graded') AS graded,
           max(updated_at) AS last_change,
           avg(percent) FILTER (WHERE status = 'graded') AS mean_percent,
           stddev_samp(percent) FILTER (WHERE status = 'graded') AS sd_percent,
           var_samp(score) FILTER (WHERE status = 'graded') AS score_variance
    FROM exam_attempt
    WHERE exam_id = :exam AND status IN ('graded', 'awaiting_grading')
    """
)

# One row per question answered in a counted attempt. `rest` is the attempt's score without
# this question (Moodle's "rest of the test"), so a question is not correlated with itself.
ITEM_FIGURES = sa.text(
    """
    SELECT ans.question_id,
           count(*) AS answers,
           count(ans.points_awarded) AS marked,
           count(*) FILTER (WHERE ans.response = '{}'::jsonb) AS blank,
           avg(ans.points_awarded) AS mean_points,
           count(ans.points_awarded) FILTER (WHERE a.status = 'graded') AS graded_answers,
           var_samp(ans.points_awarded) FILTER (WHERE a.status = 'graded') AS variance,
           corr(ans.points_awarded, a.score - ans.points_awarded)
               FILTER (WHERE a.status = 'graded') AS rest_correlation
    FROM exam_attempt a JOIN attempt_answer ans ON ans.attempt_id = a.id
    WHERE a.exam_id = :exam AND a.status IN ('graded', 'awaiting_grading')
    GROUP BY ans.question_id
    """
)

# How often each option was picked. Answers are grouped by their whole response first (a
# single-choice question has at most a few distinct ones), and only those groups are unpacked.
OPTION_PICKS = sa.text(
    """
    SELECT g.question_id, chosen.option_id, sum(g.n)::int AS picks
    FROM (
        SELECT ans.question_id, ans.response, count(*) AS n
        FROM exam_attempt a JOIN attempt_answer ans ON ans.attempt_id = a.id
        WHERE a.exam_id = :exam AND a.status IN ('graded', 'awaiting_grading')
          AND ans.response ?| array['option_id', 'option_ids']
        GROUP BY ans.question_id, ans.response
    ) g
    CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(g.response -> 'option_ids') = 'array' THEN g.response -> 'option_ids'
             WHEN jsonb_typeof(g.response -> 'option_id') = 'string'
                 THEN jsonb_build_array(g.response -> 'option_id')
             ELSE '[]'::jsonb END) AS chosen(option_id)
    GROUP BY g.question_id, chosen.option_id
    """
)


@dataclass(frozen=True)
class ExamTotals:
    attempts: int
    graded: int
    last_change: str  # ISO timestamp of the latest counted attempt's change, "" if none
    mean_percent: float | None
    sd_percent: float | None
    score_variance: float | None


@dataclass(frozen=True)
class ItemFigures:
    question_id: str
    answers: int
    marked: int
    blank: int
    mean_points: float | None
    graded_answers: int
    variance: float | None
    rest_correlation: float | None


@dataclass(frozen=True)
class ExamFigures:
    """The aggregates of one exam, as computed (or as kept since `computed_at`)."""

    totals: ExamTotals
    items: list[ItemFigures]
    picks: dict[str, dict[str, int]]  # question id -> option id -> picks
    computed_at: float  # epoch seconds


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def exam_totals(session: Session, exam_id: uuid.UUID) -> ExamTotals:
    row = session.execute(EXAM_TOTALS, {"exam": exam_id}).one()
    return ExamTotals(
        attempts=int(row.attempts),
        graded=int(row.graded),
        last_change=row.last_change.isoformat() if row.last_change else "",
        mean_percent=_float(row.mean_percent),
        sd_percent=_float(row.sd_percent),
        score_variance=_float(row.score_variance),
    )


def compute_figures(session: Session, exam_id: uuid.UUID, totals: ExamTotals) -> ExamFigures:
    """Read the answers' aggregates from Postgres (the expensive part: see module docstring)."""
    params = {"exam": exam_id}
    items = [
        ItemFigures(
            question_id=str(row.question_id),
            answers=int(row.answers),
            marked=int(row.marked),
            blank=int(row.blank),
            mean_points=_float(row.mean_points),
            graded_answers=int(row.graded_answers),
            variance=_float(row.variance),
            rest_correlation=_float(row.rest_correlation),
        )
        for row in session.execute(ITEM_FIGURES, params)
    ]
    picks: dict[str, dict[str, int]] = {}
    for question_id, option_id, count in session.execute(OPTION_PICKS, params):
        picks.setdefault(str(question_id), {})[option_id] = int(count)
    return ExamFigures(totals=totals, items=items, picks=picks, computed_at=time.time())


def _encode(figures: ExamFigures) -> str:
    return json.dumps(asdict(figures))


def _decode(text: str) -> ExamFigures:
    data = json.loads(text)
    return ExamFigures(
        totals=ExamTotals(**data["totals"]),
        items=[ItemFigures(**item) for item in data["items"]],
        picks=data["picks"],
        computed_at=float(data["computed_at"]),
    )


def _fresh_enough(kept: ExamFigures, now: ExamTotals) -> bool:
    same = (kept.totals.attempts, kept.totals.last_change) == (now.attempts, now.last_change)
    return same or time.time() - kept.computed_at < RECOMPUTE_AFTER_S


def exam_figures(session: Session, exam_id: uuid.UUID) -> ExamFigures:
    """The exam's aggregates: the kept ones while still current, else recomputed and kept."""
    totals = exam_totals(session, exam_id)
    if totals.attempts == 0:
        return ExamFigures(totals=totals, items=[], picks={}, computed_at=time.time())
    key = CACHE_KEY.format(exam_id=exam_id)
    try:
        kept_text = get_redis().get(key)
    except REDIS_UNREACHABLE:
        log.warning("item analysis: Redis unreachable, computing figures without keeping them")
        return compute_figures(session, exam_id, totals)
    if kept_text:
        kept = _decode(kept_text)
        if _fresh_enough(kept, totals):
            return kept
    figures = compute_figures(session, exam_id, totals)
    try:
        get_redis().set(key, _encode(figures), ex=CACHE_TTL_S)
    except REDIS_UNREACHABLE:
        log.warning("item analysis: Redis unreachable, figures not kept")
    return figures


def forget_figures(exam_id: uuid.UUID) -> None:
    """Drop the kept figures (the "Recalculate now" button, and tests)."""
    with contextlib.suppress(*REDIS_UNREACHABLE):
        get_redis().delete(CACHE_KEY.format(exam_id=exam_id))
